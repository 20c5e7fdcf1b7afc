/**
 * Knowledge bases (AI-4): documents uploaded to the media bucket are ingested by fn
 * assistant (an `ingest` job): text extracted (.txt, .md as UTF-8; .pdf page by page with
 * unpdf), chunked (shared/knowledge/chunk.ts), the chunks kept as one JSON object per
 * document, and the base's Portuguese lexical index (shared/knowledge/lexical.ts) rebuilt
 * over all its ready documents. Progress is written on the document and pushed to agents.
 *
 *   acc/<a>/kb/<kb>/docs/<doc>.json   the document's passages
 *   acc/<a>/kb/<kb>/index.json        {index, passages} of the whole base
 *
 * With an embeddings model configured, passages also get vectors at ingestion, and search
 * fuses the lexical ranking with the cosine ranking (reciprocal rank fusion); lexical
 * search always runs. Search loads a base's index once per process and again when its
 * `indexVersion` moved.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '#shared/store/client.ts';
import { chunkDocument, chunksToPassages } from '#shared/knowledge/chunk.ts';
import { buildIndex, search, type LexicalIndex } from '#shared/knowledge/lexical.ts';
import {
  deleteDocument,
  getDocument,
  getKnowledgeBase,
  listDocuments,
  markKnowledgeIndexBuilt,
  putDocument,
} from '#shared/store/knowledge.ts';
import { kbDocumentSchema, type KbDocument } from '#shared/store/types.ts';
import { dot, fuse, type Embedder } from './embeddings.ts';
import type { KnowledgePassage } from './tools.ts';

/** Below this cosine a passage is not a vector match (it may still be a lexical one). */
const MIN_COSINE = 0.25;

export interface KnowledgeDeps {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  s3: S3Client;
  mediaBucket?: string;
  now: () => number;
  /** Progress and readiness reach the agents' pages (`knowledge.updated`). */
  notify?: (doc: KbDocument) => Promise<void>;
  /** Embeddings, when the account configured a model (vector search fused with lexical). */
  embed?: Embedder;
}

/** A document's passages as stored, with their vectors when embeddings were configured. */
interface StoredDoc {
  passages: { id: string; title?: string; text: string }[];
  vectors?: number[][];
  embeddingModel?: string;
}

// fn assistant's queue contract (shared/contracts/jobs.ts).
export { ingestJobSchema, type IngestJob } from '#shared/contracts/jobs.ts';
import type { IngestJob } from '#shared/contracts/jobs.ts';

export const KNOWLEDGE_MIME_TYPES = ['text/plain', 'text/markdown', 'application/pdf'] as const;
/** At most this many characters of text per document (≈ a 600-page book). */
const MAX_TEXT = 2_000_000;

const docKey = (a: string, kb: string, doc: string) => `acc/${a}/kb/${kb}/docs/${doc}.json`;
const indexKey = (a: string, kb: string) => `acc/${a}/kb/${kb}/index.json`;

interface StoredIndex {
  index: LexicalIndex;
  passages: Record<string, { title?: string; text: string }>;
  /** Passage id → unit vector, when every document of the base has them (same model). */
  vectors?: Record<string, number[]>;
  embeddingModel?: string;
  builtAt: number;
}

// The items (bases and documents) are the store's: shared/store/knowledge.ts.
export { getDocument, getKnowledgeBase, listDocuments, putDocument };

async function setProgress(
  deps: KnowledgeDeps,
  doc: KbDocument,
  change: Partial<KbDocument>,
): Promise<KbDocument> {
  const next = kbDocumentSchema.parse({ ...doc, ...change, updatedAt: deps.now() });
  await putDocument(deps, next);
  await deps.notify?.(next).catch(() => undefined);
  return next;
}

