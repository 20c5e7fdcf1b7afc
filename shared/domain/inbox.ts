/**
 * The inbox's rules (INB-1, INB-2, INB-3, INB-6), pure: which views show a chat to whom,
 * the index bucket a chat lives in, who may do what, and how assignment changes a chat.
 *
 * Views (the reference "Chat ao vivo"):
 * - All: every chat of the account, closed or not, of every agent and department, to
 *   every user.
 * - Open: not closed and without an agent — chats with no one, chats of a department,
 *   chats whose chatbot is switched off — of the user's departments and with no
 *   department; every department's with the "see all chats" permission. Chats in a flow
 *   (a triage menu or the assistant holds them) are only in All.
 * - Mine: the chats the user is the agent of.
 * - In service: every chat with an agent.
 * Visibility: by default every user may see every chat of the account (All lists them
 * all, and any may be opened). With the account's "Setores isolados" on, a user without
 * "see all chats" sees only chats with no department, of one of their departments, or of
 * which they are the agent — in every view, search, the socket and notifications.
 */

export const permissions = [
  'seeAllChats',
  'contactNotes',
  'supportCode',
  'approveQuickReplies',
  'settings',
] as const;
export type Permission = (typeof permissions)[number];
export type Role = 'admin' | 'supervisor' | 'agent';

/** What a role may do when the user has no explicit list. Admins may always do everything. */
export const roleDefaults: Record<Role, readonly Permission[]> = {
  admin: permissions,
  supervisor: ['seeAllChats', 'contactNotes', 'approveQuickReplies'],
  agent: ['contactNotes'],
};

export interface Viewer {
  userId: string;
  role: Role;
  departmentIds: readonly string[];
  /** Explicit permissions; absent means the role's defaults. */
  permissions?: readonly Permission[];
  /** The account's "Setores isolados" setting (off when absent). */
  isolated?: boolean;
}

export function effectivePermissions(viewer: Pick<Viewer, 'role' | 'permissions'>): Set<Permission> {
  if (viewer.role === 'admin') return new Set(permissions);
  return new Set(viewer.permissions ?? roleDefaults[viewer.role]);
}

export const can = (viewer: Pick<Viewer, 'role' | 'permissions'>, permission: Permission): boolean =>
  effectivePermissions(viewer).has(permission);

/** Where a chat's automation stands: running (a triage menu or the assistant holds it),
 * ended (a flow finished without handing over), off (the chatbot was switched off). */
export type BotState = 'running' | 'ended' | 'off';

export interface ChatState {
  closed: boolean;
  agentId?: string;
  departmentId?: string;
  bot?: BotState;
  /** Postponed (INB-9) until this time: out of the open lists until then. */
  postponedUntil?: number;
  /** A test conversation with an assistant: in no view. */
  test?: boolean;
}

export const views = ['all', 'open', 'mine', 'service'] as const;
export type View = (typeof views)[number];

/**
 * The one index bucket a chat sits in; every view is a union of buckets (plus the
 * visibility rule). Closed and automated chats, and postponed ones, are only in All.
 */
export type Bucket = 'CLOSED' | 'BOT' | 'LATER' | 'OPEN' | 'TEST' | `DEPT#${string}` | `AGENT#${string}`;

/**
 * Conversations held only with an assistant — the "Testar" panel, another system through
 * the API — are nobody's chat: in no inbox view, never sent to WhatsApp, nobody notified.
 */
export const assistantOnly = (channel: string | undefined): boolean =>
  channel === 'test' || channel === 'api';

/** The fields of a conversation the inbox rules read (the item, or the API's shape of it). */
export interface ChatFields {
  status: 'open' | 'closed';
  agentId?: string;
  departmentId?: string;
  routingStage?: string;
  postponedUntil?: number;
  channel?: string;
}

/**
 * A conversation's state for the rules: a triage menu or the assistant holding it is a
 * running bot; people holding it (routingStage `people`: the Chatbot switch turned off, an
 * agent took it, or routing handed it to a department) is the automation off — "Reativar
 * automação" gives it back (routingStage `new`: the next customer message is routed).
 */
