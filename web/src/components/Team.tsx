/**
 * The team page (admins): the account's users with their role, departments and
 * permissions (editable), a form to add one, and the departments (add, rename). The API
 * validates everything and answers in Portuguese.
 */
import { useState } from 'react';
import { integrationsApi } from '../api/integrations.ts';
import { teamApi } from '../api/team.ts';
import type { Department, Permission, Role, User } from '../api-types.ts';
import { queryKeys, refresh } from '../queries/client.ts';
import { useDepartments } from '../queries/integrations.ts';
import { useUsers } from '../queries/team.ts';
import { useI18n } from '../i18n/index.ts';
import { StatusLine, useStatus } from './Status.tsx';
import type { Messages } from '../i18n/pt-BR.ts';
import { effectivePermissions, permissions as allPermissions } from '../../../shared/domain/inbox.ts';

/**
 * The permissions the editor offers: those whose feature exists. `contactNotes` (CT-2,
 * observations) and `supportCode` have none yet: hidden until issue 16 wires them to their
 * features (a user's stored value is kept as it is meanwhile).
 */
const hiddenPermissions: readonly Permission[] = ['contactNotes', 'supportCode'];
const editablePermissions = allPermissions.filter((p) => !hiddenPermissions.includes(p));

const roles: Role[] = ['agent', 'supervisor', 'admin'];

export function roleLabel(t: Messages, r: Role): string {
  return { admin: t.roleAdmin, supervisor: t.roleSupervisor, agent: t.roleAgent }[r];
}

export function permissionLabel(t: Messages, p: Permission): string {
  return {
    seeAllChats: t.permSeeAllChats,
    contactNotes: t.permContactNotes,
    supportCode: t.permSupportCode,
    approveQuickReplies: t.permApproveQuickReplies,
    settings: t.permSettings,
  }[p];
}

const NONE: never[] = [];

export function Team() {
  const { t } = useI18n();
  // The same cached lists the inbox looks names up in (web/src/queries/).
  const usersQuery = useUsers();
  const departmentsQuery = useDepartments();
  const users: User[] = usersQuery.data ?? NONE;
  const departments: Department[] = departmentsQuery.data ?? NONE;
  const failed = usersQuery.isError || departmentsQuery.isError;

  /** The inbox's names and filters read the same entries: they update too. */
  const changed = () => refresh(queryKeys.users, queryKeys.departments);

  return (
    <div className="team" data-testid="team">
      <section className="team-users">
        <h2>{t.teamUsers}</h2>
        {failed && <p className="error">{t.loadFailed}</p>}
        <table className="users-table">
          <thead>
            <tr>
              <th>{t.userName}</th>
              <th>{t.role}</th>
              <th>{t.departmentsLabel}</th>
              <th>{t.permissionsLabel}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <UserRow key={u.id} user={u} departments={departments} onSaved={changed} />
            ))}
          </tbody>
        </table>
        <NewUser departments={departments} onCreated={changed} />
      </section>
      <section className="team-departments">
        <h2>{t.departmentsLabel}</h2>
        <ul>
          {departments.map((d) => (
            <DepartmentRow key={d.id} department={d} onSaved={changed} />
          ))}
        </ul>
        <NewDepartment onCreated={changed} />
      </section>
    </div>
  );
}

function Checks<T extends string>({
  options,
  value,
  onChange,
  label,
  testid,
  disabled,
}: {
  options: readonly T[];
  value: readonly T[];
  onChange: (v: T[]) => void;
  label: (v: T) => string;
  testid: string;
  disabled?: boolean;
}) {
  return (
    <span className="checks" data-testid={testid}>
      {options.map((o) => (
        <label key={o} className="check">
          <input
            type="checkbox"
            value={o}
            disabled={disabled}
            checked={value.includes(o)}
            onChange={(e) => onChange(e.target.checked ? [...value, o] : value.filter((x) => x !== o))}
          />
          {label(o)}
        </label>
      ))}
    </span>
  );
}

