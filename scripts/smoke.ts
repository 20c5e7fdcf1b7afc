/**
 * `npm run smoke`: the checks to run after `cdk deploy` (README, "Checks after deploying"),
 * against the deployed endpoints with the operator's AWS credentials, or against a local
 * stack. Each step prints ✓ or ✗ with its time; any ✗ makes the exit code 1.
 *
 *   npm run smoke -- --stack Atende --email admin@example.com --phone-number-id 1234…
 *                    [--password …] [--region sa-east-1] [--from 12025550123]
 *   npm run smoke -- --local [dataDir]
 *
 *   --schedule-delay-seconds n   when the test schedule fires (default 60)
 *   --timeout-seconds n          how long an effect may take once due (default 120)
 *   --json                       a JSON summary on stdout (the ✓/✗ lines go to stderr)
 *
 * SMOKE_EMAIL, SMOKE_PASSWORD and SMOKE_PHONE_NUMBER_ID stand for the options (a password
 * on the command line stays in the shell's history).
 */
import { parseArgs } from 'node:util';
import { isPlausiblePhone } from '#shared/domain/phone.ts';
import {
  handshake,
  newSmokeId,
  scheduleFires,
  seenInApi,
  signedWebhook,
  StepFailure,
  type SmokeContext,
} from './smoke/steps.ts';
import { localTargets, SmokeSetupError, stackTargets, type SmokeTargets } from './smoke/targets.ts';

export interface StepResult {
  step: 'handshake' | 'webhook' | 'api' | 'schedule';
  title: string;
  ok: boolean;
  skipped?: boolean;
  ms: number;
  detail?: string;
  error?: string;
}

export interface SmokeReport {
  ok: boolean;
  /** 0 all passed, 1 a step failed, 2 the check could not start (options, stack, secret). */
  exitCode: 0 | 1 | 2;
  source?: string;
  smokeId?: string;
  steps: StepResult[];
  error?: string;
}

export interface SmokeIo {
  /** A human line (stdout, or stderr with --json). */
  line: (s: string) => void;
  /** The JSON summary (stdout). */
  json: (s: string) => void;
}

/** A US number in the 555-01xx range, reserved for fiction: nobody's phone. */
export const DEFAULT_TEST_PHONE = '12025550123';

const usage = `Usage:
  npm run smoke -- --stack <name> --email <user> --phone-number-id <Meta id> [--password <p>] [--region <r>]
  npm run smoke -- --local [dataDir]
Options: --from <phone> --schedule-delay-seconds <n> (60) --timeout-seconds <n> (120) --json`;

const steps: { step: StepResult['step']; title: string; run: (c: SmokeContext) => Promise<string> }[] = [
  { step: 'handshake', title: 'Webhook handshake (Meta’s "Verify and save")', run: handshake },
  { step: 'webhook', title: 'Signed test message accepted, unsigned refused', run: signedWebhook },
  { step: 'api', title: 'The message in the inbox, through the API', run: seenInApi },
  { step: 'schedule', title: 'A one-time schedule fires fn timers and deletes itself', run: scheduleFires },
];

export async function main(argv: string[], io: Partial<SmokeIo> = {}): Promise<SmokeReport> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        stack: { type: 'string' },
        region: { type: 'string' },
        local: { type: 'boolean' },
        email: { type: 'string' },
        password: { type: 'string' },
        'phone-number-id': { type: 'string' },
        from: { type: 'string' },
        'schedule-delay-seconds': { type: 'string' },
        'timeout-seconds': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (err) {
    (io.line ?? console.error)(`✗ ${(err as Error).message}\n${usage}`);
    return setupFailure((err as Error).message);
  }
  const o = parsed.values;
  const asJson = Boolean(o.json);
  const line = io.line ?? ((s: string) => (asJson ? console.error(s) : console.log(s)));
  if (o.help) {
    line(usage);
    return { ok: true, exitCode: 0, steps: [] };
  }
  const number = (v: string | undefined, dflt: number, name: string) => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new SmokeSetupError(`--${name} must be a number of seconds.`);
    return n;
  };

  let targets: SmokeTargets | undefined;
  try {
    if (Boolean(o.stack) === Boolean(o.local)) {
      throw new SmokeSetupError(`Give either --stack <name> or --local [dataDir].\n${usage}`);
    }
    const from = o.from ?? DEFAULT_TEST_PHONE;
    if (!isPlausiblePhone(from))
      throw new SmokeSetupError(`--from ${from} is not a phone number (E.164 digits).`);
    const scheduleDelaySeconds = number(o['schedule-delay-seconds'], 60, 'schedule-delay-seconds');
    const timeoutSeconds = number(o['timeout-seconds'], 120, 'timeout-seconds');
    targets = o.local
      ? localTargets(parsed.positionals[0])
      : await stackTargets({
          stack: o.stack!,
          region: o.region ?? process.env.AWS_REGION,
          email: o.email ?? process.env.SMOKE_EMAIL,
          password: o.password ?? process.env.SMOKE_PASSWORD,
          phoneNumberId: o['phone-number-id'] ?? process.env.SMOKE_PHONE_NUMBER_ID,
        });
    const smokeId = newSmokeId();
    const ctx: SmokeContext = {
      targets,
      from: from.replace(/\D/g, ''),
      smokeId,
      text: `Atende smoke check ${smokeId}`,
      scheduleDelaySeconds,
      timeoutSeconds,
    };
    line(`Atende smoke check of ${targets.source} (${smokeId})`);
    const results: StepResult[] = [];
    for (const [i, s] of steps.entries()) {
      const started = Date.now();
      let r: StepResult;
      if (s.step === 'api' && !ctx.posted) {
        r = {
          step: s.step,
          title: s.title,
          ok: false,
          skipped: true,
          ms: 0,
          error: 'not run: the test message was not accepted',
        };
      } else {
        try {
          r = { step: s.step, title: s.title, ok: true, ms: 0, detail: await s.run(ctx) };
        } catch (err) {
          const message =
            err instanceof StepFailure
              ? err.message
              : `unexpected error: ${(err as Error).name}: ${(err as Error).message}`;
          r = { step: s.step, title: s.title, ok: false, ms: 0, error: message };
        }
        r.ms = Date.now() - started;
      }
      results.push(r);
      const mark = r.skipped ? '–' : r.ok ? '✓' : '✗';
      line(`${mark} ${i + 1}. ${s.title} (${formatMs(r.ms)})`);
      line(`    ${r.ok ? r.detail : r.error}`);
    }
    const ok = results.every((r) => r.ok);
    line(
      ok
        ? 'All checks passed.'
        : `${results.filter((r) => !r.ok).length} of ${results.length} checks failed.`,
    );
    return finish({ ok, exitCode: ok ? 0 : 1, source: targets.source, smokeId, steps: results }, io, asJson);
  } catch (err) {
    if (!(err instanceof SmokeSetupError)) throw err;
    line(`✗ ${err.message}`);
    return finish(setupFailure(err.message), io, asJson);
  } finally {
    targets?.close();
  }
}

const setupFailure = (error: string): SmokeReport => ({ ok: false, exitCode: 2, steps: [], error });

function finish(report: SmokeReport, io: Partial<SmokeIo>, asJson: boolean): SmokeReport {
  if (asJson) (io.json ?? ((s: string) => console.log(s)))(JSON.stringify(report, null, 2));
  return report;
}

const formatMs = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

if (import.meta.main) {
  const report = await main(process.argv.slice(2));
  process.exitCode = report.exitCode;
}
