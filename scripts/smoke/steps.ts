/**
 * The smoke check's steps (scripts/smoke.ts), each against the real endpoints of a
 * deployment: what Meta does (handshake, signed webhook), what an agent does (log in, read
 * the chat), what the conversation clock does (a one-time schedule firing fn timers).
 */
import { randomBytes } from 'node:crypto';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-scheduler';
import { samePhone } from '#shared/domain/phone.ts';
import { atExpression } from '#shared/engine/schedules.ts';
import { smokeTimerInput } from '#shared/contracts/jobs.ts';
import { getSmokeMarker } from '#shared/store/smoke.ts';
import { signBody } from '#shared/whatsapp/signature.ts';
import type { SmokeTargets } from './targets.ts';

/** A step failed: what was seen, and what to look at (printed as is). */
export class StepFailure extends Error {}

export interface SmokeContext {
  targets: SmokeTargets;
  /** The test customer's phone (E.164 digits). */
  from: string;
  /** Unique to this run: the message text and the schedule name carry it. */
  smokeId: string;
  /** The message text the check posts and then looks for. */
  text: string;
  scheduleDelaySeconds: number;
  /** How long an asynchronous effect may take once due (a message in the API, a schedule firing). */
  timeoutSeconds: number;
  /** Whether the signed test message was accepted (the API step needs it). */
  posted?: boolean;
}

export const newSmokeId = () => `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls `probe` until it returns a value or the deadline passes (then undefined). */
async function poll<T>(probe: () => Promise<T | undefined>, deadline: number, everyMs = 1000) {
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() >= deadline) return undefined;
    await sleep(Math.min(everyMs, Math.max(0, deadline - Date.now())));
  }
}

async function fetchOrFail(what: string, url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new StepFailure(`${what}: ${url} did not answer (${(err as Error).message}).`);
  }
}

/** (1) Meta's verification handshake: the verify token echoes the challenge, another is refused. */
export async function handshake(ctx: SmokeContext): Promise<string> {
  const { webhookUrl, verifyToken } = ctx.targets;
  const challenge = randomBytes(12).toString('hex');
  const url = (token: string) => {
    const u = new URL(webhookUrl);
    u.search = new URLSearchParams({
      'hub.mode': 'subscribe',
      'hub.verify_token': token,
      'hub.challenge': challenge,
    }).toString();
    return u.toString();
  };
  const res = await fetchOrFail('Handshake', url(verifyToken));
  const body = await res.text();
  if (res.status === 403) {
    throw new StepFailure(
      `The webhook refused the deployment's verify token (403): fn webhook holds another verifyToken than the one this check read from ${ctx.targets.source}. Meta's "Verify and save" would fail the same way. Check the whatsapp-webhook secret and that fn webhook reads it (WHATSAPP_WEBHOOK_SECRET_ID).`,
    );
  }
  if (res.status !== 200 || body !== challenge) {
    throw new StepFailure(
      `The handshake answered ${res.status} ${JSON.stringify(body.slice(0, 80))} instead of the challenge.`,
    );
  }
  const wrong = await fetchOrFail('Handshake', url(`${verifyToken}-wrong`));
  if (wrong.status !== 403) {
    throw new StepFailure(`A wrong verify token was answered ${wrong.status}, not refused with 403.`);
  }
  return 'the verify token echoes the challenge; a wrong token gets 403';
}

/** The webhook body Meta would send for a customer's text message to the number. */
export function testMessageBody(ctx: SmokeContext): string {
  const t = ctx.targets;
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'smoke-check',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: t.displayPhone ?? '', phone_number_id: t.phoneNumberId },
              contacts: [{ profile: { name: 'Atende smoke test' }, wa_id: ctx.from }],
              messages: [
                {
                  from: ctx.from,
                  id: `wamid.SMOKE-${ctx.smokeId}`,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body: ctx.text },
                },
              ],
            },
          },
        ],
      },
    ],
  });
}

/** (2) A signed test message is accepted; unsigned or wrongly signed, the same body is 401. */
export async function signedWebhook(ctx: SmokeContext): Promise<string> {
  const { webhookUrl, appSecret } = ctx.targets;
  const body = testMessageBody(ctx);
  const post = (signature?: string) =>
    fetchOrFail('Webhook', webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature ? { 'x-hub-signature-256': signature } : {}),
      },
      body,
    });
  const unsigned = await post();
  if (unsigned.status !== 401) {
    throw new StepFailure(`An unsigned webhook was answered ${unsigned.status}, not refused with 401.`);
  }
  const forged = await post(signBody(body, `${appSecret}-wrong`));
  if (forged.status !== 401) {
    throw new StepFailure(`A webhook signed with another key was answered ${forged.status}, not 401.`);
  }
  const signed = await post(signBody(body, appSecret));
  if (signed.status === 401) {
    throw new StepFailure(
      `The webhook refused a body signed with the deployment's app secret (401): fn webhook holds another appSecret than ${ctx.targets.source}'s whatsapp-webhook secret, so every message from Meta is being refused too.`,
    );
  }
  if (signed.status !== 200) {
    throw new StepFailure(
      `The signed webhook was answered ${signed.status} (${(await signed.text()).slice(0, 120)}): see fn webhook's logs (SQS inbound queue reachable?).`,
    );
  }
  ctx.posted = true;
  return `a text from ${ctx.from} to number ${ctx.targets.phoneNumberId} accepted (200); unsigned and forged copies got 401`;
}

