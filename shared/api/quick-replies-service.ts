/**
 * Quick replies (respostas prontas, MSG-7): the composer's list, the management page's
 * CRUD, proposals and their review. Scoped to the caller's account (another account's id is
 * a 404) and to what the caller may see and do (shared/domain/quick-replies.ts).
 */
import type { AccessClaims } from '#shared/auth/tokens.ts';
import {
  canChange,
  canManageQuickReplies,
  canProposeFor,
  canSeeQuickReply,
  canUse,
  normalizeShortcut,
  searchQuickReplies,
  type QuickReplyScope,
} from '#shared/domain/quick-replies.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#shared/errors.ts';
import { listDepartments } from '#shared/store/catalog.ts';
import {
  createQuickReply,
  deleteQuickReply,
  getQuickReply,
  listQuickReplies,
  replaceQuickReply,
  reviewQuickReply,
  type QuickReply,
} from '#shared/store/quick-replies.ts';
import { getUser } from '#shared/store/users.ts';
import type { ApiDeps } from './api-deps.ts';
import { caller } from './conversations-service.ts';

const notFound = () => new NotFoundError('Resposta pronta não encontrada.', 'NOT_FOUND');

export interface QuickReplyInput {
  shortcut: string;
  title: string;
  text: string;
  attachment?: { uploadId: string; mimeType: string; filename: string } | null;
  scope: QuickReplyScope;
  sourceMessageId?: string;
}

/** The composer's (`usable`: approved and in the caller's scope) or the page's list, searched. */
export async function listQuickRepliesFor(
  deps: ApiDeps,
  auth: AccessClaims,
  query: { usable?: boolean; q?: string },
): Promise<{ items: QuickReply[] }> {
  const [{ viewer }, all] = await Promise.all([caller(deps, auth), listQuickReplies(deps, auth.accountId)]);
  const shown = all.filter((qr) => (query.usable ? canUse(viewer, qr) : canSeeQuickReply(viewer, qr)));
  return { items: searchQuickReplies(shown, query.q ?? '') };
}

/** A department or user of a scope must be of the caller's account (400 otherwise). */
async function checkScope(deps: ApiDeps, accountId: string, scope: QuickReplyScope): Promise<void> {
  if (scope.type === 'department') {
    const departments = await listDepartments(deps.ddb, deps.tableName, accountId);
    if (!departments.some((d) => d.id === scope.departmentId))
      throw new ValidationError('Setor não encontrado.', undefined, 'UNKNOWN_DEPARTMENT');
  } else if (scope.type === 'user') {
    if (!(await getUser(deps.ddb, deps.tableName, accountId, scope.userId)))
      throw new ValidationError('Usuário não encontrado.', undefined, 'UNKNOWN_USER');
  }
}

const checkShortcut = (shortcut: string): string => {
  const s = normalizeShortcut(shortcut);
  if (!/^[\p{L}\p{N}_-]{1,30}$/u.test(s))
    throw new ValidationError(
      'O atalho tem de 1 a 30 letras, números, - ou _, sem espaços.',
      undefined,
      'INVALID_SHORTCUT',
    );
  return s;
};

/** A manager's reply is approved at once; anyone else's is a proposal (pending). */
export async function createQuickReplyFor(
  deps: ApiDeps,
  auth: AccessClaims,
  input: QuickReplyInput,
): Promise<QuickReply> {
  const { viewer, user } = await caller(deps, auth);
  if (!canProposeFor(viewer, input.scope))
    throw new ForbiddenError('Proponha para todos, um dos seus setores ou só para você.', 'FORBIDDEN');
  await checkScope(deps, auth.accountId, input.scope);
  const now = deps.now();
  const manager = canManageQuickReplies(viewer);
  return createQuickReply(deps, {
    id: deps.newId(),
    accountId: auth.accountId,
    shortcut: checkShortcut(input.shortcut),
    title: input.title,
    text: input.text,
    ...(input.attachment ? { attachment: input.attachment } : {}),
    scope: input.scope,
    status: manager ? 'approved' : 'pending',
    createdBy: user.id,
    createdByName: user.name,
    ...(input.sourceMessageId ? { sourceMessageId: input.sourceMessageId } : {}),
    ...(manager ? { reviewedBy: user.id, reviewedAt: now } : {}),
    createdAt: now,
    updatedAt: now,
  });
}

