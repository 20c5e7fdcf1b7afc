/**
 * A scripted OpenAI-compatible server for tests: `POST /v1/chat/completions` answers with
 * the next step of the script (a completion, an HTTP error, or a delay) and records every
 * request, so tests run the real `openai` client without the network.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LlmStep {
  status?: number;
  /** The assistant message: text, or tool calls `[name, argumentsObject]`. */
  content?: string;
  toolCalls?: [string, Record<string, unknown>][];
  usage?: { prompt: number; completion: number; cached?: number };
  delayMs?: number;
  errorMessage?: string;
}

export interface ScriptedLlm {
  baseUrl: string;
  requests: { headers: Record<string, string | string[] | undefined>; body: Record<string, unknown> }[];
  script: LlmStep[];
  /** Inputs of each `POST /v1/embeddings`. */
  embeddingRequests: string[][];
  stop(): Promise<void>;
}

/**
 * A toy embedding: one dimension per concept, so texts about the same thing are close even
 * without a shared word (what a real embeddings model gives and lexical search cannot).
 */
const CONCEPTS: RegExp[] = [
  /\b(pet|pets|cachorr\w*|gat[oa]s?|animal|animais)\b/i,
  /\b(entreg\w*|prazo\w*|frete)\b/i,
  /\b(pag\w*|pix|boleto|cart[aã]o)\b/i,
  /\b(troc\w*|devol\w*)\b/i,
];
export function conceptVector(text: string): number[] {
  return [...CONCEPTS.map((c) => (c.test(text) ? 1 : 0)), 0.05];
}

export async function startScriptedLlm(): Promise<ScriptedLlm> {
  const state: ScriptedLlm = {
    baseUrl: '',
    requests: [],
    script: [],
    embeddingRequests: [],
    stop: async () => {},
  };
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      if (req.url?.endsWith('/embeddings')) {
        const inputs = ([] as string[]).concat(body.input as string | string[]);
        state.embeddingRequests.push(inputs);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            object: 'list',
            model: String(body.model),
            data: inputs.map((text, index) => ({
              object: 'embedding',
              index,
              embedding: conceptVector(text),
            })),
            usage: { prompt_tokens: inputs.length * 8, total_tokens: inputs.length * 8 },
          }),
        );
        return;
      }
      state.requests.push({ headers: req.headers, body });
      const step = state.script.shift() ?? { content: '(fim do roteiro)' };
      const send = () => {
        if (res.destroyed) return;
        if (step.status && step.status >= 400) {
          res.writeHead(step.status, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              error: { message: step.errorMessage ?? 'scripted error', type: 'server_error' },
            }),
          );
          return;
        }
        n++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: `chatcmpl-${n}`,
            object: 'chat.completion',
            created: 1_800_000_000,
            model: String(body.model),
            choices: [
              {
                index: 0,
                finish_reason: step.toolCalls ? 'tool_calls' : 'stop',
                message: {
                  role: 'assistant',
                  content: step.content ?? null,
                  ...(step.toolCalls
                    ? {
                        tool_calls: step.toolCalls.map(([name, args], i) => ({
                          id: `call_${n}_${i}`,
                          type: 'function',
                          function: { name, arguments: JSON.stringify(args) },
                        })),
                      }
                    : {}),
                },
              },
            ],
            usage: {
              prompt_tokens: step.usage?.prompt ?? 100,
              completion_tokens: step.usage?.completion ?? 20,
              total_tokens: (step.usage?.prompt ?? 100) + (step.usage?.completion ?? 20),
              prompt_tokens_details: { cached_tokens: step.usage?.cached ?? 0 },
            },
          }),
        );
      };
      if (step.delayMs) setTimeout(send, step.delayMs);
      else send();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.stop = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}
