/**
 * The integrations page (admins): each WhatsApp number's name, digits, colour, Meta ids
 * (read-only, for support), statistics, routing (department, assistant, triage menu),
 * active routing, grouping, phone filter and write-only token; the account's
 * inactivity period. The API validates everything and answers in Portuguese.
 */
import { useEffect, useState } from 'react';
import { ApiError, loadConfig } from '../api/client.ts';
import { integrationsApi } from '../api/integrations.ts';
import type {
  Assistant,
  Department,
  NumberRouting,
  RouteTarget,
  Settings,
  TriageMenu,
  WhatsAppNumber,
} from '../api-types.ts';
import { useI18n } from '../i18n/index.ts';
import { queryClient, queryKeys } from '../queries/client.ts';
import { useAssistants, useDepartments, useNumbers, useSettings } from '../queries/integrations.ts';
import { useAllTemplates } from '../queries/templates.ts';

const emptyMenu = (departmentId: string): TriageMenu => ({
  body: '',
  button: '',
  options: [{ id: 'op1', title: '', target: { kind: 'department', departmentId } }],
});

/** `department:<id>` / `assistant:<id>`: one select for an option's target. */
const targetKey = (t: RouteTarget) =>
  t.kind === 'department' ? `department:${t.departmentId}` : `assistant:${t.assistantId}`;

const NONE: never[] = [];