function UserRow({
  user,
  departments,
  onSaved,
}: {
  user: User;
  departments: Department[];
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState(user.name);
  const [role, setRole] = useState<Role>(user.role);
  const [deptIds, setDeptIds] = useState<string[]>(user.departmentIds ?? []);
  const [perms, setPerms] = useState<Permission[]>(() => [...effectivePermissions(user)]);
  const { status, run } = useStatus();
  const deptName = new Map(departments.map((d) => [d.id, d.name]));
  const admin = role === 'admin';
  const shownPerms = admin ? [...effectivePermissions({ role })] : perms;
  return (
    <tr data-testid="user-row" data-user-id={user.id}>
      <td>
        <input
          data-testid="user-name-input"
          aria-label={`${t.userName}: ${user.email}`}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <div className="muted small">{user.email}</div>
      </td>
      <td>
        <select
          data-testid="user-role"
          aria-label={`${t.role}: ${user.email}`}
          value={role}
          onChange={(e) => {
            const r = e.target.value as Role;
            setRole(r);
            if (r !== 'admin' && role === 'admin') setPerms([...effectivePermissions({ role: r })]);
          }}
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {roleLabel(t, r)}
            </option>
          ))}
        </select>
      </td>
      <td>
        <Checks
          options={departments.map((d) => d.id)}
          value={deptIds}
          onChange={setDeptIds}
          label={(id) => deptName.get(id) ?? id}
          testid="user-departments"
        />
      </td>
      <td>
        <Checks
          options={editablePermissions}
          value={shownPerms}
          onChange={setPerms}
          label={(p) => permissionLabel(t, p)}
          testid="user-permissions"
          disabled={admin}
        />
      </td>
      <td>
        <button
          data-testid="user-save"
          disabled={status.kind === 'saving'}
          onClick={() =>
            void run(async () => {
              await teamApi.updateUser(user.id, {
                name: name.trim(),
                role,
                departmentIds: deptIds,
                ...(admin ? {} : { permissions: perms }),
              });
              onSaved();
            })
          }
        >
          {status.kind === 'saving' ? t.saving : t.save}
        </button>{' '}
        <StatusLine status={status} testid="user-save" />
        <UserAccess user={user} onChanged={onSaved} />
      </td>
    </tr>
  );
}

/**
 * Cutting a user off and letting them back in: deactivate (keeps the history; their
 * sessions end at once), reactivate, delete (only a user nobody has used: the server
 * answers otherwise, suggesting deactivation), and a one-time password-reset link to hand
 * over ("Esqueci a senha").
 */
function UserAccess({ user, onChanged }: { user: User; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const { status, run } = useStatus();
  const [link, setLink] = useState<{ url: string; expiresAt: number }>();
  const [copied, setCopied] = useState(false);
  const busy = status.kind === 'saving';
  return (
    <div className="user-access" data-testid="user-access">
      {user.deactivatedAt && (
        <span className="badge" data-testid="user-deactivated">
          {t.userDeactivated}
        </span>
      )}{' '}
      {user.deactivatedAt ? (
        <button
          data-testid="user-reactivate"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              await teamApi.reactivateUser(user.id);
              onChanged();
            })
          }
        >
          {t.reactivateUser}
        </button>
      ) : (
        <button
          data-testid="user-deactivate"
          disabled={busy}
          onClick={() => {
            if (!confirm(t.confirmDeactivate(user.name))) return;
            void run(async () => {
              await teamApi.deactivateUser(user.id);
              setLink(undefined);
              onChanged();
            });
          }}
        >
          {t.deactivateUser}
        </button>
      )}{' '}
      <button
        data-testid="user-delete"
        disabled={busy}
        onClick={() => {
          if (!confirm(t.confirmDelete(user.name))) return;
          void run(async () => {
            await teamApi.deleteUser(user.id);
            onChanged();
          });
        }}
      >
        {t.deleteUser}
      </button>{' '}
      {!user.deactivatedAt && (
        <button
          data-testid="user-reset-link"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              const r = await teamApi.resetLink(user.id);
              const url = `${location.origin}/redefinir-senha?token=${encodeURIComponent(r.token)}`;
              setCopied(false);
              setLink({ url, expiresAt: r.expiresAt });
            })
          }
        >
          {t.resetLink}
        </button>
      )}{' '}
      <StatusLine status={status} testid="user-access" />
      {link && (
        <div className="reset-link" data-testid="reset-link">
          <p className="small">
            {t.resetLinkReady(
              new Date(link.expiresAt).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' }),
            )}
          </p>
          <input readOnly value={link.url} data-testid="reset-link-url" onFocus={(e) => e.target.select()} />{' '}
          <button
            onClick={() =>
              void navigator.clipboard.writeText(link.url).then(
                () => setCopied(true),
                () => setCopied(false),
              )
            }
          >
            {copied ? t.copied : t.copyLink}
          </button>
        </div>
      )}
    </div>
  );
}

