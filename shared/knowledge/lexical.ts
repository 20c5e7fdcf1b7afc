/**
 * Lexical retrieval over knowledge-base passages (AI-4): a BM25F index on Portuguese stems.
 *
 * - Two fields, title (or heading path) and text; a title term counts `titleBoost` times (BM25F).
 * - Terms are the stems of `analyze` (accents, case, plurals and stop words handled there), plus
 *   bigrams of consecutive stems ("nota fiscal", "frete gratis"), which reward phrase matches.
 * - At query time each stem is also expanded, with a lower weight, to a short list of Brazilian
 *   customer-service synonyms ("grana" → "dinheiro", "estorno" → "reembolso") and, when the stem is
 *   unknown to the index, to indexed stems one typo away ("entrga" → "entrega").
 *
 * The index is a plain JSON-serialisable object, to be stored next to the account's knowledge base
 * (DynamoDB item or S3 object) and searched after `JSON.parse` without any rebuild.
 */
import { analyze, normalize, stem, tokenize } from './text.ts';

export interface Passage {
  id: string;
  text: string;
  /** Title or heading path; its terms weigh `titleBoost` times more. */
  title?: string;
}

export interface LexicalIndex {
  kind: 'bm25f';
  version: 1;
  k1: number;
  b: number;
  titleBoost: number;
  bigrams: boolean;
  /** Passage ids, by document number. */
  ids: string[];
  /** Field-weighted length of each document. */
  lengths: number[];
  avgLength: number;
  /** term → flat postings [doc, weightedTf, doc, weightedTf, …], doc ascending. */
  postings: Record<string, number[]>;
}

export interface BuildOptions {
  k1?: number;
  b?: number;
  titleBoost?: number;
  bigrams?: boolean;
}

export interface SearchHit {
  id: string;
  score: number;
}

export interface SearchOptions {
  /** Weight of synonym expansions (0 disables). */
  synonymWeight?: number;
  /** Weight of bigram terms relative to single stems (0 disables). */
  bigramWeight?: number;
  /** Weight of typo-corrected stems (0 disables). */
  fuzzyWeight?: number;
}

const BIGRAM_SEPARATOR = ' ';

/** Terms of a text: stems, then (optionally) bigrams of consecutive stems. */
function terms(text: string, bigrams: boolean): string[] {
  const stems = analyze(text);
  if (!bigrams) return stems;
  const out = stems.slice();
  for (let i = 1; i < stems.length; i++) out.push(stems[i - 1] + BIGRAM_SEPARATOR + stems[i]);
  return out;
}

/** Builds a BM25F index over passages. Duplicate ids are kept as separate documents. */
export function buildIndex(passages: readonly Passage[], options: BuildOptions = {}): LexicalIndex {
  const k1 = options.k1 ?? 1.2;
  const b = options.b ?? 0.75;
  const titleBoost = options.titleBoost ?? 2.5;
  const bigrams = options.bigrams ?? true;
  const postings = new Map<string, number[]>();
  const ids: string[] = [];
  const lengths: number[] = [];
  let total = 0;
  passages.forEach((p, doc) => {
    const tf = new Map<string, number>();
    const body = terms(p.text, bigrams);
    const title = p.title ? terms(p.title, bigrams) : [];
    for (const t of body) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const t of title) tf.set(t, (tf.get(t) ?? 0) + titleBoost);
    for (const [t, f] of tf) {
      const list = postings.get(t);
      if (list) list.push(doc, f);
      else postings.set(t, [doc, f]);
    }
    const length = body.length + titleBoost * title.length;
    ids.push(p.id);
    lengths.push(length);
    total += length;
  });
  return {
    kind: 'bm25f',
    version: 1,
    k1,
    b,
    titleBoost,
    bigrams,
    ids,
    lengths,
    avgLength: ids.length ? total / ids.length : 0,
    postings: Object.fromEntries(postings),
  };
}

/**
 * Light synonym groups of Brazilian customer-service Portuguese. Each word expands to the others of
 * its groups (after stemming) at `synonymWeight`. Keep it short and generic: it is shared by every
 * account, whatever it sells.
 */