export function Integrations() {
  const { t } = useI18n();
  // The shared query cache (web/src/queries/): the inbox shows the same numbers.
  const numbersQuery = useNumbers();
  const departmentsQuery = useDepartments();
  const assistantsQuery = useAssistants();
  const settingsQuery = useSettings();
  const numbers: WhatsAppNumber[] = numbersQuery.data ?? NONE;
  const departments: Department[] = departmentsQuery.data ?? NONE;
  const assistants: Assistant[] = assistantsQuery.data ?? NONE;
  const settings = settingsQuery.data;
  const failed = [numbersQuery, departmentsQuery, assistantsQuery, settingsQuery].some((q) => q.isError);
  const setNumbers = (fn: (cur: WhatsAppNumber[]) => WhatsAppNumber[]) =>
    queryClient.setQueryData<WhatsAppNumber[]>(queryKeys.numbers, (cur) => fn(cur ?? []));
  const setSettings = (s: Settings) => queryClient.setQueryData(queryKeys.settings, s);
  const [selected, setSelected] = useState<string>();
  useEffect(() => {
    if (!selected && numbers[0]) setSelected(numbers[0].id);
  }, [selected, numbers]);

  const number = numbers.find((n) => n.id === selected);
  return (
    <div className="integrations" data-testid="integrations">
      <aside className="list">
        <h2>{t.whatsappNumbers}</h2>
        {failed && <p className="error pad">{t.loadFailed}</p>}
        <ul>
          {numbers.map((n) => (
            <li key={n.id}>
              <button
                className={`row ${n.id === selected ? 'selected' : ''}`}
                style={{ borderLeftColor: n.color }}
                data-testid="number-item"
                onClick={() => setSelected(n.id)}
              >
                <span className="avatar" style={{ background: n.color }} aria-hidden="true" />
                <span className="row-main">
                  <span className="name">{n.name}</span>
                  <span className="preview">+{n.displayPhone}</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
        <AddNumber
          onAdded={(n) => {
            setNumbers((cur) => [...cur, n]);
            setSelected(n.id);
          }}
        />
        {settings && <AccountSettings settings={settings} onSaved={setSettings} />}
      </aside>
      <section className="settings-pane">
        {number && (
          <NumberForm
            key={number.id}
            number={number}
            departments={departments}
            assistants={assistants}
            onSaved={(n) => setNumbers((cur) => cur.map((x) => (x.id === n.id ? n : x)))}
          />
        )}
      </section>
    </div>
  );
}

function useSave<T>(save: () => Promise<T>, onSaved: (v: T) => void) {
  const [state, setState] = useState<
    { kind: 'idle' | 'saving' | 'saved' } | { kind: 'error'; message: string }
  >({
    kind: 'idle',
  });
  const run = async () => {
    setState({ kind: 'saving' });
    try {
      onSaved(await save());
      setState({ kind: 'saved' });
    } catch (err) {
      setState({ kind: 'error', message: err instanceof ApiError ? err.message : String(err) });
    }
  };
  return { state, run };
}

function SaveStatus({ state }: { state: ReturnType<typeof useSave>['state'] }) {
  const { t } = useI18n();
  if (state.kind === 'saved')
    return (
      <p className="ok" data-testid="save-ok" role="status">
        {t.saved}
      </p>
    );
  if (state.kind === 'error')
    return (
      <p className="error" data-testid="save-error" role="alert">
        {state.message}
      </p>
    );
  return null;
}

function AccountSettings({ settings, onSaved }: { settings: Settings; onSaved: (s: Settings) => void }) {
  const { t } = useI18n();
  const [hours, setHours] = useState(String(settings.inactivityHours));
  const [readReceipts, setReadReceipts] = useState(settings.readReceipts);
  const [isolated, setIsolated] = useState(settings.isolatedDepartments);
  // "name|language" of the template automations send outside the 24 h window; '' for none.
  const chosenKey = (o: Settings['outsideWindowTemplate']) => (o ? `${o.name}|${o.language}` : '');
  const [outside, setOutside] = useState(chosenKey(settings.outsideWindowTemplate));
  const templates = useAllTemplates().data ?? [];
  const approved = [
    ...new Map(
      templates
        .filter((x) => x.status === 'APPROVED')
        .map((x) => [`${x.name}|${x.language}`, { name: x.name, language: x.language }]),
    ),
  ];
  const { state, run } = useSave(
    () =>
      integrationsApi.updateSettings({
        readReceipts,
        inactivityHours: Number(hours),
        isolatedDepartments: isolated,
        ...(outside !== chosenKey(settings.outsideWindowTemplate)
          ? {
              outsideWindowTemplate: outside
                ? { name: outside.split('|')[0]!, language: outside.split('|')[1]! }
                : null,
            }
          : {}),
      }),
    onSaved,
  );
  return (
    <form
      className="pad settings-form"
      onSubmit={(e) => {
        e.preventDefault();
        void run();
      }}
    >
      <h3>{t.accountSettings}</h3>
      <label>
        {t.inactivityHours}
        <input
          data-testid="inactivity-hours"
          type="number"
          min={1}
          max={72}
          value={hours}
          onChange={(e) => setHours(e.target.value)}
        />
      </label>
      <label className="check">
        <input
          type="checkbox"
          data-testid="read-receipts"
          checked={readReceipts}
          onChange={(e) => setReadReceipts(e.target.checked)}
        />
        {t.readReceipts}
      </label>
      <p className="muted small">{t.readReceiptsHint}</p>
      <label className="check">
        <input
          type="checkbox"
          data-testid="isolated-departments"
          checked={isolated}
          onChange={(e) => setIsolated(e.target.checked)}
        />
        {t.isolatedDepartments}
      </label>
      <p className="muted small">{t.isolatedDepartmentsHint}</p>
      <label>
        {t.outsideWindowTemplate}
        <select
          data-testid="outside-window-template"
          value={outside}
          onChange={(e) => setOutside(e.target.value)}
        >
          <option value="">{t.outsideWindowTemplateNone}</option>
          {outside && !approved.some(([k]) => k === outside) && (
            <option value={outside}>{outside.replace('|', ' · ')}</option>
          )}
          {approved.map(([k, x]) => (
            <option key={k} value={k}>
              {x.name} · {x.language}
            </option>
          ))}
        </select>
      </label>
      <p className="muted small">{t.outsideWindowTemplateHint}</p>
      <button type="submit">{state.kind === 'saving' ? t.saving : t.save}</button>
      <SaveStatus state={state} />
    </form>
  );
}

function NumberForm({
  number,
  departments,
  assistants,
  onSaved,
}: {
  number: WhatsAppNumber;
  departments: Department[];
  assistants: Assistant[];
  onSaved: (n: WhatsAppNumber) => void;
}) {
  const { t } = useI18n();
  const firstDept = departments[0]?.id ?? '';
  const firstAssistant = assistants[0]?.id ?? '';
  const [name, setName] = useState(number.name);
  const [phone, setPhone] = useState(number.displayPhone);
  const [color, setColor] = useState(number.color);
  const [routing, setRouting] = useState<NumberRouting>(number.routing);
  const [active, setActive] = useState(number.activeRouting ?? { enabled: false });
  const [group, setGroup] = useState(String(number.groupMessagesSeconds));
  const [allowlist, setAllowlist] = useState(number.allowlist.join('\n'));
  const [token, setToken] = useState('');
  const [appSecret, setAppSecret] = useState('');
  const [verifyToken, setVerifyToken] = useState('');
  const [webhookBase, setWebhookBase] = useState('');
  useEffect(() => {
    void loadConfig().then((c) => setWebhookBase(`${c.apiUrl}/webhook/whatsapp`));
  }, []);

  const { state, run } = useSave(
    () =>
      integrationsApi.updateNumber(number.id, {
        name,
        displayPhone: phone,
        color,
        routing,
        activeRouting: active.enabled ? active : { enabled: false },
        groupMessagesSeconds: Number(group) || 0,
        allowlist: allowlist
          .split(/\s+/)
          .map((x) => x.trim())
          .filter(Boolean),
        ...(token ? { accessToken: token } : {}),
        ...(appSecret ? { appSecret } : {}),
        ...(verifyToken ? { verifyToken } : {}),
      }),
    (n) => {
      setToken('');
      setAppSecret('');
      setVerifyToken('');
      onSaved(n);
    },
  );

  const setKind = (kind: NumberRouting['kind']) => {
    if (kind === routing.kind) return;
    if (kind === 'none') setRouting({ kind });
    if (kind === 'department') setRouting({ kind, departmentId: firstDept });
    if (kind === 'assistant')
      setRouting({ kind, assistantId: firstAssistant, backupDepartmentId: firstDept });
    if (kind === 'menu') setRouting({ kind, menu: emptyMenu(firstDept) });
  };
  const menu = routing.kind === 'menu' ? routing.menu : undefined;
  const setMenu = (m: TriageMenu) => setRouting({ kind: 'menu', menu: m });

  const deptOptions = departments.map((d) => (
    <option key={d.id} value={d.id}>
      {d.name}
    </option>
  ));

  return (
    <form
      className="number-form"
      data-testid="number-form"
      onSubmit={(e) => {
        e.preventDefault();
        void run();
      }}
    >
      <h2>
        <span className="swatch" style={{ background: color }} aria-hidden="true" /> {number.name}
      </h2>
      {number.tokenError && (
        <p className="error" data-testid="token-error" role="alert">
          {t.tokenInvalid(number.tokenError.message)}
        </p>
      )}
      <div className="grid2">
        <label>
          {t.numberName}
          <input data-testid="number-name" value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>
          {t.numberPhone}
          <input
            data-testid="number-phone"
            value={phone}
            onChange={(e) => setPhone(e.target.value)}
            inputMode="numeric"
          />
        </label>
        <label>
          {t.numberColor}
          <input
            data-testid="number-color"
            type="color"
            value={color}
            onChange={(e) => setColor(e.target.value)}
          />
        </label>
      </div>
      <fieldset className="readonly">
        <legend>{t.supportIds}</legend>
        <span>
          {t.phoneNumberId}: <code>{number.phoneNumberId}</code>
        </span>
        <span>
          {t.wabaId}: <code>{number.wabaId}</code>
        </span>
      </fieldset>
      <fieldset>
        <legend>{t.statsTitle}</legend>
        <dl className="stats" data-testid="number-stats">
          <dt>{t.statReceived}</dt>
          <dd>{number.stats.received}</dd>
          <dt>{t.statSent}</dt>
          <dd>{number.stats.sent}</dd>
          <dt>{t.statConversations}</dt>
          <dd>{number.stats.conversations}</dd>
          <dt>{t.statContacts}</dt>
          <dd>{number.stats.contacts}</dd>
          <dt>{t.statIgnored}</dt>
          <dd>{number.stats.ignored}</dd>
        </dl>
      </fieldset>

      <fieldset>
        <legend>{t.routingTitle}</legend>
        <select
          data-testid="routing-kind"
          aria-label={t.routingTitle}
          value={routing.kind}
          onChange={(e) => setKind(e.target.value as NumberRouting['kind'])}
        >
          <option value="none">{t.routingNone}</option>
          <option value="department">{t.routingDepartment}</option>
          <option value="assistant">{t.routingAssistant}</option>
          <option value="menu">{t.routingMenu}</option>
        </select>
        {routing.kind === 'department' && (
          <>
            <label>
              {t.department}
              <select
                value={routing.departmentId}
                onChange={(e) => setRouting({ ...routing, departmentId: e.target.value })}
              >
                {deptOptions}
              </select>
            </label>
            <label>
              {t.autoMessage}
              <input
                value={routing.autoMessage ?? ''}
                onChange={(e) => setRouting({ ...routing, autoMessage: e.target.value || undefined })}
              />
            </label>
          </>
        )}
        {routing.kind === 'assistant' && (
          <>
            <label>
              {t.assistantLabel}
              <select
                value={routing.assistantId}
                onChange={(e) => setRouting({ ...routing, assistantId: e.target.value })}
              >
                {assistants.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t.backupDepartment}
              <select
                value={routing.backupDepartmentId}
                onChange={(e) => setRouting({ ...routing, backupDepartmentId: e.target.value })}
              >
                {deptOptions}
              </select>
            </label>
          </>
        )}
        {menu && (
          <div className="menu-editor" data-testid="menu-editor">
            <label>
              {t.menuHeader}
              <input
                value={menu.header ?? ''}
                onChange={(e) => setMenu({ ...menu, header: e.target.value || undefined })}
              />
            </label>
            <label>
              {t.menuBody}
              <textarea
                data-testid="menu-body"
                value={menu.body}
                onChange={(e) => setMenu({ ...menu, body: e.target.value })}
              />
            </label>
            <label>
              {t.menuButton}
              <input
                data-testid="menu-button"
                maxLength={20}
                value={menu.button}
                onChange={(e) => setMenu({ ...menu, button: e.target.value })}
              />
            </label>
            <h4>{t.menuOptions}</h4>
            {menu.options.map((o, i) => {
              const setOption = (patch: Partial<typeof o>) =>
                setMenu({ ...menu, options: menu.options.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
              return (
                <div className="menu-option" data-testid="menu-option" key={i}>
                  <input
                    data-testid="option-title"
                    placeholder={t.optionTitle}
                    maxLength={24}
                    value={o.title}
                    onChange={(e) => setOption({ title: e.target.value })}
                  />
                  <input
                    placeholder={t.optionDescription}
                    maxLength={72}
                    value={o.description ?? ''}
                    onChange={(e) => setOption({ description: e.target.value || undefined })}
                  />
                  <select
                    data-testid="option-target"
                    aria-label={t.optionTarget}
                    value={targetKey(o.target)}
                    onChange={(e) => {
                      const [kind, id] = e.target.value.split(':') as ['department' | 'assistant', string];
                      setOption({
                        target:
                          kind === 'department'
                            ? { kind, departmentId: id }
                            : { kind, assistantId: id, backupDepartmentId: firstDept },
                      });
                    }}
                  >
                    {departments.map((d) => (
                      <option key={d.id} value={`department:${d.id}`}>
                        {t.department}: {d.name}
                      </option>
                    ))}
                    {assistants.map((a) => (
                      <option key={a.id} value={`assistant:${a.id}`}>
                        {t.assistantLabel}: {a.name}
                      </option>
                    ))}
                  </select>
                  {o.target.kind === 'assistant' && (
                    <select
                      aria-label={t.backupDepartment}
                      value={o.target.backupDepartmentId}
                      onChange={(e) =>
                        o.target.kind === 'assistant' &&
                        setOption({ target: { ...o.target, backupDepartmentId: e.target.value } })
                      }
                    >
                      {deptOptions}
                    </select>
                  )}
                  {o.target.kind === 'department' && (
                    <input
                      placeholder={t.autoMessage}
                      value={o.target.autoMessage ?? ''}
                      onChange={(e) =>
                        o.target.kind === 'department' &&
                        setOption({ target: { ...o.target, autoMessage: e.target.value || undefined } })
                      }
                    />
                  )}
                  <button
                    type="button"
                    className="link"
                    disabled={menu.options.length === 1}
                    onClick={() => setMenu({ ...menu, options: menu.options.filter((_, j) => j !== i) })}
                  >
                    {t.removeOption}
                  </button>
                </div>
              );
            })}
            <button
              type="button"
              data-testid="add-option"
              disabled={menu.options.length >= 10}
              onClick={() =>
                setMenu({
                  ...menu,
                  options: [
                    ...menu.options,
                    {
                      id: `op${Date.now().toString(36)}`,
                      title: '',
                      target: { kind: 'department', departmentId: firstDept },
                    },
                  ],
                })
              }
            >
              {t.addOption}
            </button>
            <label>
              {t.invalidReply}
              <input
                value={menu.invalidReply ?? ''}
                onChange={(e) => setMenu({ ...menu, invalidReply: e.target.value || undefined })}
              />
            </label>
          </div>
        )}
      </fieldset>

      <fieldset>
        <label className="check">
          <input
            type="checkbox"
            data-testid="active-routing"
            checked={active.enabled}
            onChange={(e) =>
              setActive({ enabled: e.target.checked, departmentId: active.departmentId ?? firstDept })
            }
          />
          {t.activeRouting}
        </label>
        {active.enabled && (
          <select
            aria-label={t.department}
            value={active.departmentId ?? ''}
            onChange={(e) => setActive({ ...active, departmentId: e.target.value })}
          >
            {deptOptions}
          </select>
        )}
        <label>
          {t.groupMessages}
          <input type="number" min={0} max={60} value={group} onChange={(e) => setGroup(e.target.value)} />
        </label>
        <label>
          {t.phoneFilter}
          <textarea
            data-testid="allowlist"
            value={allowlist}
            onChange={(e) => setAllowlist(e.target.value)}
          />
        </label>
        <label>
          {t.accessToken}
          <input
            type="password"
            autoComplete="off"
            value={token}
            placeholder={number.hasToken ? t.tokenSaved : ''}
            onChange={(e) => setToken(e.target.value)}
          />
        </label>
        <p className="muted small">{t.ownAppHint}</p>
        <label>
          {t.appSecret}
          <input
            type="password"
            autoComplete="off"
            data-testid="app-secret"
            value={appSecret}
            placeholder={number.hasAppSecret ? t.secretSaved : ''}
            onChange={(e) => setAppSecret(e.target.value)}
          />
        </label>
        <label>
          {t.verifyToken}
          <input
            type="password"
            autoComplete="off"
            data-testid="verify-token"
            value={verifyToken}
            placeholder={number.hasVerifyToken ? t.secretSaved : ''}
            onChange={(e) => setVerifyToken(e.target.value)}
          />
        </label>
        {webhookBase && (
          <p className="small">
            {t.callbackUrl}{' '}
            <code data-testid="callback-url">{`${webhookBase}?pnid=${number.phoneNumberId}`}</code>
          </p>
        )}
      </fieldset>
      <button type="submit" data-testid="save-number" disabled={state.kind === 'saving'}>
        {state.kind === 'saving' ? t.saving : t.save}
      </button>
      <SaveStatus state={state} />
    </form>
  );
}

/** Connect another WhatsApp number (admins): Meta's ids, the number's digits, colour, token. */
function AddNumber({ onAdded }: { onAdded: (n: WhatsAppNumber) => void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({
    name: '',
    phoneNumberId: '',
    wabaId: '',
    displayPhone: '',
    color: '#128C7E',
    accessToken: '',
  });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));
  const { state, run } = useSave(
    () =>
      integrationsApi.createNumber({
        name: form.name,
        phoneNumberId: form.phoneNumberId,
        wabaId: form.wabaId,
        displayPhone: form.displayPhone,
        color: form.color,
        ...(form.accessToken ? { accessToken: form.accessToken } : {}),
      }),
    (n) => {
      onAdded(n);
      setOpen(false);
    },
  );
  if (!open)
    return (
      <button className="link pad" data-testid="add-number" onClick={() => setOpen(true)}>
        {t.addNumber}
      </button>
    );
  return (
    <form
      className="add-number pad"
      data-testid="add-number-form"
      onSubmit={(e) => {
        e.preventDefault();
        void run();
      }}
    >
      <label>
        {t.numberName}
        <input required value={form.name} onChange={set('name')} data-testid="new-number-name" />
      </label>
      <label>
        {t.numberPhone}
        <input
          required
          inputMode="numeric"
          value={form.displayPhone}
          onChange={set('displayPhone')}
          data-testid="new-number-digits"
        />
      </label>
      <label>
        {t.phoneNumberId}
        <input
          required
          inputMode="numeric"
          value={form.phoneNumberId}
          onChange={set('phoneNumberId')}
          data-testid="new-number-pnid"
        />
      </label>
      <label>
        {t.wabaId}
        <input
          required
          inputMode="numeric"
          value={form.wabaId}
          onChange={set('wabaId')}
          data-testid="new-number-waba"
        />
      </label>
      <label>
        {t.numberColor}
        <input type="color" value={form.color} onChange={set('color')} />
      </label>
      <label>
        {t.accessToken}
        <input type="password" autoComplete="off" value={form.accessToken} onChange={set('accessToken')} />
      </label>
      <button type="submit" data-testid="save-new-number" disabled={state.kind === 'saving'}>
        {state.kind === 'saving' ? t.saving : t.addNumberSave}
      </button>
      <button type="button" className="link" onClick={() => setOpen(false)}>
        {t.cancel}
      </button>
      <SaveStatus state={state} />
    </form>
  );
}