/** One the caller may see (404 otherwise, as for another account's). */
async function visibleQuickReply(deps: ApiDeps, auth: AccessClaims, id: string) {
  const [ctx, qr] = await Promise.all([caller(deps, auth), getQuickReply(deps, auth.accountId, id)]);
  if (!qr || !canSeeQuickReply(ctx.viewer, qr)) throw notFound();
  return { ...ctx, qr };
}

/** Edits it (a manager any, the author their own until approved; a rejected one is proposed again). */
export async function updateQuickReplyFor(
  deps: ApiDeps,
  auth: AccessClaims,
  id: string,
  input: Partial<QuickReplyInput>,
): Promise<QuickReply> {
  const { viewer, qr } = await visibleQuickReply(deps, auth, id);
  if (!canChange(viewer, qr))
    throw new ForbiddenError('Só quem aprova respostas prontas pode mudar esta.', 'FORBIDDEN');
  if (input.scope) {
    if (!canProposeFor(viewer, input.scope))
      throw new ForbiddenError('Proponha para todos, um dos seus setores ou só para você.', 'FORBIDDEN');
    await checkScope(deps, auth.accountId, input.scope);
  }
  const { attachment: _old, rejectionReason: _reason, ...rest } = qr;
  const attachment = input.attachment === undefined ? qr.attachment : (input.attachment ?? undefined);
  const resubmitted = qr.status === 'rejected' && !canManageQuickReplies(viewer);
  const next: QuickReply = {
    ...rest,
    ...(input.shortcut !== undefined ? { shortcut: checkShortcut(input.shortcut) } : {}),
    ...(input.title !== undefined ? { title: input.title } : {}),
    ...(input.text !== undefined ? { text: input.text } : {}),
    ...(input.scope ? { scope: input.scope } : {}),
    ...(attachment ? { attachment } : {}),
    ...(resubmitted ? { status: 'pending' as const } : {}),
    ...(qr.rejectionReason && !resubmitted ? { rejectionReason: qr.rejectionReason } : {}),
    updatedAt: Math.max(deps.now(), qr.updatedAt + 1),
  };
  const saved = await replaceQuickReply(deps, next, qr.updatedAt);
  if (!saved) throw new ConflictError('A resposta mudou enquanto você editava. Abra de novo.', 'CHANGED');
  return saved;
}

export async function deleteQuickReplyFor(deps: ApiDeps, auth: AccessClaims, id: string): Promise<void> {
  const { viewer, qr } = await visibleQuickReply(deps, auth, id);
  if (!canChange(viewer, qr))
    throw new ForbiddenError('Só quem aprova respostas prontas pode apagar esta.', 'FORBIDDEN');
  if (!(await deleteQuickReply(deps, auth.accountId, id))) throw notFound();
}

/** Approves or rejects a proposal: needs the `approveQuickReplies` permission. */
export async function reviewQuickReplyFor(
  deps: ApiDeps,
  auth: AccessClaims,
  id: string,
  decision: { approve: boolean; reason?: string },
): Promise<QuickReply> {
  const { viewer, user, qr } = await visibleQuickReply(deps, auth, id);
  if (!canManageQuickReplies(viewer))
    throw new ForbiddenError('Você não tem permissão para aprovar respostas prontas.', 'FORBIDDEN');
  if (qr.status !== 'pending') throw new ConflictError('Esta resposta não está pendente.', 'NOT_PENDING');
  const reason = decision.reason?.trim();
  const reviewed = await reviewQuickReply(deps, auth.accountId, id, {
    status: decision.approve ? 'approved' : 'rejected',
    reviewedBy: user.id,
    at: deps.now(),
    ...(!decision.approve && reason ? { reason } : {}),
  });
  if (!reviewed) throw new ConflictError('Esta resposta não está pendente.', 'NOT_PENDING');
  return reviewed;
}