const SYNONYM_GROUPS: readonly string[] = [
  'dinheiro grana valor',
  'estorno reembolso restituicao ressarcimento',
  'frete envio entrega',
  'entrega envio remessa',
  'pedido compra encomenda',
  'produto item mercadoria',
  'cancelar cancelamento desistir',
  'trocar substituir',
  'quebrado danificado avariado amassado',
  'defeito estragou quebrou pifou',
  'cadastro conta registro',
  'senha login acesso',
  'telefone celular fone',
  'parcelar parcelamento parcela dividir',
  'pagar pagamento',
  'rastreio rastreamento rastrear',
  'prazo demora tempo',
  'gratis gratuito graca',
  'loja showroom',
  'horario expediente',
  'esgotado indisponivel acabou',
  'cupom voucher',
  'emprego vaga trabalho curriculo',
  'revender revenda revendedor',
  'endereco cep',
  'transportadora correios entregador carteiro motoboy',
  'nota danfe',
  'whatsapp mensagem',
];

let synonymTable: Map<string, string[]> | undefined;
function synonyms(): Map<string, string[]> {
  if (synonymTable) return synonymTable;
  const table = new Map<string, Set<string>>();
  for (const group of SYNONYM_GROUPS) {
    const stems = [...new Set(tokenize(group).map((w) => stem(normalize(w))))];
    for (const s of stems) {
      const set = table.get(s) ?? new Set<string>();
      for (const o of stems) if (o !== s) set.add(o);
      table.set(s, set);
    }
  }
  synonymTable = new Map([...table].map(([k, v]) => [k, [...v]]));
  return synonymTable;
}

/** True when a and b are at most one edit apart (insert, delete, substitute, adjacent swap). */
function oneEditApart(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

const has = (index: LexicalIndex, term: string) => Object.hasOwn(index.postings, term);

/** Weighted query terms: stems, synonyms, typo corrections and bigrams. */
export function queryTerms(
  index: LexicalIndex,
  query: string,
  options: SearchOptions = {},
): Map<string, number> {
  const synonymWeight = options.synonymWeight ?? 0.4;
  const bigramWeight = options.bigramWeight ?? 0.5;
  const fuzzyWeight = options.fuzzyWeight ?? 0.7;
  const weights = new Map<string, number>();
  const add = (t: string, w: number) => {
    if (w > 0 && w > (weights.get(t) ?? 0)) weights.set(t, w);
  };
  let vocabulary: string[] | undefined;
  const stems = analyze(query);
  for (const s of stems) {
    add(s, 1);
    for (const o of synonyms().get(s) ?? []) add(o, synonymWeight);
    if (!has(index, s) && s.length >= 4 && fuzzyWeight > 0) {
      vocabulary ??= Object.keys(index.postings).filter((t) => !t.includes(BIGRAM_SEPARATOR));
      for (const t of vocabulary) if (t.length >= 4 && oneEditApart(s, t)) add(t, fuzzyWeight);
    }
  }
  if (index.bigrams)
    for (let i = 1; i < stems.length; i++) add(stems[i - 1] + BIGRAM_SEPARATOR + stems[i], bigramWeight);
  return weights;
}

/** The k best passages for a query, best first. Works on a freshly built or a JSON-parsed index. */
export function search(index: LexicalIndex, query: string, k = 5, options: SearchOptions = {}): SearchHit[] {
  const n = index.ids.length;
  if (n === 0 || k <= 0) return [];
  const { k1, b, avgLength, lengths } = index;
  const scores = new Float64Array(n);
  const touched: number[] = [];
  for (const [term, weight] of queryTerms(index, query, options)) {
    if (!has(index, term)) continue;
    const list = index.postings[term]!;
    const df = list.length / 2;
    const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
    for (let i = 0; i < list.length; i += 2) {
      const doc = list[i]!;
      const tf = list[i + 1]!;
      const norm = k1 * (1 - b + (b * lengths[doc]!) / (avgLength || 1));
      if (scores[doc] === 0) touched.push(doc);
      scores[doc]! += (weight * idf * (tf * (k1 + 1))) / (tf + norm);
    }
  }
  return touched
    .filter((d) => scores[d]! > 0)
    .sort((x, y) => scores[y]! - scores[x]! || x - y)
    .slice(0, k)
    .map((d) => ({ id: index.ids[d]!, score: scores[d]! }));
}

/**
 * How much of a query a text covers: the share of the query's distinct stems (stop words
 * left out) found among the text's, 0 to 1. Unlike a BM25 score it does not depend on the
 * rest of the base, so a fixed threshold can tell a passage that answers from one that
 * merely shares a word (the offline assistant's).
 */
export function queryCoverage(query: string, text: string): number {
  const wanted = new Set(analyze(query));
  if (!wanted.size) return 0;
  const have = new Set(analyze(text));
  let found = 0;
  for (const s of wanted) if (have.has(s)) found++;
  return found / wanted.size;
}