export function chatStateOf(c: ChatFields): ChatState {
  const running = c.routingStage === 'menu' || c.routingStage === 'assistant';
  const bot: BotState | undefined = running ? 'running' : c.routingStage === 'people' ? 'off' : undefined;
  return {
    closed: c.status === 'closed',
    ...(c.agentId ? { agentId: c.agentId } : {}),
    ...(c.departmentId ? { departmentId: c.departmentId } : {}),
    ...(bot ? { bot } : {}),
    ...(c.postponedUntil !== undefined ? { postponedUntil: c.postponedUntil } : {}),
    ...(assistantOnly(c.channel) ? { test: true } : {}),
  };
}

export function bucketOf(chat: ChatState, now: number): Bucket {
  // "Testar" conversations with an assistant (AI-7) are in no inbox view.
  if (chat.test) return 'TEST';
  if (chat.closed) return 'CLOSED';
  if (chat.postponedUntil !== undefined && chat.postponedUntil > now) return 'LATER';
  if (chat.agentId) return `AGENT#${chat.agentId}`;
  if (chat.bot === 'running' || chat.bot === 'ended') return 'BOT';
  if (chat.departmentId) return `DEPT#${chat.departmentId}`;
  return 'OPEN';
}

/** Whether the viewer may see every chat of the account (no isolation, or the permission). */
export const seesEverything = (viewer: Viewer): boolean => !viewer.isolated || can(viewer, 'seeAllChats');

/** Whether the viewer may see the chat at all (list it, open it, be told about it). */
export function canSee(viewer: Viewer, chat: Pick<ChatState, 'agentId' | 'departmentId'>): boolean {
  if (seesEverything(viewer)) return true;
  if (chat.agentId === viewer.userId) return true;
  return !chat.departmentId || viewer.departmentIds.includes(chat.departmentId);
}

/** Open lists chats of the viewer's departments and with none, every one with the permission. */
const openFor = (viewer: Viewer, chat: Pick<ChatState, 'departmentId'>): boolean =>
  can(viewer, 'seeAllChats') || !chat.departmentId || viewer.departmentIds.includes(chat.departmentId);

/** Whether `view` lists this chat for this viewer. */
export function inView(view: View, viewer: Viewer, chat: ChatState, now: number): boolean {
  if (!canSee(viewer, chat) || chat.test) return false;
  const bucket = bucketOf(chat, now);
  switch (view) {
    case 'all':
      return true;
    case 'open':
      return (bucket === 'OPEN' || bucket.startsWith('DEPT#')) && openFor(viewer, chat);
    case 'mine':
      return bucket === `AGENT#${viewer.userId}`;
    case 'service':
      return bucket.startsWith('AGENT#');
  }
}

/**
 * The buckets to read for a view: the union of these, filtered by inView, is the view.
 * `departments` and `agents` are the account's (Open reads the viewer's own departments
 * without the permission; All reads them too when isolation hides the others).
 */
export function bucketsOf(
  view: View,
  viewer: Viewer,
  account: { departmentIds: readonly string[]; agentIds: readonly string[] },
): Bucket[] {
  const deptBuckets = (ids: readonly string[]) => ids.map((d) => `DEPT#${d}` as const);
  const agents = account.agentIds.map((u) => `AGENT#${u}` as const);
  switch (view) {
    case 'all':
      return [
        'OPEN',
        ...deptBuckets(seesEverything(viewer) ? account.departmentIds : viewer.departmentIds),
        ...agents,
        'BOT',
        'LATER',
        'CLOSED',
      ];
    case 'open':
      return [
        'OPEN',
        ...deptBuckets(can(viewer, 'seeAllChats') ? account.departmentIds : viewer.departmentIds),
      ];
    case 'mine':
      return [`AGENT#${viewer.userId}`];
    case 'service':
      return agents;
  }
}

// ---------------------------------------------------------------------------------------
// Assignment (INB-2)

