/**
 * The AI pages (AI-1..7, MET-1): assistants, the account's LLM connection and prices,
 * knowledge bases and their documents, the "Testar" panel, and the assistant
 * conversations list with CSV/JSON export. Reading is for every user of the account;
 * changing needs the "settings" permission. The API key is write-only.
 */
import type { z } from 'zod';
import type { AccessClaims } from '#shared/auth/tokens.ts';
import { defaultPrices } from '#shared/domain/pricing.ts';
import { ConflictError, InternalError, NotFoundError, ValidationError } from '#shared/errors.ts';
import {
  getKnowledgeBase,
  KNOWLEDGE_MIME_TYPES,
  getDocument,
  listDocuments,
  putDocument,
  removeDocument,
  searchKnowledge,
  type KnowledgeDeps,
} from '#shared/assistant/knowledge.ts';
import { accountEmbedder } from '#shared/assistant/embeddings.ts';
import { llmConnection } from '#shared/assistant/llm-config.ts';
import { checkOutboundUrl, OutboundUrlError } from '#shared/net/outbound-url.ts';
import {
  getAiSettings,
  listAiConversationsBetween,
  listAppointments,
  putAiSettings,
} from '#shared/store/ai.ts';
import { saveLlmKey } from '#shared/secrets/account-secrets.ts';
import {
  deleteAssistant as deleteAssistantItem,
  getAssistant,
  listAssistants,
  putAssistant,
  toPublicAssistant,
} from '#shared/store/catalog.ts';
import { resolveToolHeaders } from '#shared/domain/http-tool-headers.ts';
import { toCsv, type CsvColumn, type CsvSeparator } from '#shared/domain/csv.ts';
import {
  getConversationById,
  putDetachedConversation,
  recordDetachedCustomerMessage,
} from '#shared/store/conversations.ts';
import {
  deleteDocument,
  deleteKnowledgeBase as deleteKnowledgeBaseItem,
  listKnowledgeBases as listKnowledgeBaseItems,
  putKnowledgeBase,
  renameKnowledgeBase as renameKnowledgeBaseItem,
} from '#shared/store/knowledge.ts';
import { putMessageOnce } from '#shared/store/messages.ts';
import {
  assistantSchema,
  conversationSchema,
  knowledgeBaseSchema,
  messageSchema,
  type Assistant,
  type HttpTool,
  type Message,
  type PublicAssistant,
} from '#shared/store/types.ts';
import { enqueueAssistant } from '#shared/contracts/jobs.ts';
import type { ApiDeps } from './api-deps.ts';
import { requireSettings } from './integrations-service.ts';
import type * as schemas from './routes/ai.schemas.ts';
import { uploadKey } from './uploads-service.ts';

// ── assistants ─────────────────────────────────────────────────────────────────────────

async function ownAssistant(deps: ApiDeps, auth: AccessClaims, id: string): Promise<Assistant> {
  const a = await getAssistant(deps.ddb, deps.tableName, auth.accountId, id);
  if (!a) throw new NotFoundError('Assistente não encontrado.');
  return a;
}

const headerProblems = {
  missing: (tool: string, header: string) => `Informe o valor do cabeçalho ${header} do endpoint ${tool}.`,
  moved: (tool: string, header: string) =>
    `O endereço do endpoint ${tool} mudou: informe de novo o valor do cabeçalho ${header}.`,
  duplicate: (tool: string, header: string) => `Cabeçalho ${header} repetido no endpoint ${tool}.`,
};

/** The endpoints as stored: header values sent, or kept from `current` (write-only). */
function storedHttpTools(
  incoming: z.output<typeof schemas.assistantPatchSchema>['httpTools'],
  current: HttpTool[],
): HttpTool[] | undefined {
  if (!incoming) return undefined;
  const resolved = resolveToolHeaders(incoming, current);
  if (!resolved.ok)
    throw new ValidationError(
      headerProblems[resolved.reason](resolved.tool, resolved.header),
      undefined,
      resolved.reason === 'duplicate' ? 'DUPLICATE_HEADER' : 'HEADER_VALUE_REQUIRED',
    );
  return incoming.map((t, i) => ({ ...t, headers: resolved.headers[i]! }));
}