/** (3) The message reaches the inbox: log in, find the chat by phone, the message by its text. */
export async function seenInApi(ctx: SmokeContext): Promise<string> {
  if (!ctx.posted) throw new StepFailure('Skipped: the test message was not accepted by the webhook.');
  const { apiUrl, email, password } = ctx.targets;
  const login = await fetchOrFail('Login', `${apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200) {
    throw new StepFailure(
      `Logging in as ${email} was answered ${login.status} (${(await login.text()).slice(0, 160)}).`,
    );
  }
  const { accessToken } = (await login.json()) as { accessToken: string };
  const get = async (path: string) => {
    const res = await fetchOrFail('API', `${apiUrl}${path}`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    if (res.status !== 200) {
      throw new StepFailure(`GET ${path} was answered ${res.status} (${(await res.text()).slice(0, 160)}).`);
    }
    return res.json() as Promise<{ items: Record<string, unknown>[] }>;
  };
  const started = Date.now();
  const found = await poll(
    async () => {
      const convs = await get(`/api/conversations?q=${ctx.from}&limit=20`);
      for (const c of convs.items) {
        if (!samePhone(String(c.contactPhone), ctx.from)) continue;
        const msgs = await get(`/api/conversations/${String(c.id)}/messages?limit=50`);
        if (msgs.items.some((m) => m.text === ctx.text)) return String(c.id);
      }
      return undefined;
    },
    Date.now() + ctx.timeoutSeconds * 1000,
  );
  if (!found) {
    throw new StepFailure(
      `The test message was not in ${email}'s inbox after ${ctx.timeoutSeconds} s. Look at fn inbound's logs and the inbound dead-letter queue; check that number ${ctx.targets.phoneNumberId} is connected to this user's account, and that its phone filter (if any) lets ${ctx.from} through (or pass --from with an allowed phone).`,
    );
  }
  return `in conversation ${found} after ${((Date.now() - started) / 1000).toFixed(1)} s`;
}

/**
 * (4) The conversation clock's path: a one-time schedule in the deployment's group, with
 * its role, targeting fn timers, fires (fn timers writes the smoke marker) and deletes
 * itself (ActionAfterCompletion DELETE).
 */
export async function scheduleFires(ctx: SmokeContext): Promise<string> {
  const { schedulerClient: client, scheduler, ddb, tableName } = ctx.targets;
  const name = `smoke-${ctx.smokeId}`;
  const at = Date.now() + ctx.scheduleDelaySeconds * 1000;
  try {
    await client.send(
      new CreateScheduleCommand({
        Name: name,
        GroupName: scheduler.group,
        ScheduleExpression: atExpression(at),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Description: 'Atende smoke check (scripts/smoke.ts); deletes itself',
        Target: {
          Arn: scheduler.targetArn,
          RoleArn: scheduler.roleArn,
          Input: JSON.stringify(smokeTimerInput.parse({ kind: 'smoke', smokeId: ctx.smokeId, at })),
        },
      }),
    );
  } catch (err) {
    throw new StepFailure(
      `Creating schedule ${name} in group ${scheduler.group} (target ${scheduler.targetArn}, role ${scheduler.roleArn}) failed: ${(err as Error).name}: ${(err as Error).message}`,
    );
  }
  const deadline = Date.now() + ctx.scheduleDelaySeconds * 1000 + ctx.timeoutSeconds * 1000;
  const marker = await poll(() => getSmokeMarker(ddb, tableName, ctx.smokeId), deadline, 2000);
  if (!marker) {
    await deleteQuietly(ctx, name);
    throw new StepFailure(
      `Schedule ${name} did not run fn timers within ${ctx.timeoutSeconds} s of its time (no smoke marker in table ${tableName}). Check that ${scheduler.targetArn} is the timers function and that ${scheduler.roleArn} may invoke it (Scheduler's TargetErrorCount / InvocationDroppedCount metrics), and fn timers' logs. The schedule was deleted.`,
    );
  }
  const gone = await poll(
    async () => {
      try {
        await client.send(new GetScheduleCommand({ Name: name, GroupName: scheduler.group }));
        return undefined;
      } catch (err) {
        if (err instanceof ResourceNotFoundException) return true;
        throw err;
      }
    },
    Date.now() + ctx.timeoutSeconds * 1000,
    2000,
  );
  if (!gone) {
    await deleteQuietly(ctx, name);
    throw new StepFailure(
      `Schedule ${name} fired but was still there ${ctx.timeoutSeconds} s later: ActionAfterCompletion DELETE did not remove it (it was deleted now). Conversation timers would pile up in group ${scheduler.group}.`,
    );
  }
  const late = ((marker.firedAt - marker.dueAt) / 1000).toFixed(1);
  return `schedule ${name} fired fn timers ${late} s after its time and deleted itself`;
}

async function deleteQuietly(ctx: SmokeContext, name: string) {
  try {
    await ctx.targets.schedulerClient.send(
      new DeleteScheduleCommand({ Name: name, GroupName: ctx.targets.scheduler.group }),
    );
  } catch {
    /* already gone, or not ours to delete: the report says what to look at */
  }
}
