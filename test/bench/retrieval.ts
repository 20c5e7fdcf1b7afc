/**
 * Retrieval quality and speed of the lexical knowledge-base search (AI-4) on the Portuguese FAQ
 * fixture (test/fixtures/faq-pt). A question is a hit at k when any of its expected passages is
 * among the top k. Run alone: `npx node test/bench/retrieval.ts` (add `--misses` to list misses).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildIndex, search, type Passage } from '#shared/knowledge/lexical.ts';

interface Question {
  q: string;
  expected: string[];
}

export interface RetrievalBench {
  passages: number;
  questions: number;
  recallAt3: number;
  recallAt1: number;
  mrr: number;
  indexMs: number;
  queryMsP50: number;
}

const fixture = (name: string) => new URL(`../fixtures/faq-pt/${name}`, import.meta.url);

async function load(): Promise<{ passages: Passage[]; questions: Question[] }> {
  const [passages, questions] = await Promise.all([
    readFile(fixture('passages.json'), 'utf8').then((t) => JSON.parse(t) as Passage[]),
    readFile(fixture('questions.json'), 'utf8').then((t) => JSON.parse(t) as Question[]),
  ]);
  return { passages, questions };
}

export async function benchRetrieval(onMiss?: (q: Question, got: string[]) => void): Promise<RetrievalBench> {
  const { passages, questions } = await load();
  const t0 = performance.now();
  const index = buildIndex(passages);
  const indexMs = performance.now() - t0;
  let hits3 = 0;
  let hits1 = 0;
  let reciprocal = 0;
  const times: number[] = [];
  for (const question of questions) {
    const start = performance.now();
    const results = search(index, question.q, 10);
    times.push(performance.now() - start);
    const rank = results.findIndex((r) => question.expected.includes(r.id));
    if (rank === 0) hits1++;
    if (rank >= 0 && rank < 3) hits3++;
    else
      onMiss?.(
        question,
        results.slice(0, 3).map((r) => r.id),
      );
    if (rank >= 0) reciprocal += 1 / (rank + 1);
  }
  times.sort((a, b) => a - b);
  const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
  return {
    passages: passages.length,
    questions: questions.length,
    recallAt3: round(hits3 / questions.length),
    recallAt1: round(hits1 / questions.length),
    mrr: round(reciprocal / questions.length),
    indexMs: round(indexMs, 2),
    queryMsP50: round(times[Math.floor(times.length / 2)] ?? 0, 3),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const showMisses = process.argv.includes('--misses');
  const result = await benchRetrieval(
    showMisses
      ? (q, got) => console.error(`miss: ${q.q} → want ${q.expected.join('|')}, got ${got.join(', ')}`)
      : undefined,
  );
  console.log(JSON.stringify(result, null, 2));
}