/** Each endpoint's URL through the outbound-URL guard: a clear 400 URL_NOT_ALLOWED, not a call later. */
async function checkHttpToolUrls(deps: ApiDeps, tools: { name: string; url: string }[] | undefined) {
  for (const t of tools ?? [])
    try {
      await checkOutboundUrl(t.url, deps.outbound);
    } catch (err) {
      if (err instanceof OutboundUrlError)
        throw new ValidationError(`Endpoint ${t.name}: ${err.message}`, undefined, err.code);
      throw err;
    }
}

async function checkKnowledgeBases(deps: ApiDeps, accountId: string, ids: string[] | undefined) {
  for (const id of ids ?? [])
    if (!(await getKnowledgeBase(deps, accountId, id)))
      throw new ValidationError('Base de conhecimento não encontrada.', undefined, 'UNKNOWN_KNOWLEDGE_BASE');
}

export async function createAssistant(
  deps: ApiDeps,
  auth: AccessClaims,
  body: z.output<typeof schemas.assistantBodySchema>,
): Promise<PublicAssistant> {
  await requireSettings(deps, auth);
  await checkKnowledgeBases(deps, auth.accountId, body.knowledgeBaseIds);
  await checkHttpToolUrls(deps, body.httpTools);
  const { workingHours, httpTools, ...rest } = body;
  const tools = storedHttpTools(httpTools, []);
  const created = await putAssistant(deps.ddb, deps.tableName, {
    ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
    name: body.name,
    ...(workingHours ? { workingHours } : {}),
    ...(tools ? { httpTools: tools } : {}),
    id: deps.newId(),
    accountId: auth.accountId,
    createdAt: deps.now(),
  });
  return toPublicAssistant(created);
}

export async function updateAssistant(
  deps: ApiDeps,
  auth: AccessClaims,
  id: string,
  body: z.output<typeof schemas.assistantPatchSchema>,
): Promise<PublicAssistant> {
  await requireSettings(deps, auth);
  const current = await ownAssistant(deps, auth, id);
  await checkKnowledgeBases(deps, auth.accountId, body.knowledgeBaseIds);
  await checkHttpToolUrls(deps, body.httpTools);
  const { workingHours, httpTools, ...rest } = body;
  const tools = storedHttpTools(httpTools, current.httpTools);
  const next = assistantSchema.parse({
    ...current,
    ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
    ...(tools ? { httpTools: tools } : {}),
    // `workingHours: null` clears them (24 h).
    ...(workingHours === null ? { workingHours: undefined } : workingHours ? { workingHours } : {}),
  });
  return toPublicAssistant(await putAssistant(deps.ddb, deps.tableName, next));
}

export async function deleteAssistant(deps: ApiDeps, auth: AccessClaims, id: string): Promise<void> {
  await requireSettings(deps, auth);
  await ownAssistant(deps, auth, id);
  await deleteAssistantItem(deps.ddb, deps.tableName, auth.accountId, id);
}

// ── the LLM connection and prices ───────────────────────────────────────────────────────

async function publicSettings(deps: ApiDeps, s: Awaited<ReturnType<typeof getAiSettings>>) {
  const llm = await llmConnection(s, deps.defaultLlm);
  return {
    ...(s.baseUrl ? { baseUrl: s.baseUrl } : {}),
    hasApiKey: Boolean(s.hasApiKey),
    ...(s.embeddingModel ? { embeddingModel: s.embeddingModel } : {}),
    prices: { ...defaultPrices, ...s.prices },
    mode: llm ? ('online' as const) : ('offline' as const),
    /** Whose endpoint answers: the account's own, or the deployment's default. */
    ...(llm ? { source: llm.source } : {}),
  };
}

export async function readAiSettings(deps: ApiDeps, auth: AccessClaims) {
  return publicSettings(deps, await getAiSettings(deps.ddb, deps.tableName, auth.accountId));
}

