/**
 * Knowledge bases (AI-4): create, rename and delete bases; upload .txt, .md and .pdf
 * documents (straight to S3, then queued for reading) and follow each one's progress live
 * (`knowledge.updated` over the WebSocket, and a poll every 2 s while any is still being
 * read); try the search the assistant uses and see the best passages.
 */
import { useEffect, useRef, useState } from 'react';
import { aiApi } from '../api/ai.ts';
import { messagesApi } from '../api/messages.ts';
import type { KnowledgeBase, KnowledgeDocument, KnowledgeHit } from '../api-types.ts';
import { useI18n } from '../i18n/index.ts';
import type { Messages } from '../i18n/pt-BR.ts';
import { onLiveEvent } from '../live.ts';
import { queryKeys, refresh } from '../queries/client.ts';
import {
  busyDocument as busy,
  dropKnowledgeDocument,
  upsertKnowledgeDocuments,
  useKnowledgeDocuments,
} from '../queries/ai.ts';
import { useFormat } from '../format.ts';
import { StatusLine, useStatus } from './Status.tsx';

const POLL_MS = 2000;

/** The types the knowledge base reads, by file extension (browsers often leave `.md` untyped). */
const KNOWLEDGE_TYPES: Record<string, string> = {
  txt: 'text/plain',
  md: 'text/markdown',
  markdown: 'text/markdown',
  pdf: 'application/pdf',
};

export function knowledgeMimeType(filename: string): string | undefined {
  const ext = /\.([^.]+)$/.exec(filename)?.[1]?.toLowerCase();
  return ext ? KNOWLEDGE_TYPES[ext] : undefined;
}

function statusText(t: Messages, s: KnowledgeDocument['status']): string {
  return { queued: t.docQueued, processing: t.docProcessing, ready: t.docReady, failed: t.docFailed }[s];
}

const NO_DOCUMENTS: KnowledgeDocument[] = [];

