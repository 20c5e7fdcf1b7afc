/**
 * What an LLM call cost (AI-6): tokens times the account's price table, in US dollars per
 * million tokens (how providers publish prices). Cached prompt tokens are billed at their
 * own price when the table has one, else as ordinary prompt tokens.
 */
import { z } from 'zod';

export const modelPriceSchema = z.object({
  /** USD per 1M prompt (input) tokens. */
  input: z.number().min(0).max(1000),
  /** USD per 1M completion (output) tokens. */
  output: z.number().min(0).max(1000),
  /** USD per 1M cached prompt tokens. */
  cachedInput: z.number().min(0).max(1000).optional(),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;
export const priceTableSchema = z.record(z.string().min(1).max(120), modelPriceSchema);
export type PriceTable = z.infer<typeof priceTableSchema>;

/** Defaults an admin can edit (published list prices, USD per 1M tokens, late 2026). */
export const defaultPrices: PriceTable = {
  'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
  'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1 },
  'gpt-4.1': { input: 2, output: 8, cachedInput: 0.5 },
};

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /** Of the prompt tokens, how many the provider served from its cache. */
  cachedTokens: number;
}

export const addUsage = (a: TokenUsage, b: TokenUsage): TokenUsage => ({
  promptTokens: a.promptTokens + b.promptTokens,
  completionTokens: a.completionTokens + b.completionTokens,
  cachedTokens: a.cachedTokens + b.cachedTokens,
});

export const noUsage: TokenUsage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };

/** Cost in USD, or undefined when the model has no price in the table. */
export function costOf(usage: TokenUsage, model: string, prices: PriceTable): number | undefined {
  const p = prices[model];
  if (!p) return undefined;
  const cached = Math.min(usage.cachedTokens, usage.promptTokens);
  const fresh = usage.promptTokens - cached;
  const usd =
    (fresh * p.input + cached * (p.cachedInput ?? p.input) + usage.completionTokens * p.output) / 1_000_000;
  return Math.round(usd * 1e8) / 1e8;
}