export async function writeAiSettings(
  deps: ApiDeps,
  auth: AccessClaims,
  body: z.output<typeof schemas.aiSettingsBodySchema>,
) {
  await requireSettings(deps, auth);
  // The LLM base URL is fetched by the server: through the outbound-URL guard (400 when refused).
  if (body.baseUrl) await checkOutboundUrl(body.baseUrl, deps.outbound);
  const current = await getAiSettings(deps.ddb, deps.tableName, auth.accountId);
  const next = { ...current, updatedAt: deps.now() };
  // An empty string clears a field; an absent one keeps it.
  for (const k of ['baseUrl', 'embeddingModel'] as const) {
    const v = body[k];
    if (v === '') delete next[k];
    else if (v !== undefined) next[k] = v;
  }
  // The key goes to the account's credentials secret (write-only); the item keeps a flag.
  if (body.apiKey !== undefined) {
    if (!deps.accountSecrets) throw new Error('account secrets are not configured');
    await saveLlmKey(deps.accountSecrets, auth.accountId, body.apiKey);
    if (body.apiKey) next.hasApiKey = true;
    else delete next.hasApiKey;
  }
  if (body.prices) next.prices = body.prices;
  return publicSettings(deps, await putAiSettings(deps.ddb, deps.tableName, next));
}

// ── knowledge bases ─────────────────────────────────────────────────────────────────────

const knowledgeDeps = (deps: ApiDeps): KnowledgeDeps => ({
  ...deps,
  embed: accountEmbedder({ ...deps, ...(deps.defaultLlm ? { defaultLlm: deps.defaultLlm } : {}) }),
});

async function ownKnowledgeBase(deps: ApiDeps, auth: AccessClaims, id: string) {
  const kb = await getKnowledgeBase(deps, auth.accountId, id);
  if (!kb) throw new NotFoundError('Base de conhecimento não encontrada.');
  return kb;
}

export async function listKnowledgeBases(deps: ApiDeps, auth: AccessClaims) {
  const items = await listKnowledgeBaseItems(deps, auth.accountId);
  return { items };
}

export async function createKnowledgeBase(deps: ApiDeps, auth: AccessClaims, body: { name: string }) {
  await requireSettings(deps, auth);
  const kb = knowledgeBaseSchema.parse({
    id: deps.newId(),
    accountId: auth.accountId,
    name: body.name,
    createdAt: deps.now(),
  });
  return putKnowledgeBase(deps, kb);
}

export async function renameKnowledgeBase(
  deps: ApiDeps,
  auth: AccessClaims,
  id: string,
  body: { name: string },
) {
  await requireSettings(deps, auth);
  const updated = await renameKnowledgeBaseItem(deps, auth.accountId, id, body.name);
  if (!updated) throw new NotFoundError('Base de conhecimento não encontrada.');
  return updated;
}

export async function deleteKnowledgeBase(deps: ApiDeps, auth: AccessClaims, id: string): Promise<void> {
  await requireSettings(deps, auth);
  await ownKnowledgeBase(deps, auth, id);
  const used = (await listAssistants(deps.ddb, deps.tableName, auth.accountId)).filter((a) =>
    a.knowledgeBaseIds.includes(id),
  );
  if (used.length)
    throw new ConflictError(
      `Base em uso pelos assistentes: ${used.map((a) => a.name).join(', ')}.`,
      'KNOWLEDGE_BASE_IN_USE',
    );
  for (const doc of await listDocuments(deps, auth.accountId, id)) await deleteDocument(deps, doc);
  await deleteKnowledgeBaseItem(deps, auth.accountId, id);
}

export async function listKnowledgeDocuments(deps: ApiDeps, auth: AccessClaims, id: string) {
  await ownKnowledgeBase(deps, auth, id);
  const items = await listDocuments(deps, auth.accountId, id);
  return { items: items.sort((a, b) => b.createdAt - a.createdAt) };
}

