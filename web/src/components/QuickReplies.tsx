/**
 * The quick-replies page (/respostas-prontas, MSG-7): the replies the user may see —
 * pending proposals first (approve or reject them with the approveQuickReplies permission;
 * the author sees their own with the reason of a rejection), then the team's approved ones —
 * with create, edit and delete where the user may.
 */
import { useState } from 'react';
import type { QuickReply } from '../api/quick-replies.ts';
import type { Department, Me, User } from '../api-types.ts';
import { useI18n } from '../i18n/index.ts';
import { useDepartments } from '../queries/integrations.ts';
import { useUsers } from '../queries/team.ts';
import { useQuickReplyMutations, useVisibleQuickReplies } from '../queries/quick-replies.ts';
import { QuickRepliesForm } from './QuickRepliesForm.tsx';

const NONE: never[] = [];

export function QuickReplies({ me }: { me: Me | undefined }) {
  const { t } = useI18n();
  const list = useVisibleQuickReplies();
  const departments = useDepartments().data ?? NONE;
  const users = useUsers().data ?? NONE;
  const [form, setForm] = useState<'new' | QuickReply>();
  const [notice, setNotice] = useState('');
  if (!me) return null;
  const manager = me.permissions.includes('approveQuickReplies');
  const items = list.data ?? NONE;
  const pending = items.filter((q) => q.status !== 'approved');
  const approved = items.filter((q) => q.status === 'approved');
  return (
    <div className="quick-replies-page" data-testid="quick-replies-page">
      <h1>{t.quickReplies}</h1>
      {notice && (
        <p className="muted" role="status" data-testid="qr-notice">
          {notice}
        </p>
      )}
      {form ? (
        <QuickRepliesForm
          key={form === 'new' ? 'new' : form.id}
          me={me}
          manager={manager}
          departments={departments}
          users={users}
          {...(form === 'new' ? {} : { editing: form })}
          onDone={(saved) => {
            setForm(undefined);
            setNotice(saved.status === 'pending' ? t.qrProposedNotice : '');
          }}
          onCancel={() => setForm(undefined)}
        />
      ) : (
        <button className="primary" data-testid="qr-new" onClick={() => setForm('new')}>
          {manager ? t.qrNew : t.qrProposeTitle}
        </button>
      )}
      {list.isError && (
        <p className="error" role="alert">
          {t.qrLoadFailed}
        </p>
      )}
      {pending.length > 0 && (
        <section data-testid="qr-pending">
          <h2>{manager ? t.qrPending : t.qrMine}</h2>
          <Table
            items={pending}
            me={me}
            manager={manager}
            departments={departments}
            users={users}
            onEdit={setForm}
          />
        </section>
      )}
      <section data-testid="qr-approved">
        <h2>{t.qrApproved}</h2>
        {approved.length === 0 && !list.isPending ? (
          <p className="muted">{t.qrEmpty}</p>
        ) : (
          <Table
            items={approved}
            me={me}
            manager={manager}
            departments={departments}
            users={users}
            onEdit={setForm}
          />
        )}
      </section>
    </div>
  );
}

function Table({
  items,
  me,
  manager,
  departments,
  users,
  onEdit,
}: {
  items: QuickReply[];
  me: Me;
  manager: boolean;
  departments: Department[];
  users: User[];
  onEdit: (qr: QuickReply) => void;
}) {
  const { t } = useI18n();
  const scopeText = ({ scope }: QuickReply) => {
    if (scope.type === 'all') return t.qrScopeAll;
    if (scope.type === 'department')
      return t.qrScopeDepartment(departments.find((d) => d.id === scope.departmentId)?.name ?? '');
    if (scope.userId === me.id) return t.qrScopeMe;
    return t.qrScopeUser(users.find((u) => u.id === scope.userId)?.name ?? '');
  };
  return (
    <table>
      <thead>
        <tr>
          <th>{t.qrShortcut}</th>
          <th>{t.qrTitle}</th>
          <th>{t.qrText}</th>
          <th>{t.qrScope}</th>
          <th>
            <span className="sr-only">{t.qrEdit}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {items.map((qr) => (
          <Row
            key={qr.id}
            qr={qr}
            scope={scopeText(qr)}
            canChange={manager || (qr.createdBy === me.id && qr.status !== 'approved')}
            manager={manager}
            onEdit={() => onEdit(qr)}
          />
        ))}
      </tbody>
    </table>
  );
}

function Row({
  qr,
  scope,
  canChange,
  manager,
  onEdit,
}: {
  qr: QuickReply;
  scope: string;
  canChange: boolean;
  manager: boolean;
  onEdit: () => void;
}) {
  const { t } = useI18n();
  const { remove, approve, reject } = useQuickReplyMutations();
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  return (
    <tr data-testid="qr-row" data-shortcut={qr.shortcut} data-status={qr.status}>
      <td>/{qr.shortcut}</td>
      <td>
        {qr.title}
        {qr.status !== 'approved' && (
          <div className="muted small" data-testid="qr-status">
            {t.qrStatus[qr.status]}
            {qr.createdByName ? ` · ${t.qrProposedBy(qr.createdByName)}` : ''}
            {qr.rejectionReason ? ` · ${t.qrRejectedBecause(qr.rejectionReason)}` : ''}
          </div>
        )}
      </td>
      <td className="qr-text-cell">
        {qr.text}
        {qr.attachment && <div className="muted small">📎 {qr.attachment.filename}</div>}
      </td>
      <td>{scope}</td>
      <td className="actions">
        {manager && qr.status === 'pending' && !rejecting && (
          <>
            <button
              className="primary"
              data-testid="qr-approve"
              disabled={approve.isPending}
              onClick={() => approve.mutate(qr.id)}
            >
              {t.qrApprove}
            </button>
            <button className="ghost" data-testid="qr-reject" onClick={() => setRejecting(true)}>
              {t.qrReject}
            </button>
          </>
        )}
        {rejecting && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              reject.mutate({ id: qr.id, ...(reason.trim() ? { reason: reason.trim() } : {}) });
              setRejecting(false);
            }}
          >
            <label>
              {t.qrRejectReason}
              <input
                data-testid="qr-reject-reason"
                value={reason}
                onChange={(e) => setReason(e.target.value)}
              />
            </label>
            <button className="danger" type="submit" data-testid="qr-reject-confirm">
              {t.qrReject}
            </button>
            <button className="ghost" type="button" onClick={() => setRejecting(false)}>
              {t.cancel}
            </button>
          </form>
        )}
        {canChange && !rejecting && (
          <>
            <button className="ghost" data-testid="qr-edit" onClick={onEdit}>
              {t.qrEdit}
            </button>
            {confirmDelete ? (
              <span role="alertdialog" aria-label={t.qrDeleteConfirm(qr.shortcut)}>
                {t.qrDeleteConfirm(qr.shortcut)}{' '}
                <button
                  className="danger"
                  data-testid="qr-delete-confirm"
                  onClick={() => remove.mutate(qr.id)}
                >
                  {t.qrDelete}
                </button>
                <button className="ghost" onClick={() => setConfirmDelete(false)}>
                  {t.cancel}
                </button>
              </span>
            ) : (
              <button className="ghost" data-testid="qr-delete" onClick={() => setConfirmDelete(true)}>
                {t.qrDelete}
              </button>
            )}
          </>
        )}
      </td>
    </tr>
  );
}
