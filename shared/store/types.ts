/**
 * The entities of the single table, as zod schemas (the source of truth) and the types
 * inferred from them. Repositories store these shapes plus their key attributes
 * (shared/store/keys.ts); the API returns them minus secrets (shared/api/routes/*.schemas.ts).
 * Times are epoch ms UTC; ids are ULIDs.
 */
import { z } from 'zod';
import { permissions } from '#shared/domain/inbox.ts';
import { variableTypes } from '#shared/domain/validators.ts';
import { priceTableSchema } from '#shared/domain/pricing.ts';
import { activeRoutingSchema, numberRoutingSchema, workingHoursSchema } from '#shared/domain/routing.ts';

export const DEFAULT_TIMEZONE = 'America/Sao_Paulo';
export const DEFAULT_INACTIVITY_HOURS = 24;

export const accountSchema = z.object({
  id: z.string(),
  name: z.string(),
  timezone: z.string().default(DEFAULT_TIMEZONE),
  /** Hours without messages after which an open attendance closes itself. */
  inactivityHours: z.number().int().positive().default(DEFAULT_INACTIVITY_HOURS),
  /**
   * "Setores isolados": users without "see all chats" see only chats of their departments
   * and with none (shared/domain/inbox.ts canSee). Off by default.
   */
  isolatedDepartments: z.boolean().default(false),
  /** Opening a chat tells the customer it was read (blue ticks); unset: on. */
  readReceipts: z.boolean().optional(),
  /**
   * "Modelo para mensagens fora da janela": the approved template (by name and language, on
   * each number's WABA) automations send when the 24 h window is closed (WIN-1). None: they
   * write in the chat why they could not send (shared/outbound/automatic-message.ts).
   */
  outsideWindowTemplate: z.object({ name: z.string(), language: z.string() }).optional(),
  createdAt: z.number().int().optional(),
});
export type Account = z.infer<typeof accountSchema>;

export const roles = ['admin', 'supervisor', 'agent'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

export const userSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  /** Stored lower-cased and trimmed; unique across the deployment (login by e-mail). */
  email: z.string(),
  role: roleSchema,
  /** `scrypt$N$r$p$salt$hash` (shared/auth/password.ts). Never returned by the API. */
  passwordHash: z.string(),
  departmentIds: z.array(z.string()).default([]),
  /** Named permissions (shared/domain/inbox.ts); absent: the role's defaults. */
  permissions: z.array(z.enum(permissions)).optional(),
  createdAt: z.number().int().optional(),
  /** Set while the user is deactivated: no login, refresh or access token works. */
  deactivatedAt: z.number().int().optional(),
  /**
   * Carried in access tokens and sessions (`tv`); bumped by a password change, deactivation
   * or a role/permission change, which kills every token issued before (shared/http/auth.ts).
   */
  tokenVersion: z.number().int().default(0),
  /** Set at creation, removed at first login or assignment: only such a user may be deleted. */
  pristine: z.boolean().optional(),
});
export type User = z.infer<typeof userSchema>;
/** What the API shows of a user. */
export const publicUserSchema = userSchema.omit({ passwordHash: true, tokenVersion: true, pristine: true });
export type PublicUser = z.infer<typeof publicUserSchema>;

/** A WhatsApp number (channel) of an account. */
export const whatsAppNumberSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  /** Meta's phone-number id (webhook `metadata.phone_number_id`, Graph API path). */
  phoneNumberId: z.string(),
  wabaId: z.string(),
  displayPhone: z.string(),
  /** Hex colour shown on the inbox rows of this number, e.g. `#25D366`. */
  color: z.string(),
  /**
   * Whether this number has its own Graph API token, Meta app secret and webhook verify
   * token (its app is not the deployment's; the callback URL then carries
   * `?pnid=<phone-number id>`). The values themselves live in the account's secrets in
   * Secrets Manager (shared/secrets/account-secrets.ts), never in the table.
   */
  hasAccessToken: z.boolean().optional(),
  hasAppSecret: z.boolean().optional(),
  hasVerifyToken: z.boolean().optional(),
  /** What a conversation the customer starts does (RT-1, RT-2). */
  routing: numberRoutingSchema.default({ kind: 'none' }),
  /** Replies to conversations the business started go to this department (RT-5). */
  activeRouting: activeRoutingSchema.optional(),
  /** Group a customer's quick messages for the assistant: seconds to wait, 0 = off (RT-6). */
  groupMessagesSeconds: z.number().int().min(0).max(60).default(0),
  /** Phone filter (NUM-3): when non-empty, only these canonical phones are served. */
  allowlist: z.array(z.string()).default([]),
  /** Meta refused the token (code 190): shown on the number until a new token is saved (NUM-4). */
  tokenError: z.object({ code: z.number(), message: z.string(), at: z.number() }).optional(),
  createdAt: z.number().int().optional(),
});
export type WhatsAppNumber = z.infer<typeof whatsAppNumberSchema>;
/** A number as written (defaults not applied yet). */
export type WhatsAppNumberInput = z.input<typeof whatsAppNumberSchema>;
export const publicNumberSchema = whatsAppNumberSchema;

