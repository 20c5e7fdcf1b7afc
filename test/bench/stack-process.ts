/**
 * The benchmark's stack, in a process of its own (as `npm start` runs it): the load
 * generator must not share an event loop with what it measures. Prints one JSON line
 * (the stack's urls, demo and env) when ready; SIGTERM stops it.
 *
 *   node test/bench/stack-process.ts <dataDir> <portBase>
 */
import { startStack } from '#infra/local/stack.ts';

const [dataDir, portBase] = process.argv.slice(2);
const stack = await startStack({
  dataDir,
  portBase: Number(portBase),
  reset: true,
  ephemeral: true,
  web: false,
  log: (m) => process.stderr.write(`${m}\n`),
});
process.stdout.write(
  `${JSON.stringify({ portBase: stack.portBase, urls: stack.urls, demo: stack.demo, env: stack.env })}\n`,
);
process.on('SIGTERM', () => {
  void stack.stop().then(() => process.exit(0));
});