/** A document uploaded with POST /api/uploads (purpose knowledge) is queued for ingestion. */
export async function addKnowledgeDocument(
  deps: ApiDeps,
  auth: AccessClaims,
  id: string,
  body: { uploadId: string; filename: string; mimeType: string; size?: number },
) {
  await requireSettings(deps, auth);
  await ownKnowledgeBase(deps, auth, id);
  if (!deps.assistantQueueUrl) throw new InternalError(new Error('ASSISTANT_QUEUE_URL is not configured'));
  const mimeType = body.mimeType.toLowerCase().split(';')[0]!.trim();
  if (!(KNOWLEDGE_MIME_TYPES as readonly string[]).includes(mimeType))
    throw new ValidationError(
      'A base de conhecimento aceita arquivos .txt, .md e .pdf.',
      undefined,
      'UNSUPPORTED_FILE_TYPE',
    );
  const doc = await putDocument(deps, {
    id: deps.newId(),
    accountId: auth.accountId,
    knowledgeBaseId: id,
    filename: body.filename,
    mimeType,
    size: body.size ?? 0,
    key: uploadKey(auth.accountId, body.uploadId),
    status: 'queued',
    progress: 0,
    passages: 0,
    createdAt: deps.now(),
  });
  await enqueueAssistant(deps.sqs, deps.assistantQueueUrl, {
    kind: 'ingest',
    accountId: auth.accountId,
    knowledgeBaseId: id,
    documentId: doc.id,
  });
  return doc;
}

export async function deleteKnowledgeDocument(deps: ApiDeps, auth: AccessClaims, id: string, docId: string) {
  await requireSettings(deps, auth);
  await ownKnowledgeBase(deps, auth, id);
  const doc = await getDocument(deps, auth.accountId, id, docId);
  if (!doc) throw new NotFoundError('Documento não encontrado.');
  await removeDocument(knowledgeDeps(deps), doc);
}

export async function trySearch(deps: ApiDeps, auth: AccessClaims, id: string, q: string) {
  await ownKnowledgeBase(deps, auth, id);
  return { items: await searchKnowledge(knowledgeDeps(deps), auth.accountId, [id], q, 5) };
}

// ── the "Testar" panel (AI-7, CH-3) ──────────────────────────────────────────────────────

/** A test conversation with the assistant: no number, no WhatsApp, in no inbox view. */
export async function startTest(deps: ApiDeps, auth: AccessClaims, assistantId: string) {
  await requireSettings(deps, auth);
  return openAssistantChat(deps, auth, assistantId, 'test');
}

/**
 * A conversation with the assistant held by another system through the API (AI-7):
 * like Testar, no WhatsApp; listed as type API.
 */
export async function startApiConversation(
  deps: ApiDeps,
  auth: AccessClaims,
  assistantId: string,
  body: { contactName?: string; contactPhone?: string },
) {
  return openAssistantChat(deps, auth, assistantId, 'api', body);
}

async function openAssistantChat(
  deps: ApiDeps,
  auth: AccessClaims,
  assistantId: string,
  channel: 'test' | 'api',
  contact: { contactName?: string; contactPhone?: string } = {},
) {
  const assistant = await ownAssistant(deps, auth, assistantId);
  const now = deps.now();
  const conv = conversationSchema.parse({
    id: deps.newId(),
    accountId: auth.accountId,
    numberId: channel,
    contactId: `${channel}-${auth.userId}`,
    contactName:
      contact.contactName ?? (channel === 'test' ? `Teste: ${assistant.name}` : `API: ${assistant.name}`),
    contactPhone: contact.contactPhone?.replace(/\D/g, '') ?? '',
    numberName: channel === 'test' ? 'Testar' : 'API',
    numberColor: '#6B7280',
    status: 'open',
    attendanceId: deps.newId(),
    lastMessageAt: now,
    unread: 0,
    routingStage: 'assistant',
    assistantId,
    channel,
    openedAt: now,
    createdAt: now,
  });
  return { conversation: await putDetachedConversation(deps.ddb, deps.tableName, conv, now) };
}

