/**
 * The API's shapes as the web app sees them: inferred from the server's own zod schemas
 * (shared/api/routes/<file>.schemas.ts, the same ones that validate requests, strip responses and
 * generate /api/openapi.json), never hand copies. Type-only imports: nothing of the
 * server is bundled (`npm run build:web` is the same size with or without this file).
 */
import type { z } from 'zod';
import type {
  apiConversationSchema,
  assignBodySchema,
  campaignListSchema,
  conversationListQuerySchema,
  conversationListSchema,
  postponeResponseSchema,
  viewCountsSchema,
} from '../../shared/api/routes/conversations.schemas.ts';
import type {
  apiMessageSchema,
  messageListSchema,
  messageSearchSchema,
  sendMessageBodySchema,
  uploadBodySchema,
  uploadResponseSchema,
} from '../../shared/api/routes/messages.schemas.ts';
import type {
  meResponseSchema,
  sessionUserSchema,
  tokenResponseSchema,
} from '../../shared/api/routes/auth.schemas.ts';
import type {
  apiUserSchema,
  createUserBodySchema,
  pushKeySchema,
  pushSubscriptionBodySchema,
  resetLinkSchema,
  updateUserBodySchema,
} from '../../shared/api/routes/team.schemas.ts';
import type { deadLetterListSchema, deadLetterSchema } from '../../shared/api/routes/dead-letters.schemas.ts';
import type {
  apiTemplateSchema,
  createTemplateBodySchema,
  sendTemplateBodySchema,
  startConversationBodySchema,
  startConversationSchema,
  syncTemplatesSchema,
} from '../../shared/api/routes/templates.schemas.ts';
import type {
  addKbDocumentBodySchema,
  aiConversationListSchema,
  aiConversationsQuerySchema,
  aiSettingsBodySchema,
  aiSettingsSchema,
  apiAssistantSchema,
  apiKbDocumentSchema,
  apiKnowledgeBaseSchema,
  assistantPatchSchema,
  httpToolRequestSchema,
  knowledgeSearchSchema,
  testStartSchema,
} from '../../shared/api/routes/ai.schemas.ts';
import type {
  apiDepartmentSchema,
  apiNumberSchema,
  createNumberBodySchema,
  settingsSchema,
  updateNumberBodySchema,
  updateSettingsBodySchema,
} from '../../shared/api/routes/integrations.schemas.ts';

// ── responses ─────────────────────────────────────────────────────────────────────────
export type Conversation = z.infer<typeof apiConversationSchema>;
export type ConversationCounts = z.infer<typeof viewCountsSchema>;
type WireMessage = z.infer<typeof apiMessageSchema>;
type WireLogEvent = NonNullable<WireMessage['event']>;
/**
 * An assignment-log line (a system message with direction 'internal'): the schema's
 * `event`, narrowed by kind to the fields the engine writes for each.
 */
export type AssignmentLogEvent =
  | { kind: 'agent'; by: string; agentId: string }
  | { kind: 'department'; by: string; departmentId: string }
  | { kind: 'joined'; agentId: string }
  | { kind: 'closed'; by?: string }
  | { kind: 'postponed'; by: string; until: number };
