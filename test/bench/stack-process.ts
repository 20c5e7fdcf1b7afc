/**
 * The benchmark's stack, in a process of its own (as `npm start` runs it): the load
 * generator must not share an event loop with what it measures. Prints one JSON line
 * (the stack's urls, demo and env) when ready; SIGTERM stops it.
 *
 * The bench's meter (meter.ts) watches every request the stack's stand-ins serve; the
 * bench asks for its figures over the IPC channel: `{ id, ask: 'snapshot' | 'hops' }`.
 *
 *   node test/bench/stack-process.ts <dataDir> <portBase>
 */
import { startStack } from '#infra/local/stack.ts';
import { functions, queueNames } from '#infra/topology.ts';
import { installMeter, type MeterPorts } from './meter.ts';

const [dataDir, portBase] = process.argv.slice(2);
const ports: { current?: MeterPorts } = {};
const portOf = (url: string) => Number(new URL(url).port);
/** The function a queue feeds (its SQS trigger), from the queue's URL. */
const queueFunction = (queueUrl: string) => {
  const q = queueNames.find((name) => new RegExp(`[-/_]${name}(\\.fifo)?$`).test(queueUrl));
  return q
    ? Object.entries(functions).find(([, def]) =>
        def.triggers.some((t) => t.kind === 'sqs' && t.queue === q),
      )?.[0]
    : undefined;
};
const meter = installMeter(() => ports.current, queueFunction);

const stack = await startStack({
  dataDir,
  portBase: Number(portBase),
  reset: true,
  ephemeral: true,
  web: false,
  log: (m) => process.stderr.write(`${m}\n`),
});
ports.current = {
  dynamodb: portOf(stack.urls.dynamodb),
  sqs: portOf(stack.urls.sqs),
  s3: portOf(stack.urls.s3),
  secrets: portOf(stack.urls.secrets),
  scheduler: portOf(stack.urls.scheduler),
  ws: portOf(stack.urls.wsManagement),
  http: portOf(stack.urls.api),
  simulator: portOf(stack.urls.simulator),
};
process.stdout.write(
  `${JSON.stringify({ portBase: stack.portBase, urls: stack.urls, demo: stack.demo, env: stack.env })}\n`,
);
process.on('message', (m: { id: number; ask: 'snapshot' | 'hops' }) => {
  process.send?.({ id: m.id, answer: m.ask === 'hops' ? meter.hops() : meter.snapshot() });
});
process.on('SIGTERM', () => {
  void stack.stop().then(() => process.exit(0));
});