export type PublicNumber = z.infer<typeof publicNumberSchema>;

export const departmentSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  createdAt: z.number().int().optional(),
});
export type Department = z.infer<typeof departmentSchema>;

export const assistantTools = [
  'transfer_to_human',
  'set_variable',
  'search_knowledge_base',
  'schedule_appointment',
  'http_request',
] as const;
export type AssistantTool = (typeof assistantTools)[number];

/** An endpoint the admin lets the assistant call (http_request): only this URL, this method. */
export const httpToolSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]{1,40}$/, 'Use letras minúsculas, números e _.'),
  description: z.string().min(1).max(500),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  url: z.string().regex(/^https?:\/\/[^\s]+$/, 'Informe uma URL http(s).'),
  headers: z.record(z.string(), z.string()).default({}),
  /** JSON Schema of the arguments the model must give (an object schema). */
  parameters: z.record(z.string(), z.unknown()).default({ type: 'object', properties: {} }),
  timeoutMs: z.number().int().min(500).max(15000).default(8000),
});
export type HttpTool = z.infer<typeof httpToolSchema>;
/** An endpoint as the API shows it: header names and whether each is set, never the values. */
export const publicHttpToolSchema = httpToolSchema.omit({ headers: true }).extend({
  headers: z.array(z.object({ name: z.string(), set: z.boolean() })),
});

/** A value the assistant collects and validates (AI-5). */
export const assistantVariableSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, 'Use letras minúsculas, números e _.'),
  type: z.enum(variableTypes),
  description: z.string().max(300).default(''),
});

/** An AI assistant (AI-1..3): prompt, model, tools, knowledge bases, working hours. */
export const assistantSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  enabled: z.boolean().default(true),
  /** None: 24 hours a day (RT-3). */
  workingHours: workingHoursSchema.optional(),
  systemPrompt: z.string().max(20000).default(''),
  model: z.string().min(1).max(120).default('gpt-4o-mini'),
  temperature: z.number().min(0).max(2).default(0.3),
  tools: z.array(z.enum(assistantTools)).default(['transfer_to_human', 'search_knowledge_base']),
  knowledgeBaseIds: z.array(z.string()).default([]),
  httpTools: z.array(httpToolSchema).default([]),
  variables: z.array(assistantVariableSchema).default([]),
  /** Sent when a triage menu option hands the chat to it; empty: the default (ASSISTANT_GREETING). */
  greeting: z.string().max(1000).optional(),
  /** Sent to the customer when it hands the chat to people; empty: the default (TRANSFER_NOTICE). */
  transferMessage: z.string().max(1000).optional(),
  createdAt: z.number().int().optional(),
});
export type Assistant = z.infer<typeof assistantSchema>;
/** An assistant as the API shows it (its endpoints' header values are write-only). */
export const publicAssistantSchema = assistantSchema.extend({ httpTools: z.array(publicHttpToolSchema) });
export type PublicAssistant = z.infer<typeof publicAssistantSchema>;
/** An assistant as written (defaults not applied yet). */
export type AssistantInput = z.input<typeof assistantSchema>;

export const contactSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  /** Canonical digits (Brazilian 9th digit normalised), e.g. `5511987654321`. */
  phone: z.string().optional(),
  /** WhatsApp id as Meta sends it (`wa_id`). */
  waId: z.string().optional(),
  /** Meta business-scoped user id, for contacts without a phone. */
  userId: z.string().optional(),
  createdAt: z.number().int(),
});
export type Contact = z.infer<typeof contactSchema>;

export const messageDirections = ['in', 'out', 'internal'] as const;
export const messageDirectionSchema = z.enum(messageDirections);
export type MessageDirection = z.infer<typeof messageDirectionSchema>;