async function readObject(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

/** The document's text; PDFs page by page, reporting progress. */
async function extractText(
  doc: KbDocument,
  bytes: Buffer,
  onProgress: (fraction: number) => Promise<void>,
): Promise<string> {
  if (doc.mimeType !== 'application/pdf') return bytes.toString('utf8');
  const { getDocumentProxy } = await import('unpdf');
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  const pages: string[] = [];
  for (let p = 1; p <= pdf.numPages; p++) {
    const page = await pdf.getPage(p);
    const content = await page.getTextContent();
    pages.push(
      content.items
        .map((it) => ('str' in it ? `${it.str}${it.hasEOL ? '\n' : ''}` : ''))
        .join('')
        .trim(),
    );
    if (p % 10 === 0 || p === pdf.numPages) await onProgress(p / pdf.numPages);
  }
  return pages.join('\n\n');
}

/**
 * fn assistant's `ingest` job: the document becomes passages and the base's index is
 * rebuilt. A failure marks the document failed with the reason (the admin sees it); a
 * redelivered job does the work again (idempotent: same objects, same index).
 */
export async function ingestDocument(job: IngestJob, deps: KnowledgeDeps): Promise<KbDocument | undefined> {
  if (!deps.mediaBucket) throw new Error('no media bucket configured');
  const current = await getDocument(deps, job.accountId, job.knowledgeBaseId, job.documentId);
  if (!current) return undefined;
  let doc = await setProgress(deps, current, { status: 'processing', progress: 5 });
  try {
    const bytes = await readObject(deps.s3, deps.mediaBucket, doc.key);
    doc = await setProgress(deps, doc, { progress: 15 });
    const text = (
      await extractText(doc, bytes, async (f) => {
        doc = await setProgress(deps, doc, { progress: 15 + Math.round(f * 55) });
      })
    ).slice(0, MAX_TEXT);
    if (!text.trim()) throw new Error('Nenhum texto encontrado no arquivo.');
    const title = doc.filename.replace(/\.[^.]+$/, '');
    const passages = chunksToPassages(doc.id, chunkDocument(text, { title }));
    doc = await setProgress(deps, doc, { progress: 75 });
    const stored: StoredDoc = { passages };
    const embedded = await deps
      .embed?.(
        doc.accountId,
        passages.map((p) => `${p.title}\n${p.text}`),
      )
      .catch(() => undefined);
    if (embedded) Object.assign(stored, { vectors: embedded.vectors, embeddingModel: embedded.model });
    doc = await setProgress(deps, doc, { progress: 90 });
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.mediaBucket,
        Key: docKey(doc.accountId, doc.knowledgeBaseId, doc.id),
        Body: JSON.stringify(stored),
        ContentType: 'application/json',
      }),
    );
    doc = { ...doc, status: 'ready', passages: passages.length };
    await putDocument(deps, doc);
    await rebuildIndex(deps, doc.accountId, doc.knowledgeBaseId);
    return await setProgress(deps, doc, { status: 'ready', progress: 100 });
  } catch (err) {
    return setProgress(deps, doc, {
      status: 'failed',
      error: ((err as Error).message || 'Falha ao ler o arquivo.').slice(0, 300),
    });
  }
}

/** Rebuilds the base's index from its ready documents and updates its counts. */
export async function rebuildIndex(deps: KnowledgeDeps, accountId: string, kbId: string): Promise<void> {
  const docs = (await listDocuments(deps, accountId, kbId)).filter((d) => d.status === 'ready');
  const passages: StoredDoc['passages'] = [];
  const vectors: Record<string, number[]> = {};
  const models = new Set<string | undefined>();
  for (const d of docs) {
    const raw = await readObject(deps.s3, deps.mediaBucket!, docKey(accountId, kbId, d.id)).catch(
      () => undefined,
    );
    if (!raw) continue;
    const parsed = JSON.parse(raw.toString('utf8')) as StoredDoc | StoredDoc['passages'];
    const one: StoredDoc = Array.isArray(parsed) ? { passages: parsed } : parsed;
    passages.push(...one.passages);
    models.add(one.embeddingModel);
    one.vectors?.forEach((v, i) => (vectors[one.passages[i]!.id] = v));
  }
  // Vectors only when every document has them from one model (else lexical alone).
  const model = models.size === 1 ? [...models][0] : undefined;
  const stored: StoredIndex = {
    index: buildIndex(passages),
    passages: Object.fromEntries(
      passages.map((p) => [p.id, { ...(p.title ? { title: p.title } : {}), text: p.text }]),
    ),
    ...(model ? { vectors, embeddingModel: model } : {}),
    builtAt: deps.now(),
  };
  await deps.s3.send(
    new PutObjectCommand({
      Bucket: deps.mediaBucket!,
      Key: indexKey(accountId, kbId),
      Body: JSON.stringify(stored),
      ContentType: 'application/json',
    }),
  );
  await markKnowledgeIndexBuilt(deps, accountId, kbId, {
    documents: docs.length,
    passages: passages.length,
    builtAt: stored.builtAt,
  });
}