export type AssignmentEvent =
  | { kind: 'toAgent'; agentId: string; by: string; confirmReplace?: boolean }
  | { kind: 'toDepartment'; departmentId: string; by: string }
  | { kind: 'agentReplied'; agentId: string }
  | { kind: 'close'; by?: string };

export type AssignmentResult =
  | { ok: true; chat: ChatState; changed: boolean; log?: AssignmentLog }
  | { ok: false; reason: 'closed' | 'confirmReplace' };

/** What the conversation records ("Ana atribuiu a Bruno"), rendered by the UI's i18n. */
export type AssignmentLog =
  | { kind: 'agent'; by: string; agentId: string }
  | { kind: 'department'; by: string; departmentId: string }
  | { kind: 'joined'; agentId: string }
  | { kind: 'closed'; by?: string };

/**
 * The chat after an assignment event:
 * - to an agent: the agent replaces the department; replacing another agent needs
 *   `confirmReplace`;
 * - to a department: the department replaces the agent (it is the department's again);
 * - an agent replies: with no agent the replier becomes the agent (the department stays);
 *   a chat that has an agent keeps it (a second agent does not replace the first);
 * - close: no agent, no department, no automation.
 * Every real change is logged. The automation stops once people hold the chat.
 */
export function assign(chat: ChatState, event: AssignmentEvent): AssignmentResult {
  if (event.kind === 'close') {
    if (chat.closed) return { ok: true, chat, changed: false };
    return {
      ok: true,
      chat: { closed: true },
      changed: true,
      log: { kind: 'closed', ...(event.by ? { by: event.by } : {}) },
    };
  }
  if (chat.closed) return { ok: false, reason: 'closed' };
  const { postponedUntil: _p, ...rest } = chat;
  const people = { ...rest, bot: chat.bot ? ('off' as const) : undefined };
  if (!people.bot) delete people.bot;
  switch (event.kind) {
    case 'toAgent': {
      if (chat.agentId === event.agentId && !chat.departmentId) return { ok: true, chat, changed: false };
      if (chat.agentId && chat.agentId !== event.agentId && !event.confirmReplace)
        return { ok: false, reason: 'confirmReplace' };
      const { departmentId: _d, ...next } = people;
      return {
        ok: true,
        chat: { ...next, agentId: event.agentId },
        changed: true,
        log: { kind: 'agent', by: event.by, agentId: event.agentId },
      };
    }
    case 'toDepartment': {
      if (chat.departmentId === event.departmentId && !chat.agentId)
        return { ok: true, chat, changed: false };
      const { agentId: _a, ...next } = people;
      return {
        ok: true,
        chat: { ...next, departmentId: event.departmentId },
        changed: true,
        log: { kind: 'department', by: event.by, departmentId: event.departmentId },
      };
    }
    case 'agentReplied': {
      if (chat.agentId) return { ok: true, chat, changed: false };
      return {
        ok: true,
        chat: { ...people, agentId: event.agentId },
        changed: true,
        log: { kind: 'joined', agentId: event.agentId },
      };
    }
  }
}

// ---------------------------------------------------------------------------------------
// Postponing (INB-9); the Expirando/Expirado markers are shared/domain/window.ts windowState

export type PostponeCheck =
  { ok: true; warnWindow: boolean } | { ok: false; reason: 'past' | 'closed' | 'tooFar' };

/** Postponing is to a future time (at most 90 days); past the 24 h window the UI warns. */
export function checkPostpone(
  chat: Pick<ChatState, 'closed'> & { windowExpiresAt?: number },
  until: number,
  now: number,
): PostponeCheck {
  if (chat.closed) return { ok: false, reason: 'closed' };
  if (until <= now) return { ok: false, reason: 'past' };
  if (until > now + 90 * 24 * 3600 * 1000) return { ok: false, reason: 'tooFar' };
  return { ok: true, warnWindow: chat.windowExpiresAt === undefined || until >= chat.windowExpiresAt };
}

/** An agent's text starting with /interna is an internal message (MSG-4); the prefix goes. */
export function internalText(text: string): string | undefined {
  const m = /^\s*\/interna\b\s*/i.exec(text);
  return m ? text.slice(m[0].length) : undefined;
}