export const messageTypes = [
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'button',
  'reaction',
  'order',
  'system',
  'unsupported',
  /** A message template (MSG-5) the business sent; its text is the template rendered. */
  'template',
] as const;
export const messageTypeSchema = z.enum(messageTypes);
export type MessageType = z.infer<typeof messageTypeSchema>;

export const conversationStatusSchema = z.enum(['open', 'closed']);
export type ConversationStatus = z.infer<typeof conversationStatusSchema>;

export const conversationSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  numberId: z.string(),
  contactId: z.string(),
  /** The name shown: the agent's edit (editedName) when there is one, else the WhatsApp profile name. */
  contactName: z.string(),
  /** The name the customer's WhatsApp profile last sent (kept beside an agent's edit). */
  profileName: z.string().optional(),
  /** The name an agent gave the contact: the profile name no longer overwrites it. */
  editedName: z.string().optional(),
  contactPhone: z.string(),
  numberName: z.string(),
  numberColor: z.string(),
  status: conversationStatusSchema,
  protocol: z.string().optional(),
  attendanceId: z.string().optional(),
  lastMessageAt: z.number().int(),
  lastCustomerMessageAt: z.number().int().optional(),
  /** When the 24 h customer-service window closes (lastCustomerMessageAt + 24 h). */
  windowExpiresAt: z.number().int().optional(),
  lastMessage: z
    .object({
      text: z.string(),
      type: messageTypeSchema,
      direction: messageDirectionSchema,
      at: z.number().int(),
      /** The user who sent it (an agent's message; not the bot's or the assistant's): "Você:" for them. */
      by: z.string().optional(),
    })
    .optional(),
  unread: z.number().int().nonnegative(),
  agentId: z.string().optional(),
  departmentId: z.string().optional(),
  /** Routing of the current attendance (shared/domain/routing.ts). */
  routingStage: z.enum(['new', 'menu', 'people', 'assistant']).optional(),
  assistantId: z.string().optional(),
  /** The last customer message routing has handled (a redelivery routes once). */
  routedMessageId: z.string().optional(),
  /** The last message from the customer (the assistant answers the newest one only). */
  lastCustomerMessageId: z.string().optional(),
  /** The newest customer message the assistant has answered (or handed over). */
  assistantAnsweredId: z.string().optional(),
  /** Who sent the attendance's first message (RT-5 active routing). */
  startedBy: z.enum(['customer', 'business']).optional(),
  closedAt: z.number().int().optional(),
  /** When the current (or last) attendance opened: the "opening" sorts (INB-4). */
  openedAt: z.number().int().optional(),
  /** The inbox bucket the view indexes hold it in (shared/domain/inbox.ts bucketOf). */
  inboxBucket: z.string().optional(),
  /** An agent answered after the customer's last message (or marked it so). */
  answered: z.boolean().optional(),
  /** An agent marked it unread (INB-6); reading it clears the mark. */
  markedUnread: z.boolean().optional(),
  /** Postponed until then (INB-9): out of the open lists, back by a timer. */
  postponedUntil: z.number().int().optional(),
  /** The attendance whose timers are armed (shared/engine/schedules.ts). */
  timersArmedFor: z.string().optional(),
  /** The campaign (click-to-WhatsApp ad or post) the customer came from (INB-4 filter). */
  campaign: z.object({ id: z.string(), name: z.string() }).optional(),
  /**
   * WhatsApp; a "Testar" conversation with an assistant; or one held through the API by
   * another system (AI-7). Test and API conversations are never sent to WhatsApp.
   */
  channel: z.enum(['whatsapp', 'test', 'api']).optional(),
  /** What the assistant collected (AI-5), validated. */
  variables: z.record(z.string(), z.string()).optional(),
  /** The assistant's tokens and cost in this conversation (AI-6). */
  aiPromptTokens: z.number().optional(),
  aiCompletionTokens: z.number().optional(),
  aiCachedTokens: z.number().optional(),
  aiCostUsd: z.number().optional(),
  /** The last answer whose usage is in the totals (counted once). */
  aiCountedFor: z.string().optional(),
  createdAt: z.number().int(),
});
export type Conversation = z.infer<typeof conversationSchema>;

export const messageStatuses = ['received', 'pending', 'sent', 'delivered', 'read', 'failed'] as const;
export const messageStatusSchema = z.enum(messageStatuses);
export type MessageStatus = z.infer<typeof messageStatusSchema>;