/** Removes a document and its passages; the index no longer finds it. */
export async function removeDocument(deps: KnowledgeDeps, doc: KbDocument): Promise<void> {
  await deleteDocument(deps, doc);
  if (deps.mediaBucket)
    await deps.s3.send(
      new DeleteObjectCommand({
        Bucket: deps.mediaBucket,
        Key: docKey(doc.accountId, doc.knowledgeBaseId, doc.id),
      }),
    );
  await rebuildIndex(deps, doc.accountId, doc.knowledgeBaseId);
}

const indexCache = new Map<string, { version: number; stored: StoredIndex | undefined }>();

async function loadIndex(
  deps: KnowledgeDeps,
  accountId: string,
  kbId: string,
): Promise<StoredIndex | undefined> {
  const kb = await getKnowledgeBase(deps, accountId, kbId);
  if (!kb || !deps.mediaBucket) return undefined;
  const cacheKey = `${accountId}/${kbId}`;
  const hit = indexCache.get(cacheKey);
  if (hit && hit.version === (kb.indexVersion ?? 0)) return hit.stored;
  const raw = await readObject(deps.s3, deps.mediaBucket, indexKey(accountId, kbId)).catch(() => undefined);
  const stored = raw ? (JSON.parse(raw.toString('utf8')) as StoredIndex) : undefined;
  indexCache.set(cacheKey, { version: kb.indexVersion ?? 0, stored });
  return stored;
}

/** The best `k` passages of these knowledge bases for a query, best first. */
export async function searchKnowledge(
  deps: KnowledgeDeps,
  accountId: string,
  knowledgeBaseIds: string[],
  query: string,
  k: number,
): Promise<KnowledgePassage[]> {
  const hits: KnowledgePassage[] = [];
  let queryVector: { model: string; vector: number[] } | null | undefined;
  for (const kbId of knowledgeBaseIds) {
    const stored = await loadIndex(deps, accountId, kbId);
    if (!stored) continue;
    const lexical = search(stored.index, query, k * 3);
    let ranked = lexical.map((h) => ({ id: h.id, score: h.score }));
    if (stored.vectors && deps.embed) {
      // One query embedding for all bases; none when the model changed or the call fails.
      if (queryVector === undefined) {
        const e = await deps.embed(accountId, [query]).catch(() => undefined);
        queryVector = e ? { model: e.model, vector: e.vectors[0]! } : null;
      }
      const qv = queryVector;
      if (qv && qv.model === stored.embeddingModel) {
        const semantic = Object.entries(stored.vectors)
          .map(([id, v]) => ({ id, cos: dot(v, qv.vector) }))
          .filter((x) => x.cos >= MIN_COSINE)
          .sort((a, b) => b.cos - a.cos)
          .slice(0, k * 3);
        const fused = fuse([lexical.map((h) => h.id), semantic.map((x) => x.id)]);
        ranked = [...fused].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
      }
    }
    for (const h of ranked.slice(0, k)) {
      const p = stored.passages[h.id];
      if (p) hits.push({ id: h.id, text: p.text, ...(p.title ? { title: p.title } : {}), score: h.score });
    }
  }
  return hits.sort((a, b) => b.score - a.score).slice(0, k);
}
