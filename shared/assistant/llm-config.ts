/**
 * Which LLM endpoint an account's assistants use (AI-2): the account's own OpenAI-compatible
 * base URL and key when it set them (the key from its `credentials` secret), else the
 * deployment's (the `openai` secret, e.g. `OPENAI_API_KEY=… npm start`), else none —
 * offline mode.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readSecret } from '#shared/secrets/read-secret.ts';
import type { AiSettings } from '#shared/store/types.ts';

export interface LlmConnection {
  apiKey?: string;
  baseUrl?: string;
  source: 'account' | 'deployment';
}

export type LlmDefault = () => Promise<{ apiKey?: string; baseUrl?: string } | undefined>;

/**
 * The connection to use. `accountKey` reads the account's key (accountLlmKey) when the
 * settings say one is set; without it the answer says only which endpoint (the API's
 * mode and source), never a key.
 */
export async function llmConnection(
  settings: AiSettings,
  fallback?: LlmDefault,
  accountKey?: () => Promise<string | undefined>,
): Promise<LlmConnection | undefined> {
  if (settings.hasApiKey || settings.baseUrl) {
    const apiKey = settings.hasApiKey && accountKey ? await accountKey() : undefined;
    return {
      ...(apiKey ? { apiKey } : {}),
      ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}),
      source: 'account',
    };
  }
  const d = await fallback?.().catch(() => undefined);
  if (d?.apiKey || d?.baseUrl)
    return {
      ...(d.apiKey ? { apiKey: d.apiKey } : {}),
      ...(d.baseUrl ? { baseUrl: d.baseUrl } : {}),
      source: 'deployment',
    };
  return undefined;
}

/** The deployment's LLM from the `openai` secret (and OPENAI_BASE_URL). */
export function defaultLlmFromSecret(
  client: SecretsManagerClient,
  secretId: string | undefined,
  baseUrl: string | undefined,
): LlmDefault {
  return async () => {
    if (!secretId) return baseUrl ? { baseUrl } : undefined;
    const s = await readSecret(client, secretId);
    const apiKey = typeof s.apiKey === 'string' && s.apiKey ? s.apiKey : undefined;
    const url = (typeof s.baseUrl === 'string' && s.baseUrl) || baseUrl || undefined;
    return apiKey || url ? { ...(apiKey ? { apiKey } : {}), ...(url ? { baseUrl: url } : {}) } : undefined;
  };
}