// The narrowing stays true to the schema: every variant is one of its values.
type Narrows<T extends WireLogEvent> = T;
export type Message = Omit<WireMessage, 'event'> & { event?: Narrows<AssignmentLogEvent> };
export type MessageStatus = Message['status'];
export type MessageType = Message['type'];
export type User = z.infer<typeof apiUserSchema>;
export type Role = User['role'];
export type Permission = z.infer<typeof meResponseSchema>['permissions'][number];
export type SessionUser = z.infer<typeof sessionUserSchema>;
export type Me = z.infer<typeof meResponseSchema>;
export type WhatsAppNumber = z.infer<typeof apiNumberSchema>;
export type NumberRouting = WhatsAppNumber['routing'];
export type TriageMenu = Extract<NumberRouting, { kind: 'menu' }>['menu'];
export type TriageOption = TriageMenu['options'][number];
export type RouteTarget = TriageOption['target'];
export type Department = z.infer<typeof apiDepartmentSchema>;
export type Assistant = z.infer<typeof apiAssistantSchema>;
export type AssistantTool = Assistant['tools'][number];
export type AssistantVariable = Assistant['variables'][number];
export type VariableType = AssistantVariable['type'];
export type HttpTool = Assistant['httpTools'][number];
export type HttpMethod = HttpTool['method'];
export type WorkingHours = NonNullable<Assistant['workingHours']>;
export type Weekday = keyof WorkingHours['days'];
export type TimeRange = NonNullable<WorkingHours['days'][Weekday]>[number];
export type AiSettings = z.infer<typeof aiSettingsSchema>;
export type ModelPrice = AiSettings['prices'][string];
export type KnowledgeBase = z.infer<typeof apiKnowledgeBaseSchema>;
export type KnowledgeDocument = z.infer<typeof apiKbDocumentSchema>;
export type KnowledgeHit = z.infer<typeof knowledgeSearchSchema>['items'][number];
export type AiConversationRow = z.infer<typeof aiConversationListSchema>['items'][number];
export type Settings = z.infer<typeof settingsSchema>;
/** A record a function gave up on (the dead-letters page, admins). */
export type DeadLetter = z.infer<typeof deadLetterSchema>;
export type Upload = z.infer<typeof uploadResponseSchema>;
/** What login and refresh answer (the session kept in localStorage is these tokens and the user). */
export type Tokens = z.infer<typeof tokenResponseSchema>;
export type PasswordResetLink = z.infer<typeof resetLinkSchema>;
export type PushKey = z.infer<typeof pushKeySchema>;
export type ConversationPage = z.infer<typeof conversationListSchema>;
/** A page of messages, oldest first (each message with its log event narrowed, as Message). */
export type MessagePage = Omit<z.infer<typeof messageListSchema>, 'items'> & { items: Message[] };
export type Campaign = z.infer<typeof campaignListSchema>['items'][number];
export type PostponeResult = z.infer<typeof postponeResponseSchema>;
export type MessageSearchHit = z.infer<typeof messageSearchSchema>['items'][number];
export type TestConversation = z.infer<typeof testStartSchema>;
export type DeadLetterList = z.infer<typeof deadLetterListSchema>;
/** A message template (MSG-5) with the parameters a send needs and its plain-text preview. */
export type Template = z.infer<typeof apiTemplateSchema>;
export type TemplateParameter = Template['parameters'][number];
export type TemplateSync = z.infer<typeof syncTemplatesSchema>;
export type StartedConversation = z.infer<typeof startConversationSchema>;
/** The list responses that are `{ items }` of one of the shapes above. */
export interface Items<T> {
  items: T[];
}

// ── requests (what the forms send: the schemas' input side) ───────────────────────────
/** An endpoint as saved: a header without `value` keeps its stored value; one left out is removed. */
export type HttpToolInput = z.infer<typeof httpToolRequestSchema>;
/** What the assistant form sends: `workingHours: null` (on PATCH) means 24 hours. */
export type AssistantBody = Required<z.infer<typeof assistantPatchSchema>>;
export type CreateUserBody = z.input<typeof createUserBodySchema>;
export type UpdateUserBody = z.input<typeof updateUserBodySchema>;
export type AiSettingsBody = Partial<z.input<typeof aiSettingsBodySchema>>;
export type AssignBody = z.input<typeof assignBodySchema>;
export type SendMessageBody = z.input<typeof sendMessageBodySchema>;
/** An uploaded file sent as a message's attachment (the upload-id form of the send body's). */
export type Attachment = Extract<NonNullable<SendMessageBody['attachment']>, { uploadId: string }>;
export type UploadBody = z.input<typeof uploadBodySchema>;
export type PushSubscriptionBody = z.input<typeof pushSubscriptionBodySchema>;
export type CreateNumberBody = z.input<typeof createNumberBodySchema>;
export type UpdateNumberBody = z.input<typeof updateNumberBodySchema>;
export type UpdateSettingsBody = z.input<typeof updateSettingsBodySchema>;
export type AddKnowledgeDocumentBody = z.input<typeof addKbDocumentBodySchema>;
export type CreateTemplateBody = z.input<typeof createTemplateBodySchema>;
export type SendTemplateBody = z.input<typeof sendTemplateBodySchema>;
/** Values of one template send: header/body parameters, header media, button parameters. */
export type TemplateValues = NonNullable<SendTemplateBody['values']>;
export type StartConversationBody = z.input<typeof startConversationBodySchema>;
export type ConversationView = z.infer<typeof conversationListQuerySchema>['view'];
export type ConversationSort = z.infer<typeof conversationListQuerySchema>['sort'];

/** What the list asks the server for (GET /api/conversations), before it becomes a query string. */
export type ConversationQuery = Pick<
  z.infer<typeof conversationListQuerySchema>,
  'view' | 'sort' | 'departmentId' | 'agentId' | 'numberId' | 'campaignId' | 'tag' | 'q'
> & { unread?: boolean };
export type AiConversationQuery = Omit<z.infer<typeof aiConversationsQuerySchema>, 'format' | 'sep'>;

/**
 * A form's list of options that names every member of the schema's union `U` (a missing
 * one is a compile error, so the list cannot fall behind the server's enum):
 * `allOf<ConversationView>()(['all', 'open', 'mine', 'service'])`.
 */
export const allOf =
  <U>() =>
  <const L extends readonly U[]>(
    list: L & ([U] extends [L[number]] ? unknown : { missing: Exclude<U, L[number]> }),
  ): L =>
    list;
