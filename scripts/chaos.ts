/**
 * `npm run chaos`: the local stack under crashes, duplicates, shuffled statuses and a
 * `kill -9` midway (test/chaos/chaos.ts says what happens and what is counted). Bounded
 * and offline; prints JSON. Takes minutes; not part of `npm test` (its short variant,
 * test/integration/chaos-short.test.ts, is).
 *
 *   npm run chaos
 *   npm run chaos -- --messages 2000 --conversations 50 --seed 7 --crash-rate 0.01
 */
import { parseArgs } from 'node:util';
import { runChaos } from '../test/chaos/chaos.ts';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '10000' },
    conversations: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    /** Probability of a crash at each crash point of a batch's work. */
    'crash-rate': { type: 'string', default: '0.0003' },
    'duplicate-rate': { type: 'string', default: '0.3' },
    'status-repeat-rate': { type: 'string', default: '0.3' },
    'reply-every': { type: 'string', default: '20' },
    rate: { type: 'string', default: '50' },
    /** Share of acknowledged messages after which the stack is killed (none: no kill). */
    'kill-at': { type: 'string', default: '0.5' },
    'visibility-seconds': { type: 'string', default: '10' },
    'settle-seconds': { type: 'string', default: '420' },
    'keep-data': { type: 'boolean', default: false },
  },
});

const result = await runChaos({
  messages: Number(args.messages),
  conversations: Number(args.conversations),
  seed: Number(args.seed),
  crashRate: Number(args['crash-rate']),
  duplicateRate: Number(args['duplicate-rate']),
  statusRepeatRate: Number(args['status-repeat-rate']),
  statusDelayMs: 2000,
  replyEvery: Number(args['reply-every']),
  rate: Number(args.rate),
  ...(args['kill-at'] === 'none' ? {} : { killAt: Number(args['kill-at']) }),
  visibilitySeconds: Number(args['visibility-seconds']),
  settleSeconds: Number(args['settle-seconds']),
  keepData: args['keep-data'],
  log: (line) => process.stderr.write(`[chaos] ${line}\n`),
});
console.log(JSON.stringify(result, null, 2));
process.exit(0);