function NewUser({ departments, onCreated }: { departments: Department[]; onCreated: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [deptIds, setDeptIds] = useState<string[]>([]);
  const [perms, setPerms] = useState<Permission[]>([...effectivePermissions({ role: 'agent' })]);
  const { status, run } = useStatus();
  const deptName = new Map(departments.map((d) => [d.id, d.name]));
  return (
    <form
      className="new-user settings-form"
      data-testid="new-user-form"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          await teamApi.createUser({
            name: name.trim(),
            email: email.trim(),
            password,
            role,
            departmentIds: deptIds,
            permissions: role === 'admin' ? [...allPermissions] : perms,
          });
          setName('');
          setEmail('');
          setPassword('');
          setDeptIds([]);
          onCreated();
        });
      }}
    >
      <h3>{t.newUser}</h3>
      <div className="grid2">
        <label>
          {t.userName}
          <input
            data-testid="new-user-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
          />
        </label>
        <label>
          {t.email}
          <input
            data-testid="new-user-email"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
          />
        </label>
        <label>
          {t.password}
          <input
            data-testid="new-user-password"
            type="password"
            autoComplete="new-password"
            minLength={8}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <label>
          {t.role}
          <select
            data-testid="new-user-role"
            value={role}
            onChange={(e) => {
              const r = e.target.value as Role;
              setRole(r);
              setPerms([...effectivePermissions({ role: r })]);
            }}
          >
            {roles.map((r) => (
              <option key={r} value={r}>
                {roleLabel(t, r)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <fieldset>
        <legend>{t.departmentsLabel}</legend>
        <Checks
          options={departments.map((d) => d.id)}
          value={deptIds}
          onChange={setDeptIds}
          label={(id) => deptName.get(id) ?? id}
          testid="new-user-departments"
        />
      </fieldset>
      <fieldset>
        <legend>{t.permissionsLabel}</legend>
        <Checks
          options={editablePermissions}
          value={role === 'admin' ? allPermissions : perms}
          onChange={setPerms}
          label={(p) => permissionLabel(t, p)}
          testid="new-user-permissions"
          disabled={role === 'admin'}
        />
      </fieldset>
      <div>
        <button
          type="submit"
          className="primary"
          data-testid="new-user-submit"
          disabled={status.kind === 'saving'}
        >
          {status.kind === 'saving' ? t.saving : t.createUser}
        </button>{' '}
        <StatusLine status={status} testid="new-user" />
      </div>
    </form>
  );
}

function DepartmentRow({ department, onSaved }: { department: Department; onSaved: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(department.name);
  const { status, run } = useStatus();
  return (
    <li className="department-row" data-testid="department-row">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await integrationsApi.renameDepartment(department.id, name.trim());
            onSaved();
          });
        }}
      >
        <input
          data-testid="department-name"
          aria-label={t.departmentName}
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
        />
        <button type="submit" data-testid="department-save" disabled={name.trim() === department.name}>
          {t.rename}
        </button>{' '}
        <StatusLine status={status} testid="department-save" />
      </form>
    </li>
  );
}

function NewDepartment({ onCreated }: { onCreated: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const { status, run } = useStatus();
  return (
    <form
      className="new-department"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          await integrationsApi.createDepartment(name.trim());
          setName('');
          onCreated();
        });
      }}
    >
      <input
        data-testid="new-department-name"
        placeholder={t.newDepartment}
        aria-label={t.newDepartment}
        value={name}
        onChange={(e) => setName(e.target.value)}
        required
      />
      <button type="submit" data-testid="new-department-submit">
        {t.add}
      </button>{' '}
      <StatusLine status={status} testid="new-department" />
    </form>
  );
}
