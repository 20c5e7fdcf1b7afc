/**
 * Quick replies (respostas prontas, MSG-7), pure rules: who may use, see, change and
 * approve one, and the composer's search.
 *
 * - A reply is for everyone, for a department (its members) or for one user.
 * - Whoever has the `approveQuickReplies` permission (admins always) manages them: what
 *   they create is approved at once, they edit or delete any, and they approve or reject
 *   what others propose.
 * - Anyone else proposes: the reply is pending until approved, and its author may edit or
 *   delete it until then (editing a rejected one proposes it again). They propose for
 *   everyone, one of their departments or themselves.
 * - Only approved replies are used in the composer, each by the users of its scope. Besides
 *   those, a user sees their own proposals (pending or rejected); a manager sees them all.
 */
import { can, type Viewer } from './inbox.ts';

export type QuickReplyScope =
  { type: 'all' } | { type: 'department'; departmentId: string } | { type: 'user'; userId: string };
export type QuickReplyStatus = 'pending' | 'approved' | 'rejected';

export interface QuickReplyRuleFields {
  scope: QuickReplyScope;
  status: QuickReplyStatus;
  createdBy: string;
  shortcut: string;
  title: string;
  text: string;
}

export const canManageQuickReplies = (viewer: Viewer): boolean => can(viewer, 'approveQuickReplies');

/** The viewer is in the reply's scope. */
export function inScope(viewer: Viewer, scope: QuickReplyScope): boolean {
  if (scope.type === 'all') return true;
  if (scope.type === 'department') return viewer.departmentIds.includes(scope.departmentId);
  return scope.userId === viewer.userId;
}

/** Offered in the viewer's composer. */
export const canUse = (viewer: Viewer, qr: QuickReplyRuleFields): boolean =>
  qr.status === 'approved' && inScope(viewer, qr.scope);

/** Listed on the viewer's quick-replies page. */
export const canSeeQuickReply = (viewer: Viewer, qr: QuickReplyRuleFields): boolean =>
  canManageQuickReplies(viewer) || canUse(viewer, qr) || qr.createdBy === viewer.userId;

/** May edit or delete it: a manager any; the author their own until it is approved. */
export const canChange = (viewer: Viewer, qr: QuickReplyRuleFields): boolean =>
  canManageQuickReplies(viewer) || (qr.createdBy === viewer.userId && qr.status !== 'approved');

/** A scope someone without the permission may propose for. */
export function canProposeFor(viewer: Viewer, scope: QuickReplyScope): boolean {
  if (canManageQuickReplies(viewer)) return true;
  if (scope.type === 'user') return scope.userId === viewer.userId;
  return inScope(viewer, scope);
}

/** A shortcut as stored: without the leading `/`, lower case. */
export const normalizeShortcut = (shortcut: string): string =>
  shortcut.trim().replace(/^\/+/, '').toLowerCase();

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/**
 * The composer's search (what follows the `/`): shortcuts starting with the query first,
 * then titles and texts containing it, accents and case ignored. An empty query keeps all,
 * by shortcut.
 */
export function searchQuickReplies<T extends QuickReplyRuleFields>(items: readonly T[], query: string): T[] {
  const q = fold(query.trim().replace(/^\/+/, ''));
  const byShortcut = (a: T, b: T) => a.shortcut.localeCompare(b.shortcut);
  if (!q) return [...items].sort(byShortcut);
  const rank = (qr: T): number => {
    if (fold(qr.shortcut).startsWith(q)) return 0;
    if (fold(qr.title).includes(q)) return 1;
    if (fold(qr.text).includes(q)) return 2;
    return -1;
  };
  return items
    .map((qr) => ({ qr, r: rank(qr) }))
    .filter((x) => x.r >= 0)
    .sort((a, b) => a.r - b.r || byShortcut(a.qr, b.qr))
    .map((x) => x.qr);
}
