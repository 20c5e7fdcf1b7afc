/**
 * Knowledge bases (AI-4) and their documents: `ACC#a` / `KB#<kb>` and `ACC#a#KB#<kb>` /
 * `DOC#<doc>`. The passages and the index live in S3 (shared/assistant/knowledge.ts);
 * here only the items.
 */
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { acc, keys, prefixes } from './keys.ts';
import { queryPrefix, renameItem, updateIfAllowed } from './ops.ts';
import { kbDocumentSchema, knowledgeBaseSchema, type KbDocument, type KnowledgeBase } from './types.ts';

interface TableDeps {
  ddb: DynamoDBDocumentClient;
  tableName: string;
}

export async function getKnowledgeBase(
  deps: TableDeps,
  accountId: string,
  kbId: string,
): Promise<KnowledgeBase | undefined> {
  const res = await deps.ddb.send(
    new GetCommand({ TableName: deps.tableName, Key: keys.knowledgeBase(accountId, kbId) }),
  );
  return res.Item ? knowledgeBaseSchema.parse(res.Item) : undefined;
}

/** Every knowledge base of the account. */
export async function listKnowledgeBases(deps: TableDeps, accountId: string): Promise<KnowledgeBase[]> {
  return (await queryPrefix(deps.ddb, deps.tableName, acc(accountId), prefixes.knowledgeBase)).map((i) =>
    knowledgeBaseSchema.parse(i),
  );
}

export async function putKnowledgeBase(deps: TableDeps, kb: KnowledgeBase): Promise<KnowledgeBase> {
  const item = knowledgeBaseSchema.parse(kb);
  await deps.ddb.send(
    new PutCommand({
      TableName: deps.tableName,
      Item: { ...keys.knowledgeBase(item.accountId, item.id), ...item },
    }),
  );
  return item;
}

/** The renamed base, or undefined when it does not exist. */
export async function renameKnowledgeBase(
  deps: TableDeps,
  accountId: string,
  kbId: string,
  name: string,
): Promise<KnowledgeBase | undefined> {
  const updated = await renameItem(deps.ddb, deps.tableName, keys.knowledgeBase(accountId, kbId), name);
  return updated && knowledgeBaseSchema.parse(updated);
}

/** Deletes the base's item (its documents are deleted one by one before: deleteDocument). */
export async function deleteKnowledgeBase(deps: TableDeps, accountId: string, kbId: string): Promise<void> {
  await deps.ddb.send(
    new DeleteCommand({ TableName: deps.tableName, Key: keys.knowledgeBase(accountId, kbId) }),
  );
}

/** The base's index was rebuilt: its totals, and `indexVersion` moves (searches reload the index). */
export async function markKnowledgeIndexBuilt(
  deps: TableDeps,
  accountId: string,
  kbId: string,
  totals: { documents: number; passages: number; builtAt: number },
): Promise<void> {
  await updateIfAllowed(deps.ddb, {
    TableName: deps.tableName,
    Key: keys.knowledgeBase(accountId, kbId),
    UpdateExpression: 'SET documents = :d, passages = :p, updatedAt = :u ADD indexVersion :one',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: {
      ':d': totals.documents,
      ':p': totals.passages,
      ':u': totals.builtAt,
      ':one': 1,
    },
  });
}

export async function listDocuments(deps: TableDeps, accountId: string, kbId: string): Promise<KbDocument[]> {
  return (
    await queryPrefix(
      deps.ddb,
      deps.tableName,
      keys.kbDocumentsPartition(accountId, kbId),
      prefixes.kbDocument,
    )
  ).map((i) => kbDocumentSchema.parse(i));
}

/** One document of a base, or undefined. */
export async function getDocument(
  deps: TableDeps,
  accountId: string,
  kbId: string,
  docId: string,
): Promise<KbDocument | undefined> {
  const res = await deps.ddb.send(
    new GetCommand({ TableName: deps.tableName, Key: keys.kbDocument(accountId, kbId, docId) }),
  );
  return res.Item ? kbDocumentSchema.parse(res.Item) : undefined;
}

export async function putDocument(deps: TableDeps, doc: KbDocument): Promise<KbDocument> {
  const item = kbDocumentSchema.parse(doc);
  await deps.ddb.send(
    new PutCommand({
      TableName: deps.tableName,
      Item: { ...keys.kbDocument(item.accountId, item.knowledgeBaseId, item.id), ...item },
    }),
  );
  return item;
}

export async function deleteDocument(
  deps: TableDeps,
  doc: Pick<KbDocument, 'accountId' | 'knowledgeBaseId' | 'id'>,
): Promise<void> {
  await deps.ddb.send(
    new DeleteCommand({
      TableName: deps.tableName,
      Key: keys.kbDocument(doc.accountId, doc.knowledgeBaseId, doc.id),
    }),
  );
}
