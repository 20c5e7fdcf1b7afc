/**
 * Embeddings for knowledge-base search (AI-4), when the account configured an embeddings
 * model on its OpenAI-compatible endpoint. Lexical search always runs; vectors, when
 * present, are fused with it by reciprocal rank (shared/assistant/knowledge.ts). A failure
 * to embed is not an error: search falls back to lexical.
 */
import OpenAI from 'openai';
import type { DynamoDBDocumentClient } from '#shared/store/client.ts';
import { getAiSettings } from '#shared/store/ai.ts';
import { llmConnection, type LlmDefault } from './llm-config.ts';
import { llmFetch } from './ai-port.ts';
import { accountLlmKey, type AccountSecrets } from '#shared/secrets/account-secrets.ts';
import type { OutboundPolicy } from '#shared/net/outbound-url.ts';

export type Embedder = (
  accountId: string,
  texts: string[],
) => Promise<{ model: string; vectors: number[][] } | undefined>;

const BATCH = 64;

/** Vectors for `texts` with the account's embeddings model, or undefined when none is configured. */
export function accountEmbedder(deps: {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  timeoutMs?: number;
  defaultLlm?: LlmDefault;
  /** The accounts' `credentials` secrets, where an account's own LLM key is. */
  accountSecrets?: AccountSecrets;
  /** The operator's exceptions to the outbound-URL guard (the base URL goes through it). */
  outbound?: OutboundPolicy;
}): Embedder {
  return async (accountId, texts) => {
    const s = await getAiSettings(deps.ddb, deps.tableName, accountId);
    if (!s.embeddingModel) return undefined;
    const llm = await llmConnection(s, deps.defaultLlm, () => accountLlmKey(deps.accountSecrets, s));
    if (!llm) return undefined;
    const client = new OpenAI({
      apiKey: llm.apiKey ?? 'not-needed',
      ...(llm.baseUrl ? { baseURL: llm.baseUrl } : {}),
      timeout: deps.timeoutMs ?? 30_000,
      maxRetries: 2,
      fetch: llmFetch(deps.outbound),
    });
    const vectors: number[][] = [];
    for (let i = 0; i < texts.length; i += BATCH) {
      const res = await client.embeddings.create({
        model: s.embeddingModel,
        input: texts.slice(i, i + BATCH),
      });
      for (const d of [...res.data].sort((a, b) => a.index - b.index)) vectors.push(normalise(d.embedding));
    }
    return { model: s.embeddingModel, vectors };
  };
}

/** Unit length, 4 decimals (smaller JSON; cosine becomes a dot product). */
export function normalise(v: number[]): number[] {
  const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0)) || 1;
  return v.map((x) => Math.round((x / norm) * 10_000) / 10_000);
}

export const dot = (a: number[], b: number[]) => {
  let s = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) s += a[i]! * b[i]!;
  return s;
};

/** Reciprocal rank fusion of ranked id lists (k = 60, the usual constant). */
export function fuse(lists: string[][], k = 60): Map<string, number> {
  const scores = new Map<string, number>();
  for (const list of lists)
    list.forEach((id, rank) => scores.set(id, (scores.get(id) ?? 0) + 1 / (k + rank + 1)));
  return scores;
}
