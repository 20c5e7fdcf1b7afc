/**
 * The chaos run's stack, in a process (and process group) of its own, so that the run can
 * `kill -9` all of it — Node, DynamoDB Local's JVM — and start it again on the same data:
 * tables (DynamoDB Local), queues (fauxqs) and secrets are kept in `dataDir`. The
 * simulator is not in here: "Meta" outlives the stack (the run starts it on the simulator
 * port). Crashes are injected when the environment says so (ATENDE_CHAOS_*, chaos.ts).
 * Prints one JSON line (urls, demo, env) when ready; SIGTERM stops it.
 *
 *   node test/chaos/stack-process.ts <dataDir> <portBase> <visibilityTimeoutSeconds>
 */
import { startStack } from '#infra/local/stack.ts';

const [dataDir, portBase, visibility] = process.argv.slice(2);
const stack = await startStack({
  dataDir,
  portBase: Number(portBase),
  web: false,
  simulator: false,
  visibilityTimeoutSeconds: Number(visibility),
  log: (m) => process.stderr.write(`${m}\n`),
});
process.stdout.write(
  `${JSON.stringify({ portBase: stack.portBase, urls: stack.urls, demo: stack.demo, env: stack.env })}\n`,
);
process.on('SIGTERM', () => {
  void stack.stop().then(() => process.exit(0));
});
