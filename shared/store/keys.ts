/**
 * Every key of the single table, in one place. Every partition key starts with the
 * account (`ACC#<id>`), so no query can cross tenants — except the global lookups
 * used before the tenant is known (phone-number id → number, e-mail → user, WebSocket
 * connection id → connection, WABA id → numbers and a WABA's template id → the template
 * items, for the webhook's template events), which live on gsi1/gsi3 or their own
 * partition and return only ids (the template items name their account), the login throttling counters (`RATE#…`, counts only), the smoke check's
 * markers (`SMOKE#…`) and the outbox sweeper's sparse gsi3 entries (`OUTBOX#<shard>`, keys
 * only: shared/store/outbox.ts). docs/data-model.md lists each access pattern and the key
 * that serves it.
 */

const pad = (n: number, width = 15) => String(Math.max(0, Math.floor(n))).padStart(width, '0');

/**
 * The table's secondary indexes by what they serve (infra/topology.ts declares them; each
 * has `<name>pk` / `<name>sk` attributes). Queries name an index only through this.
 */
export const indexes = {
  /** gsi1: global and per-account lookups (number by phone-number id, user by e-mail, protocol, a user's sessions). */
  lookup: 'gsi1',
  /** gsi2: the inbox views by last message, one partition per bucket (projects the item). */
  inboxByLastMessage: 'gsi2',
  /** gsi3 (keys only): the inbox views by attendance opening, and the outbox sweeper's shards. */
  inboxByOpening: 'gsi3',
  outbox: 'gsi3',
  /** gsi3 too: the numbers of a WABA id (keys.numberByWaba). */
  numbersByWaba: 'gsi3',
} as const;
export type IndexName = (typeof indexes)[keyof typeof indexes];

/** Sort-key prefixes that queries select by (begins_with) or parse; keys below build the rest. */
export const prefixes = {
  message: 'MSG#',
  conversation: 'CONV#',
  knowledgeBase: 'KB#',
  kbDocument: 'DOC#',
  user: 'USER#',
  department: 'DEPT#',
  assistant: 'ASSISTANT#',
  campaign: 'CAMPAIGN#',
  number: 'NUMBER#',
  quickReply: 'QR#',
} as const;

/** The conversation id of a conversation item's sort key (`CONV#<id>`). */
export const conversationIdOfSk = (sk: string) => sk.slice(prefixes.conversation.length);

export const acc = (accountId: string) => `ACC#${accountId}`;
const searchShard = (term: string) => term.slice(0, term.startsWith('p:') || term.startsWith('s:') ? 6 : 4);

/**
 * Write sharding of the view-index partitions (docs/capacity.md): every message moves its
 * conversation's gsi2 entry (a delete and a put, 2 write units) in its bucket's partition,
 * and one partition takes 1,000 write units a second. A bucket many conversations share —
 * the open queue, a department, the bots, the postponed — is split into INBOX_SHARDS
 * partitions by the conversation id (a conversation's entry always moves within one); an
 * agent's own bucket and the closed one (no message lands there) stay one partition. Shard
 * 0 keeps the unsuffixed name, so entries written before sharding are read where they are.
 * Reads query every shard of a bucket and merge them (shared/store/inbox-views.ts).
 */
export const INBOX_SHARDS = 4;
export const inboxShardCount = (bucket: string): number =>
  bucket === 'OPEN' || bucket === 'BOT' || bucket === 'LATER' || bucket.startsWith('DEPT#')
    ? INBOX_SHARDS
    : 1;
/** The shard of a conversation in a bucket: from its id's last character (random in a ULID). */
export const inboxShardOf = (bucket: string, conversationId: string): number => {
  const n = inboxShardCount(bucket);
  return n === 1 || !conversationId ? 0 : conversationId.charCodeAt(conversationId.length - 1) % n;
};
const shardSuffix = (shard: number) => (shard ? `#S${shard}` : '');
const inboxPartition = (accountId: string, bucket: string, shard = 0) =>
  `${acc(accountId)}#INBOX#${bucket}${shardSuffix(shard)}`;
const openedPartition = (accountId: string, bucket: string, shard = 0) =>
  `${acc(accountId)}#OPENED#${bucket}${shardSuffix(shard)}`;