/** The tester's message, then a job for fn assistant (its answer arrives like any other). */
export async function sendTestMessage(
  deps: ApiDeps,
  auth: AccessClaims,
  assistantId: string,
  conversationId: string,
  text: string,
  channel: 'test' | 'api' = 'test',
): Promise<Message> {
  if (channel === 'test') await requireSettings(deps, auth);
  const conv = await getConversationById(deps.ddb, deps.tableName, auth.accountId, conversationId);
  if (!conv || conv.channel !== channel || conv.assistantId !== assistantId)
    throw new NotFoundError('Conversa não encontrada.');
  if (!deps.assistantQueueUrl) throw new InternalError(new Error('ASSISTANT_QUEUE_URL is not configured'));
  const message = messageSchema.parse({
    id: deps.newId(),
    accountId: auth.accountId,
    conversationId,
    attendanceId: conv.attendanceId,
    direction: 'in',
    type: 'text',
    text,
    status: 'received',
    sender: { type: 'contact', name: conv.contactName },
    createdAt: deps.now(),
  });
  await putMessageOnce(deps.ddb, deps.tableName, message);
  await recordDetachedCustomerMessage(deps.ddb, deps.tableName, auth.accountId, conversationId, message);
  await enqueueAssistant(deps.sqs, deps.assistantQueueUrl, {
    kind: 'reply',
    accountId: auth.accountId,
    conversationId,
    ...(conv.attendanceId ? { attendanceId: conv.attendanceId } : {}),
    assistantId,
    messageId: message.id,
  });
  return message;
}

// ── assistant conversations (MET-1) ──────────────────────────────────────────────────────

export async function listAiConversations(
  deps: ApiDeps,
  auth: AccessClaims,
  query: z.output<typeof schemas.aiConversationsQuerySchema>,
) {
  const from = query.from ?? 0;
  const to = query.to ?? deps.now() + 86_400_000;
  if (from > to)
    throw new ValidationError('A data inicial deve ser anterior à final.', undefined, 'INVALID_RANGE');
  const items = await listAiConversationsBetween(deps.ddb, deps.tableName, auth.accountId, from, to, 5000);
  const names = new Map(
    (await listAssistants(deps.ddb, deps.tableName, auth.accountId)).map((a) => [a.id, a.name] as const),
  );
  const q = query.q?.toLowerCase().trim();
  const rows = items
    .filter((i) => !query.type || i.type === query.type)
    .filter((i) => !query.assistantId || i.assistantId === query.assistantId)
    .filter(
      (i) =>
        !q || i.contactName.toLowerCase().includes(q) || i.contactPhone.includes(q.replace(/\D/g, '') || q),
    )
    .map((i) => ({ ...i, assistantName: names.get(i.assistantId) ?? '' }));
  return { items: rows };
}

type AiConversationRow = Awaited<ReturnType<typeof listAiConversations>>['items'][number];
const text = (k: keyof AiConversationRow): CsvColumn<AiConversationRow> => ({
  header: k,
  value: (r) => r[k],
});
const num = (k: keyof AiConversationRow): CsvColumn<AiConversationRow> => ({ ...text(k), kind: 'number' });
const date = (k: keyof AiConversationRow): CsvColumn<AiConversationRow> => ({ ...text(k), kind: 'date' });
/** The export's columns; the cost is the model's, in US dollars (no conversion), so a number. */
const AI_CSV_COLUMNS: CsvColumn<AiConversationRow>[] = [
  text('conversationId'),
  text('attendanceId'),
  text('assistantId'),
  text('assistantName'),
  text('type'),
  text('contactName'),
  text('contactPhone'),
  date('startedAt'),
  date('lastAt'),
  num('replies'),
  num('toolCalls'),
  num('promptTokens'),
  num('completionTokens'),
  num('cachedTokens'),
  num('costUsd'),
  text('outcome'),
];

/**
 * The list as CSV through the one CSV writer (shared/domain/csv.ts): one row per attendance,
 * dates in ISO 8601 UTC, cells that would run as formulas neutralised; `semicolon` for
 * Excel in pt-BR (the default), `comma` for programs.
 */
export function aiConversationsCsv(rows: AiConversationRow[], separator: CsvSeparator = 'semicolon'): string {
  return toCsv(AI_CSV_COLUMNS, rows, separator);
}

/** Appointments the assistants booked, from a date on (soonest first). */
export async function listAccountAppointments(deps: ApiDeps, auth: AccessClaims, query: { from?: number }) {
  return {
    items: await listAppointments(deps.ddb, deps.tableName, auth.accountId, query.from ?? deps.now()),
  };
}