export const messageMediaSchema = z.object({
  /** S3 key in the media bucket (absent until stored). */
  key: z.string().optional(),
  /** A public https URL Meta fetches itself (outbound "by link"; nothing stored by us). */
  link: z.string().optional(),
  mimeType: z.string(),
  filename: z.string().optional(),
  caption: z.string().optional(),
  /** Audio recorded as a voice note. */
  voice: z.boolean().optional(),
  sha256: z.string().optional(),
  status: z.enum(['pending', 'stored', 'failed']),
  error: z.string().optional(),
});
export type MessageMedia = z.infer<typeof messageMediaSchema>;

export const messageErrorSchema = z.object({
  /** Meta's error code (e.g. 131047), or ours. */
  code: z.number().int(),
  title: z.string(),
  message: z.string(),
  details: z.string().optional(),
});
export type MessageError = z.infer<typeof messageErrorSchema>;

export const senderSchema = z.object({
  type: z.enum(['contact', 'agent', 'system', 'assistant']),
  id: z.string().optional(),
  name: z.string().optional(),
});
export type MessageSender = z.infer<typeof senderSchema>;

export const messageSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  conversationId: z.string(),
  attendanceId: z.string().optional(),
  direction: messageDirectionSchema,
  type: messageTypeSchema,
  text: z.string().optional(),
  media: messageMediaSchema.optional(),
  location: z
    .object({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().optional(),
      address: z.string().optional(),
    })
    .optional(),
  reaction: z.object({ emoji: z.string(), messageId: z.string() }).optional(),
  /** What was sent or received, as is. */
  interactive: z.unknown().optional(),
  /** A template message: which template, and the Cloud API `template` object sent. */
  template: z
    .object({
      id: z.string(),
      name: z.string(),
      language: z.string(),
      category: z.string().optional(),
      send: z.record(z.string(), z.unknown()),
    })
    .optional(),
  replyTo: z.object({ wamid: z.string(), messageId: z.string().optional() }).optional(),
  forwarded: z.boolean().optional(),
  wamid: z.string().optional(),
  status: messageStatusSchema,
  error: messageErrorSchema.optional(),
  /**
   * An outgoing message's send (shared/domain/send-state.ts): when the Graph call in doubt
   * began (present while `pending` with a call that may have been accepted), when one was
   * last begun, how many may have been accepted (2 = resent once), when the sweeper last
   * queued it again.
   */
  sendingAt: z.number().optional(),
  triedAt: z.number().optional(),
  sendAttempts: z.number().int().optional(),
  nudgedAt: z.number().optional(),
  sender: senderSchema,
  /** The ad or post a customer's message came from (Meta's referral). */
  referral: z
    .object({
      sourceId: z.string(),
      headline: z.string().optional(),
      sourceType: z.string().optional(),
      sourceUrl: z.string().optional(),
    })
    .optional(),
  /** What an assignment log line records (INB-2): rendered by the inbox in the user's language. */
  event: z
    .object({
      kind: z.enum(['agent', 'department', 'joined', 'closed', 'postponed']),
      by: z.string().optional(),
      agentId: z.string().optional(),
      departmentId: z.string().optional(),
      until: z.number().int().optional(),
    })
    .optional(),
  /** An assistant's reply: what the model used and what it cost (AI-6). */
  usage: z
    .object({
      model: z.string(),
      promptTokens: z.number(),
      completionTokens: z.number(),
      cachedTokens: z.number(),
      costUsd: z.number().optional(),
      /** Offline mode: answered from the knowledge base, no model. */
      offline: z.boolean().optional(),
    })
    .optional(),
  /** A tool the assistant called, with its arguments and result (internal; AI-3). */
  tool: z
    .object({
      name: z.string(),
      arguments: z.string(),
      result: z.string(),
      error: z.boolean().optional(),
    })
    .optional(),
  /** Client-side id of an agent's send (lets the UI match its optimistic bubble). */
  clientId: z.string().optional(),
  createdAt: z.number().int(),
  /** Unparsed payloads (unsupported types); not sent to the inbox by default. */
  raw: z.string().optional(),
});
export type Message = z.infer<typeof messageSchema>;