export const keys = {
  account: (accountId: string) => ({ pk: acc(accountId), sk: 'ACCOUNT' }),
  /** Atomic per-account counter (protocol numbers). Hot key: ≈1,000 writes/s per account. */
  counter: (accountId: string, name: string) => ({ pk: acc(accountId), sk: `COUNTER#${name}` }),

  user: (accountId: string, userId: string) => ({ pk: acc(accountId), sk: `${prefixes.user}${userId}` }),
  /** Global claim item that makes an e-mail unique (no account prefix: checked before login). */
  emailClaim: (normalizedEmail: string) => ({ pk: `EMAIL#${normalizedEmail}`, sk: 'CLAIM' }),
  /** gsi1: user by e-mail (login, before the account is known). */
  userByEmail: (email: string) => ({ gsi1pk: `EMAIL#${email.trim().toLowerCase()}`, gsi1sk: 'USER' }),
  session: (accountId: string, sessionId: string) => ({ pk: acc(accountId), sk: `SESSION#${sessionId}` }),
  /** gsi1: a user's refresh sessions (revoke them all: password change, deactivation…). */
  sessionOfUser: (accountId: string, userId: string, sessionId: string) => ({
    gsi1pk: `${acc(accountId)}#SESSIONS#${userId}`,
    gsi1sk: `SESSION#${sessionId}`,
  }),
  /** A one-time password-reset link an admin generated (hash of the token only; TTL). */
  passwordReset: (accountId: string, resetId: string) => ({ pk: acc(accountId), sk: `PWRESET#${resetId}` }),
  /**
   * Login throttling counter (shared/store/rate-limits.ts): global, the tenant is not known
   * before login; `subject` is a hash of the e-mail or the source IP, one item per window.
   */
  rateLimit: (scope: string, subject: string, windowStart: number) => ({
    pk: `RATE#${scope}#${subject}`,
    sk: `W#${windowStart}`,
  }),
  /**
   * The post-deploy smoke check's marker (shared/store/smoke.ts): written by fn timers when
   * the check's schedule fires. Global (the check belongs to the deployment, not a tenant); TTL.
   */
  smokeMarker: (smokeId: string) => ({ pk: `SMOKE#${smokeId}`, sk: 'SMOKE' }),

  department: (accountId: string, departmentId: string) => ({
    pk: acc(accountId),
    sk: `${prefixes.department}${departmentId}`,
  }),

  assistant: (accountId: string, assistantId: string) => ({
    pk: acc(accountId),
    sk: `${prefixes.assistant}${assistantId}`,
  }),

  /** The account's LLM connection and price table (the key is never returned). */
  aiSettings: (accountId: string) => ({ pk: acc(accountId), sk: 'AI' }),
  /** A campaign (click-to-WhatsApp ad or post) customers came from. */
  campaign: (accountId: string, sourceId: string) => ({
    pk: acc(accountId),
    sk: `${prefixes.campaign}${sourceId}`,
  }),
  /** Knowledge bases of an account (AI-4) and their documents. */
  knowledgeBase: (accountId: string, kbId: string) => ({
    pk: acc(accountId),
    sk: `${prefixes.knowledgeBase}${kbId}`,
  }),
  kbDocument: (accountId: string, kbId: string, docId: string) => ({
    pk: `${acc(accountId)}#KB#${kbId}`,
    sk: `${prefixes.kbDocument}${docId}`,
  }),
  kbDocumentsPartition: (accountId: string, kbId: string) => `${acc(accountId)}#KB#${kbId}`,
  /** Assistant conversations log (MET-1): one item per attendance an assistant answered, by start. */
  aiConversation: (accountId: string, startedAt: number, conversationId: string, attendanceId: string) => ({
    pk: `${acc(accountId)}#AICONV`,
    sk: `${pad(startedAt)}#${conversationId}#${attendanceId}`,
  }),
  aiConversationsPartition: (accountId: string) => `${acc(accountId)}#AICONV`,
  /** Appointments booked by assistants, by start time. */
  appointment: (accountId: string, startsAt: number, appointmentId: string) => ({
    pk: `${acc(accountId)}#APPT`,
    sk: `${pad(startsAt)}#${appointmentId}`,
  }),
  appointmentsPartition: (accountId: string) => `${acc(accountId)}#APPT`,
  /** Quick replies (MSG-7): one partition per account, read whole (a team has tens to hundreds). */
  quickReply: (accountId: string, quickReplyId: string) => ({
    pk: `${acc(accountId)}#QR`,
    sk: `${prefixes.quickReply}${quickReplyId}`,
  }),
  quickRepliesPartition: (accountId: string) => `${acc(accountId)}#QR`,

  number: (accountId: string, numberId: string) => ({
    pk: acc(accountId),
    sk: `${prefixes.number}${numberId}`,
  }),
  /** Global claim item that makes a phone-number id belong to one number of one account. */
  phoneNumberIdClaim: (phoneNumberId: string) => ({ pk: `PNID#${phoneNumberId}`, sk: 'CLAIM' }),
  /** gsi1: number (and so the account) by Meta's phone-number id (webhook → tenant). */
  numberByPhoneNumberId: (phoneNumberId: string) => ({ gsi1pk: `PNID#${phoneNumberId}`, gsi1sk: 'NUMBER' }),
  /**
   * gsi3 (keys only, global): the numbers registered with a WABA id, for the webhook's
   * WABA-level entries (template events): which numbers' own app secrets may vouch for them.
   */
  numberByWaba: (wabaId: string, accountId: string, numberId: string) => ({
    gsi3pk: `WABA#${wabaId}`,
    gsi3sk: `NUMBER#${accountId}#${numberId}`,
  }),

  /** A message template (MSG-5) of a WABA, as synced from Meta: by WABA and Meta's template id. */
  template: (accountId: string, wabaId: string, templateId: string) => ({
    pk: `${acc(accountId)}#TPL`,
    sk: `TPL#${wabaId}#${templateId}`,
  }),
  templatesPartition: (accountId: string) => `${acc(accountId)}#TPL`,
  /** gsi1: the template items of a WABA's template id, one per account that synced it (webhook → templates). */
  templateByWaba: (wabaId: string, templateId: string, accountId: string) => ({
    gsi1pk: `WABA#${wabaId}#TPL#${templateId}`,
    gsi1sk: `ACC#${accountId}`,
  }),

  contact: (accountId: string, contactId: string) => ({ pk: acc(accountId), sk: `CONTACT#${contactId}` }),
  /** Lookup item: canonical phone (Brazilian 9th digit normalised) → contact id. */
  contactByPhone: (accountId: string, canonicalPhone: string) => ({
    pk: acc(accountId),
    sk: `PHONE#${canonicalPhone}`,
  }),
  /** Lookup item: Meta business-scoped user id → contact id (contacts without a phone). */
  contactByUserId: (accountId: string, userId: string) => ({ pk: acc(accountId), sk: `BSUID#${userId}` }),

  conversation: (accountId: string, conversationId: string) => ({
    pk: acc(accountId),
    sk: `${prefixes.conversation}${conversationId}`,
  }),
  /** Lookup item: the conversation of a contact on a number (one thread per pair). */
  conversationByContact: (accountId: string, numberId: string, contactId: string) => ({
    pk: acc(accountId),
    sk: `THREAD#${numberId}#${contactId}`,
  }),
  /** gsi1: conversation by protocol number. */
  conversationByProtocol: (accountId: string, protocol: string) => ({
    gsi1pk: `${acc(accountId)}#PROTO#${protocol}`,
    gsi1sk: 'CONV',
  }),
  /**
   * gsi2: the inbox by last message, one partition per view bucket (shared/domain/inbox.ts):
   * a view reads the union of its buckets. Moves with every message (the one index write).
   */
  inboxByLastMessage: (accountId: string, bucket: string, lastMessageAt: number, conversationId: string) => ({
    gsi2pk: inboxPartition(accountId, bucket, inboxShardOf(bucket, conversationId)),
    gsi2sk: `${pad(lastMessageAt)}#${conversationId}`,
  }),
  /** The two view-index partitions a conversation moving into `bucket` is written to. */
  inboxPartitions: (accountId: string, bucket: string, conversationId: string) => {
    const shard = inboxShardOf(bucket, conversationId);
    return {
      gsi2pk: inboxPartition(accountId, bucket, shard),
      gsi3pk: openedPartition(accountId, bucket, shard),
    };
  },
  /** Every shard's pair of view-index partitions of a bucket (where a view reads). */
  inboxShardPartitions: (accountId: string, bucket: string) =>
    Array.from({ length: inboxShardCount(bucket) }, (_, shard) => ({
      gsi2pk: inboxPartition(accountId, bucket, shard),
      gsi3pk: openedPartition(accountId, bucket, shard),
    })),
  /** gsi3 (keys only): the inbox by attendance opening, per bucket; written only when either changes. */
  inboxByOpening: (accountId: string, bucket: string, openedAt: number, conversationId: string) => ({
    gsi3pk: openedPartition(accountId, bucket, inboxShardOf(bucket, conversationId)),
    gsi3sk: `${pad(openedAt)}#${conversationId}`,
  }),
  /**
   * Search terms (contact name words `n:…`, phone digits `p:…`, phone digits reversed `s:…`
   * for the endings) → conversation, for prefix search (INB-5), partitioned by the term's
   * first letters (two of a word, four digits of a phone): a search names at least that
   * much, and no account's terms share one partition.
   */
  searchPartition: (accountId: string, term: string) => `${acc(accountId)}#SEARCH#${searchShard(term)}`,
  searchTerm: (accountId: string, term: string, conversationId: string) => ({
    pk: `${acc(accountId)}#SEARCH#${searchShard(term)}`,
    sk: `${term}#${conversationId}`,
  }),

  attendance: (accountId: string, conversationId: string, attendanceId: string) => ({
    pk: acc(accountId),
    sk: `CONV#${conversationId}#ATT#${attendanceId}`,
  }),

  /** Messages of a conversation, in order: sk sorts by the message's ULID. */
  messagePartition: (accountId: string, conversationId: string) => `${acc(accountId)}#CONV#${conversationId}`,
  message: (accountId: string, conversationId: string, messageId: string) => ({
    pk: `${acc(accountId)}#CONV#${conversationId}`,
    sk: `${prefixes.message}${messageId}`,
  }),
  /** Dedup/claim item per WhatsApp message id: conversation and message it belongs to, and its status. */
  wamid: (accountId: string, wamid: string) => ({ pk: acc(accountId), sk: `WAMID#${wamid}` }),

  /** Messages the phone filter turned away (NUM-3), newest last; TTL 30 days. */
  ignored: (accountId: string, numberId: string, wamid: string) => ({
    pk: `${acc(accountId)}#IGNORED#${numberId}`,
    sk: `W#${wamid}`,
  }),
  /** Counters of a number (NUM-2): sent, received, conversations, contacts, ignored. */
  numberStats: (accountId: string, numberId: string) => ({ pk: acc(accountId), sk: `NSTATS#${numberId}` }),

  /** WebSocket connections of an account (push fan-out). */
  connection: (accountId: string, connectionId: string) => ({
    pk: `${acc(accountId)}#CONNS`,
    sk: `CONN#${connectionId}`,
  }),
  connectionsPartition: (accountId: string) => `${acc(accountId)}#CONNS`,
  /** Global lookup for $disconnect, which only knows the connection id. */
  connectionById: (connectionId: string) => ({ pk: `WSCONN#${connectionId}`, sk: 'WSCONN' }),

  /** A browser's web push subscription (INB-8): one per user and endpoint (hashed). */
  pushSubscription: (accountId: string, userId: string, endpointHash: string) => ({
    pk: `${acc(accountId)}#PUSH`,
    sk: `SUB#${userId}#${endpointHash}`,
  }),
  /** The once-per-contact mark: this user was told about this chat (TTL 7 days). */
  pushSent: (accountId: string, conversationId: string, userId: string) => ({
    pk: `${acc(accountId)}#PUSH`,
    sk: `SENT#${conversationId}#${userId}`,
  }),

  /**
   * gsi3 (keys only, global): the outbox sweeper's entry of an unsettled outgoing message, in
   * one of the outbox shards (shared/store/outbox.ts).
   */
  outboxEntry: (shard: number, createdAt: number, messageId: string) => ({
    gsi3pk: `OUTBOX#${shard}`,
    gsi3sk: `${pad(createdAt)}#${messageId}`,
  }),
  outboxPartition: (shard: number) => `OUTBOX#${shard}`,

  /** Pending one-time schedules of a conversation (so a close can delete them). */
  schedule: (accountId: string, conversationId: string, name: string) => ({
    pk: acc(accountId),
    sk: `CONV#${conversationId}#SCHED#${name}`,
  }),
} as const;

export { pad as padSortNumber };
