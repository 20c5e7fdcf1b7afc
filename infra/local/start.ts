/**
 * `npm start`: the whole product on this machine.
 *   npm start                      start (data in .data/ survives restarts)
 *   npm start -- --reset           wipe .data/ first
 *   npm start -- --port-base 5600  move every port
 */
import { parseArgs } from 'node:util';
import { LocalStartError } from './errors.ts';
import { startStack } from './stack.ts';

let args;
try {
  args = parseArgs({
    options: {
      reset: { type: 'boolean', default: false },
      'port-base': { type: 'string', default: '4500' },
      'data-dir': { type: 'string' },
    },
  }).values;
} catch (err) {
  console.error(`${(err as Error).message}. Usage: npm start -- [--reset] [--port-base N] [--data-dir DIR]`);
  process.exit(2);
}
const portBase = Number(args['port-base']);
if (!Number.isInteger(portBase) || portBase < 1024 || portBase > 65000) {
  console.error('--port-base must be a whole number between 1024 and 65000.');
  process.exit(2);
}

try {
  console.log('Atende: starting the local stack…');
  const stack = await startStack({
    portBase,
    reset: args.reset,
    dataDir: args['data-dir'],
    // The operator's own exceptions to the outbound-URL guard (e.g. a model on this machine).
    outboundAllowedOrigins: (process.env.OUTBOUND_ALLOWED_ORIGINS ?? '').split(',').filter(Boolean),
  });
  const { urls, demo } = stack;
  console.log(`
Atende is running.

  Web inbox          ${urls.web}
  Login              ${demo.email ?? '(no demo user)'} / ${demo.password ?? ''}
  Customer phone     ${urls.simulator}   (WhatsApp simulator, demo number +${demo.displayPhone})
  HTTP API           ${urls.api}/api   (OpenAPI: ${urls.api}/api/openapi.json)
  Webhook            ${urls.webhook}
  WebSocket          ${urls.ws}
  DynamoDB Local     ${urls.dynamodb}
  SQS + S3 (fauxqs)  ${urls.sqs}

Everything above is in .data/local.json. Ctrl-C stops.`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
} catch (err) {
  if (err instanceof LocalStartError) {
    console.error(`\nCannot start: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