/** A refresh-token session. The token itself is never stored, only its SHA-256. */
export const sessionSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  userId: z.string(),
  tokenHash: z.string(),
  createdAt: z.number().int(),
  /** Idle expiry: each rotation moves it, never past absoluteExpiresAt. */
  expiresAt: z.number().int(),
  /** The login this session descends from (rotations keep it): reuse revokes the family. */
  familyId: z.string().optional(),
  /** Login + 30 days; rotations inherit it (absent on sessions older than the rule). */
  absoluteExpiresAt: z.number().int().optional(),
  /** The user's tokenVersion at login; a bumped version refuses the refresh. */
  tokenVersion: z.number().int().optional(),
  /** Set when the session was rotated (refresh) or revoked (logout). */
  revokedAt: z.number().int().optional(),
  /** The session a rotation replaced this one by (absent when revoked otherwise). */
  replacedBy: z.string().optional(),
});
export type Session = z.infer<typeof sessionSchema>;

/** The user as the push filter sees them, stored with each of their connections. */
export const connectionViewerSchema = z.object({
  role: roleSchema,
  departmentIds: z.array(z.string()),
  permissions: z.array(z.enum(permissions)).optional(),
});
export type ConnectionViewer = z.infer<typeof connectionViewerSchema>;

/** A WebSocket connection of an agent (push fan-out). */
export const connectionSchema = z.object({
  connectionId: z.string(),
  accountId: z.string(),
  userId: z.string(),
  connectedAt: z.number().int(),
  /** DynamoDB TTL, epoch seconds. */
  ttl: z.number().int(),
  /**
   * What the inbox visibility rule (shared/domain/inbox.ts canSee) needs of the user, copied
   * at $connect and refreshed when the user changes. Absent on items written before the push
   * filter existed: such a connection receives nothing and is closed (the client reconnects).
   */
  viewer: connectionViewerSchema.optional(),
});
export type Connection = z.infer<typeof connectionSchema>;

/**
 * The account's LLM connection (AI-2): an OpenAI-compatible base URL, whether a key is set
 * (the key itself is in the account's `credentials` secret, shared/secrets/account-secrets.ts,
 * never in the table nor in an API answer), an optional embeddings model, and the price
 * table (AI-6).
 */
export const aiSettingsSchema = z.object({
  accountId: z.string(),
  baseUrl: z.string().optional(),
  hasApiKey: z.boolean().optional(),
  embeddingModel: z.string().optional(),
  prices: priceTableSchema.optional(),
  updatedAt: z.number().int().optional(),
});
export type AiSettings = z.infer<typeof aiSettingsSchema>;

/** An appointment an assistant booked for a customer (schedule_appointment). */
export const appointmentSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  conversationId: z.string(),
  contactName: z.string(),
  contactPhone: z.string(),
  startsAt: z.number().int(),
  durationMinutes: z.number().int(),
  title: z.string(),
  notes: z.string().optional(),
  createdBy: z.string(),
  createdAt: z.number().int(),
});
export type Appointment = z.infer<typeof appointmentSchema>;

export const knowledgeBaseSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  documents: z.number().int().default(0),
  passages: z.number().int().default(0),
  /** Moves with every rebuild of the index (searchers reload it). */
  indexVersion: z.number().int().optional(),
  createdAt: z.number().int(),
  updatedAt: z.number().int().optional(),
});
export type KnowledgeBase = z.infer<typeof knowledgeBaseSchema>;

export const kbDocumentSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  knowledgeBaseId: z.string(),
  filename: z.string(),
  mimeType: z.string(),
  size: z.number().int().default(0),
  /** The uploaded file in the media bucket. */
  key: z.string(),
  status: z.enum(['queued', 'processing', 'ready', 'failed']),
  progress: z.number().int().min(0).max(100).default(0),
  passages: z.number().int().default(0),
  error: z.string().optional(),
  createdAt: z.number().int(),
  updatedAt: z.number().int().optional(),
});
export type KbDocument = z.infer<typeof kbDocumentSchema>;

/** One attendance an assistant answered (MET-1), for the assistant conversations list. */
export const aiConversationSchema = z.object({
  accountId: z.string(),
  conversationId: z.string(),
  attendanceId: z.string(),
  assistantId: z.string(),
  type: z.enum(['whatsapp', 'test', 'api']),
  contactName: z.string(),
  contactPhone: z.string(),
  startedAt: z.number().int(),
  lastAt: z.number().int(),
  replies: z.number().int().default(0),
  toolCalls: z.number().int().default(0),
  promptTokens: z.number().default(0),
  completionTokens: z.number().default(0),
  cachedTokens: z.number().default(0),
  costUsd: z.number().default(0),
  outcome: z.enum(['answering', 'handed-over', 'closed']).default('answering'),
});
export type AiConversation = z.infer<typeof aiConversationSchema>;
