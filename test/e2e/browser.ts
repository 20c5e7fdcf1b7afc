/**
 * What the browser tests share: Debian's Chromium driven by playwright-core (no browser
 * download), the whole local stack on free ports, the agent's login, and the customer's
 * side through the WhatsApp simulator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startStack, type LocalStack, type StackOptions } from '#infra/local/stack.ts';
import { keys } from '#shared/store/keys.ts';
import { freePortBase } from '#infra/local/ports.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `extraArgs`: e.g. the fake microphone a voice-note test records from. */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      ...extraArgs,
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface E2E {
  stack: LocalStack;
  browser: Browser;
  close(): Promise<void>;
}

/** The stack (fresh data in a temporary directory) and a browser. */
export async function startE2E(
  name: string,
  opts: Pick<StackOptions, 'outboundAllowedOrigins'> = {},
): Promise<E2E> {
  const dataDir = mkdtempSync(join(tmpdir(), `atende-e2e-${name}-`));
  const stack = await startStack({
    dataDir,
    portBase: await freePortBase(),
    reset: true,
    log: () => {},
    ...opts,
  });
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return {
    stack,
    browser,
    async close() {
      await browser.close();
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in with the demo login and waits for the live connection. */
export async function login(page: Page, stack: LocalStack): Promise<void> {
  await page.goto(stack.urls.web);
  await page.getByTestId('email').fill(stack.demo.email!);
  await page.getByTestId('password').fill(stack.demo.password!);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('live-state').filter({ hasText: 'Conectado' }).waitFor();
}

/** A customer writes to the demo number (the simulator signs and posts Meta's webhook). */
export async function customerSends(stack: LocalStack, from: string, name: string, text: string) {
  const res = await fetch(`${stack.urls.simulator}/sim/customer/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ from, name, phoneNumberId: stack.demo.phoneNumberId, type: 'text', text }),
  });
  if (!res.ok) throw new Error(`simulator: ${res.status} ${await res.text()}`);
  return (await res.json()) as { wamid: string };
}

/** The REST API as the demo agent (to know when the back end has stored something). */
export async function apiAs(stack: LocalStack) {
  const api = await adminApi(stack);
  return <T>(path: string): Promise<T> => api<T>('GET', path);
}

/** The REST API as the demo admin, any method (a 204 answers undefined). */
export async function adminApi(stack: LocalStack) {
  const res = await fetch(`${stack.urls.api}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: stack.demo.email, password: stack.demo.password }),
  });
  if (!res.ok) throw new Error(`login: ${res.status}`);
  const { accessToken } = (await res.json()) as { accessToken: string };
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${stack.urls.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return (r.status === 204 ? undefined : await r.json()) as T;
  };
}

/** Polls until `check` returns a value (for back-end state no page shows yet). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, tries = 200) {
  for (let i = 0; i < tries; i++) {
    const v = await check().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Ends the conversation's 24 h window, as if a day and a half had passed (the stored window
 * is what the API checks). The engine may still be finishing with the customer's message:
 * write until the past window is what is stored.
 */
export async function closeWindow(stack: LocalStack, conversationId: string): Promise<void> {
  const api = await adminApi(stack);
  const ddb = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.urls.dynamodb,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const past = Date.now() - 12 * 3600_000;
  try {
    await eventually(async () => {
      await ddb.send(
        new UpdateCommand({
          TableName: 'atende',
          Key: keys.conversation(stack.demo.accountId!, conversationId),
          UpdateExpression: 'SET windowExpiresAt = :past',
          ExpressionAttributeValues: { ':past': past },
        }),
      );
      await new Promise((r) => setTimeout(r, 300));
      const c = await api<{ windowExpiresAt?: number }>('GET', `/api/conversations/${conversationId}`);
      return c.windowExpiresAt === past;
    }, 'the closed window to be stored');
  } finally {
    ddb.destroy();
  }
}
