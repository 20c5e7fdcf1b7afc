/**
 * Contacts, found through lookup items: canonical phone (the Brazilian 9th digit
 * normalised, so both forms of a mobile meet on one item) and Meta's business-scoped
 * user id (contacts that come without a phone). Creation is race-safe: the lookup items
 * are written conditionally in the transaction that creates the contact with its first
 * conversation (conversations.ts openConversation), and the loser of a race reads the
 * winner's contact. A contact first known by one identity learns the other when a message
 * carries both.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { canonicalPhone } from '#shared/domain/phone.ts';
import { keys } from './keys.ts';
import { contactSchema, type Contact } from './types.ts';

export interface ContactIdentity {
  /** WhatsApp id (a phone number, either 9th-digit form). */
  waId?: string;
  /** Meta business-scoped user id. */
  userId?: string;
  name?: string;
}

type Key = { pk: string; sk: string };

function lookups(accountId: string, who: ContactIdentity): { phone?: Key; user?: Key } {
  return {
    ...(who.waId ? { phone: keys.contactByPhone(accountId, canonicalPhone(who.waId)) } : {}),
    ...(who.userId ? { user: keys.contactByUserId(accountId, who.userId) } : {}),
  };
}

export async function getContact(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  contactId: string,
): Promise<Contact | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: tableName, Key: keys.contact(accountId, contactId) }),
  );
  return res.Item ? contactSchema.parse(res.Item) : undefined;
}

/** The contact a phone number (either 9th-digit form) belongs to. */
export async function findContactByPhone(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  phone: string,
): Promise<Contact | undefined> {
  return viaLookup(ddb, tableName, accountId, keys.contactByPhone(accountId, canonicalPhone(phone)));
}

async function viaLookup(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  key: Key,
): Promise<Contact | undefined> {
  const found = await ddb.send(new GetCommand({ TableName: tableName, Key: key }));
  if (typeof found.Item?.contactId !== 'string') return undefined;
  return getContact(ddb, tableName, accountId, found.Item.contactId);
}

/**
 * The contact of this identity (by phone first, then by user id), if there is one; a known
 * contact seen with an identity it lacks learns it.
 */
export async function findContact(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  who: ContactIdentity,
): Promise<Contact | undefined> {
  const l = lookups(accountId, who);
  if (!l.phone && !l.user) throw new Error('A contact needs a wa_id or a user_id');
  const byPhone = l.phone && (await viaLookup(ddb, tableName, accountId, l.phone));
  const found = byPhone ?? (l.user && (await viaLookup(ddb, tableName, accountId, l.user)));
  return found ? learnIdentity(ddb, tableName, found, who) : undefined;
}

/** A contact for this identity, not yet written (contactCreation writes it). */
export function newContact(accountId: string, who: ContactIdentity, id: string, now: number): Contact {
  const phone = who.waId ? canonicalPhone(who.waId) : undefined;
  return {
    id,
    accountId,
    name: who.name ?? (phone ? `+${phone}` : 'Cliente'),
    ...(phone ? { phone } : {}),
    ...(who.waId ? { waId: who.waId } : {}),
    ...(who.userId ? { userId: who.userId } : {}),
    createdAt: now,
  };
}

/**
 * The writes that create a contact (newContact's), for a transaction: its lookup items,
 * each conditional on not existing — another run that created the same person first
 * cancels the transaction, and the caller reads that run's contact (findContact) — and
 * the contact item.
 */
export function contactCreation(tableName: string, contact: Contact) {
  const l = lookups(contact.accountId, { waId: contact.waId, userId: contact.userId });
  const lookupPut = (key: Key) => ({
    Put: {
      TableName: tableName,
      Item: { ...key, contactId: contact.id },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });
  return [
    ...(l.phone ? [lookupPut(l.phone)] : []),
    ...(l.user ? [lookupPut(l.user)] : []),
    { Put: { TableName: tableName, Item: { ...keys.contact(contact.accountId, contact.id), ...contact } } },
  ];
}

/**
 * A known contact seen with an identity it lacks (a phone contact now with a user id, or
 * the reverse): remember it, so a later message with only that identity finds the same
 * person. Best effort — if the identity already points elsewhere, it is left alone.
 */
async function learnIdentity(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  contact: Contact,
  who: ContactIdentity,
): Promise<Contact> {
  const learnPhone = who.waId && !contact.phone;
  const learnUser = who.userId && !contact.userId;
  if (!learnPhone && !learnUser) return contact;
  const l = lookups(contact.accountId, who);
  const claim = async (key: Key | undefined) => {
    if (!key) return false;
    try {
      await ddb.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...key, contactId: contact.id },
          ConditionExpression: 'attribute_not_exists(pk) OR contactId = :c',
          ExpressionAttributeValues: { ':c': contact.id },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  };
  const fields: Partial<Contact> = {};
  if (learnPhone && (await claim(l.phone))) {
    fields.phone = canonicalPhone(who.waId!);
    fields.waId = who.waId!;
  }
  if (learnUser && (await claim(l.user))) fields.userId = who.userId!;
  const names = Object.keys(fields);
  if (!names.length) return contact;
  await ddb.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.contact(contact.accountId, contact.id),
      UpdateExpression: `SET ${names.map((n) => `#${n} = :${n}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((n) => [`#${n}`, n])),
      ExpressionAttributeValues: Object.fromEntries(names.map((n) => [`:${n}`, fields[n as keyof Contact]])),
    }),
  );
  return { ...contact, ...fields };
}