export function KnowledgeBases({
  bases,
  canEdit,
  onBases,
}: {
  bases: KnowledgeBase[];
  canEdit: boolean;
  onBases: (b: KnowledgeBase[]) => void;
}) {
  const { t } = useI18n();
  const [selected, setSelected] = useState<string>();
  const [name, setName] = useState('');
  const create = useStatus();
  const base = bases.find((b) => b.id === selected);
  useEffect(() => {
    if (!selected && bases[0]) setSelected(bases[0].id);
  }, [selected, bases]);

  const reloadBases = () => refresh(queryKeys.knowledgeBases);

  return (
    <div className="ai-split" data-testid="knowledge">
      <aside className="list ai-list">
        <h2>{t.knowledgeBases}</h2>
        {bases.length === 0 && <p className="muted pad">{t.noKnowledgeBases}</p>}
        <ul>
          {bases.map((b) => (
            <li key={b.id}>
              <button
                className={`row ${b.id === selected ? 'selected' : ''}`}
                data-testid="kb-item"
                onClick={() => setSelected(b.id)}
              >
                <span className="row-main">
                  <span className="name">{b.name}</span>
                  <span className="preview">{t.kbSummary(b.documents, b.passages)}</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
        {canEdit && (
          <form
            className="pad new-department"
            onSubmit={(e) => {
              e.preventDefault();
              void create.run(async () => {
                const kb = await aiApi.createKnowledgeBase(name.trim());
                setName('');
                onBases([...bases, kb]);
                setSelected(kb.id);
              });
            }}
          >
            <input
              data-testid="new-kb-name"
              placeholder={t.newKnowledgeBase}
              aria-label={t.newKnowledgeBase}
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
            />
            <button type="submit" data-testid="new-kb-submit">
              {t.create}
            </button>
            <StatusLine status={create.status} testid="new-kb" />
          </form>
        )}
      </aside>
      <section className="settings-pane">
        {base ? (
          <BaseDetail
            key={base.id}
            base={base}
            canEdit={canEdit}
            onChanged={reloadBases}
            onDeleted={() => {
              onBases(bases.filter((b) => b.id !== base.id));
              setSelected(undefined);
            }}
          />
        ) : (
          <p className="muted">{t.pickKnowledgeBase}</p>
        )}
      </section>
    </div>
  );
}

function BaseDetail({
  base,
  canEdit,
  onChanged,
  onDeleted,
}: {
  base: KnowledgeBase;
  canEdit: boolean;
  onChanged: () => void;
  onDeleted: () => void;
}) {
  const { t } = useI18n();
  const f = useFormat();
  const [name, setName] = useState(base.name);
  const [uploading, setUploading] = useState<string[]>([]);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const rename = useStatus();
  const del = useStatus();
  const upload = useStatus();
  const fileInput = useRef<HTMLInputElement>(null);
  const onChangedRef = useRef(onChanged);
  useEffect(() => {
    onChangedRef.current = onChanged;
  });

  // The documents, pushed as they are read (and polled while any is still being read).
  const docs = useKnowledgeDocuments(base.id, POLL_MS).data ?? NO_DOCUMENTS;
  useEffect(
    () =>
      onLiveEvent((e) => {
        if (e.type === 'knowledge.updated' && e.knowledgeBaseId === base.id)
          upsertKnowledgeDocuments(base.id, [e.document]);
      }),
    [base.id],
  );

  // The base's counts change when a document finishes being read.
  const before = useRef<KnowledgeDocument[] | undefined>(undefined);
  useEffect(() => {
    const prev = before.current;
    before.current = docs;
    if (!prev || prev === docs) return;
    const finished = prev.some((p) => busy(p) && docs.some((d) => d.id === p.id && !busy(d)));
    if (finished || (prev.some(busy) && !docs.some(busy))) onChangedRef.current();
  }, [docs]);

  const addFiles = async (files: File[]) => {
    const refused = files.filter((file) => !knowledgeMimeType(file.name));
    if (refused.length) upload.fail(refused.map((file) => t.unsupportedKnowledgeFile(file.name)).join(' '));
    const accepted = files.filter((file) => knowledgeMimeType(file.name));
    if (!accepted.length) return;
    setUploading((cur) => [...cur, ...accepted.map((file) => file.name)]);
    const ok = await upload.run(async () => {
      for (const file of accepted) {
        const mimeType = knowledgeMimeType(file.name)!;
        try {
          const up = await messagesApi.upload(file, { mimeType, purpose: 'knowledge' });
          const doc = await aiApi.addKnowledgeDocument(base.id, {
            uploadId: up.uploadId,
            filename: file.name,
            mimeType,
            size: file.size,
          });
          upsertKnowledgeDocuments(base.id, [doc]);
        } finally {
          setUploading((cur) => cur.filter((n) => n !== file.name));
        }
      }
    });
    if (ok && refused.length)
      upload.fail(refused.map((file) => t.unsupportedKnowledgeFile(file.name)).join(' '));
    if (ok) onChanged();
  };

  return (
    <div className="kb-detail" data-testid="kb-detail">
      <form
        className="kb-rename"
        onSubmit={(e) => {
          e.preventDefault();
          void rename.run(async () => {
            await aiApi.renameKnowledgeBase(base.id, name.trim());
            onChanged();
          });
        }}
      >
        <input
          className="title-input"
          data-testid="kb-name"
          aria-label={t.knowledgeBaseName}
          value={name}
          disabled={!canEdit}
          onChange={(e) => setName(e.target.value)}
          required
        />
        {canEdit && (
          <>
            <button type="submit" data-testid="kb-rename" disabled={name.trim() === base.name}>
              {t.rename}
            </button>
            <button
              type="button"
              className="link danger-text"
              data-testid="kb-delete"
              onClick={() => setConfirmDelete(true)}
            >
              {t.deleteKnowledgeBase}
            </button>
          </>
        )}
        <StatusLine status={rename.status} testid="kb-rename" />
      </form>
      {confirmDelete && (
        <div className="confirm" role="alertdialog" data-testid="kb-confirm-delete">
          <p>{t.confirmDeleteKnowledgeBase(base.name)}</p>
          <button
            type="button"
            className="primary danger"
            data-testid="kb-confirm-delete-yes"
            onClick={() =>
              void del.run(async () => {
                await aiApi.deleteKnowledgeBase(base.id);
                onDeleted();
              })
            }
          >
            {t.yesDelete}
          </button>
          <button type="button" onClick={() => setConfirmDelete(false)}>
            {t.cancel}
          </button>
          <StatusLine status={del.status} testid="kb-delete" />
        </div>
      )}

      {canEdit && (
        <div className="kb-upload">
          <label className="upload-button">
            {t.uploadDocument}
            <input
              ref={fileInput}
              type="file"
              multiple
              data-testid="kb-upload"
              accept=".txt,.md,.markdown,.pdf,text/plain,text/markdown,application/pdf"
              onChange={(e) => {
                const files = [...(e.target.files ?? [])];
                e.target.value = '';
                void addFiles(files);
              }}
            />
          </label>
          {uploading.map((n) => (
            <span key={n} className="muted small">
              {t.uploadingDocument(n)}
            </span>
          ))}
          <StatusLine
            status={upload.status.kind === 'saved' ? { kind: 'idle' } : upload.status}
            testid="kb-upload"
          />
        </div>
      )}

      <h3>{t.documents}</h3>
      {docs.length === 0 ? (
        <p className="muted">{t.noDocuments}</p>
      ) : (
        <table className="users-table docs-table" data-testid="kb-documents">
          <thead>
            <tr>
              <th>{t.docFile}</th>
              <th>{t.docStatus}</th>
              <th>{t.docPassages}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {docs.map((d) => (
              <tr key={d.id} data-testid="kb-document" data-status={d.status} data-doc-id={d.id}>
                <td>
                  {d.filename}
                  <div className="muted small">{f.dateTime(d.createdAt)}</div>
                </td>
                <td>
                  <span className={`doc-status doc-${d.status}`} data-testid="doc-status">
                    {statusText(t, d.status)}
                  </span>
                  {busy(d) && (
                    <progress
                      className="doc-progress"
                      data-testid="doc-progress"
                      max={100}
                      value={d.progress}
                      aria-label={`${statusText(t, d.status)} ${d.progress}%`}
                    />
                  )}
                  {busy(d) && <span className="muted small"> {d.progress}%</span>}
                  {d.error && (
                    <div className="error small" data-testid="doc-error">
                      {d.error}
                    </div>
                  )}
                </td>
                <td data-testid="doc-passages">{d.passages}</td>
                <td>
                  {canEdit && (
                    <button
                      type="button"
                      className="link danger-text"
                      data-testid="doc-delete"
                      onClick={() =>
                        void aiApi
                          .deleteKnowledgeDocument(base.id, d.id)
                          .then(() => {
                            dropKnowledgeDocument(base.id, d.id);
                            onChanged();
                          })
                          .catch((err: unknown) => upload.fail(String(err)))
                      }
                    >
                      {t.deleteDocument}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <TryIt baseId={base.id} />
    </div>
  );
}

function TryIt({ baseId }: { baseId: string }) {
  const { t, lang } = useI18n();
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<KnowledgeHit[]>();
  const search = useStatus();
  return (
    <section className="try-it" data-testid="kb-try-it">
      <h3>{t.tryItSearch}</h3>
      <form
        className="search-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (!q.trim()) return;
          void search.run(async () => setHits((await aiApi.searchKnowledge(baseId, q.trim())).items));
        }}
      >
        <input
          data-testid="kb-search"
          placeholder={t.tryItPlaceholder}
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <button type="submit" data-testid="kb-search-submit" disabled={search.status.kind === 'saving'}>
          {search.status.kind === 'saving' ? t.searching : t.searchAction}
        </button>
      </form>
      {search.status.kind === 'error' && <StatusLine status={search.status} testid="kb-search" />}
      {hits && hits.length === 0 && <p className="muted">{t.noPassages}</p>}
      {hits && hits.length > 0 && (
        <ol className="passages" data-testid="kb-hits">
          {hits.map((h) => (
            <li key={h.id} className="passage" data-testid="kb-hit">
              {h.title && <strong>{h.title}</strong>}
              <span className="muted small">
                {' '}
                {t.relevance(h.score.toLocaleString(lang, { maximumFractionDigits: 2 }))}
              </span>
              <p>{h.text}</p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
