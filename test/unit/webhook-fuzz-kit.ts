/**
 * Generators for the webhook fuzz tests (unit and integration): Meta's real payloads
 * (test/fixtures/meta-webhooks) merged into one envelope and mutated — fields removed or
 * nulled, types swapped, huge strings, deep nesting, odd unicode, numbers as strings, ids
 * too long or of the wrong type, items duplicated — and the oracle of which items of such
 * a body are valid (each one the schemas accept, in a change that names its number).
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asciiJson, MAX_ID_CHARS } from '#shared/domain/json-limits.ts';
import { QUEUE_ITEM_MAX_BYTES, sqsId } from '#shared/whatsapp/split.ts';
import { inboundMessage, messageStatus } from '#shared/whatsapp/webhook-schema.ts';

const dir = join(import.meta.dirname, '../fixtures/meta-webhooks');
export const fixtureBodies: string[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => readFileSync(join(dir, f), 'utf8'));

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const OPS = [
  'remove',
  'null',
  'swap',
  'huge',
  'nest',
  'unicode',
  'numberAsString',
  'badId',
  'duplicate',
] as const;
export interface Mutation {
  at: number;
  op: (typeof OPS)[number];
  size: number;
  text: string;
}

const oddText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('\ud800', '\udfff', '\u0000', '\u001f', '\u202e', '😀', 'ç', '"', '\\', '{', ']'),
);

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom(...OPS),
  // Mostly small; sometimes one string of 70 KB or 300 KB (over a queue message).
  size: fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 1, max: 60 }) },
    { weight: 1, arbitrary: fc.constantFrom(70_000, 300_000) },
  ),
  text: oddText,
});

/** A body: 1–3 real payloads' entries in one envelope, then up to 6 mutations. */
export const webhookBody: fc.Arbitrary<{ json: unknown; mutations: Mutation[] }> = fc
  .record({
    picks: fc.array(fc.constantFrom(...fixtureBodies), { minLength: 1, maxLength: 3 }),
    mutations: fc.array(mutation, { maxLength: 6 }),
  })
  .map(({ picks, mutations }) => {
    const [first, ...rest] = picks.map((p) => JSON.parse(p) as Obj);
    const root = first!;
    for (const r of rest) (root.entry as unknown[]).push(...(r.entry as unknown[]));
    const json: { root: unknown } = { root };
    for (const m of mutations) apply(json, m);
    return { json: json.root, mutations };
  });

/** Every (container, key) in the value, the root included (under `holder.root`). */
function places(
  v: unknown,
  parent: Obj | unknown[],
  key: string | number,
  out: [Obj | unknown[], string | number][],
) {
  out.push([parent, key]);
  if (Array.isArray(v)) v.forEach((x, i) => places(x, v, i, out));
  else if (isObj(v)) for (const k of Object.keys(v)) places(v[k], v, k, out);
  return out;
}

function apply(holder: { root: unknown }, m: Mutation): void {
  const all = places(holder.root, holder as Obj, 'root', []);
  const [parent, key] = all[m.at % all.length]!;
  const get = () => (parent as Obj)[key as string];
  const set = (v: unknown): void => {
    (parent as Obj)[key as string] = v;
  };
  const cur = get();
  switch (m.op) {
    case 'remove':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else if (parent !== holder) delete parent[key as string];
      return;
    case 'null':
      return set(null);
    case 'swap':
      return set(
        typeof cur === 'string'
          ? Number(cur) || m.size
          : typeof cur === 'number'
            ? String(cur)
            : typeof cur === 'boolean'
              ? String(cur)
              : Array.isArray(cur)
                ? Object.fromEntries(cur.map((x, i) => [String(i), x]))
                : isObj(cur)
                  ? Object.values(cur)
                  : m.size,
      );
    case 'huge':
      return set(m.text.repeat(Math.ceil(m.size / Math.max(1, m.text.length))).slice(0, m.size) || 'x');
    case 'nest': {
      let v = cur;
      for (let i = 0; i < Math.min(m.size, 80); i++) v = i % 2 ? [v] : { n: v };
      return set(v);
    }
    case 'unicode':
      return set(typeof cur === 'string' ? cur + m.text : m.text);
    case 'numberAsString':
      return set(typeof cur === 'number' ? String(cur) : cur);
    case 'badId':
      return set(m.size % 2 ? 'x'.repeat(MAX_ID_CHARS + m.size) : m.size);
    case 'duplicate':
      if (Array.isArray(parent)) parent.push(structuredClone(cur));
      return;
  }
}

export interface ExpectedItem {
  kind: 'message' | 'status';
  dedupId: string;
  value: unknown;
  /** Too big for a queue message: may be dead-lettered as a truncated copy instead. */
  big: boolean;
}

/**
 * The valid items of a body, found without the split: every message and status the
 * schemas accept, in a `messages` change whose value names its number, in an entry whose
 * changes are a list, in an envelope with `object` and an `entry` list.
 */
export function validItems(root: unknown): ExpectedItem[] {
  const out: ExpectedItem[] = [];
  if (!isObj(root) || typeof root.object !== 'string' || !Array.isArray(root.entry)) return out;
  for (const entry of root.entry) {
    if (!isObj(entry) || (entry.changes !== undefined && !Array.isArray(entry.changes))) continue;
    for (const change of (entry.changes as unknown[] | undefined) ?? []) {
      if (!isObj(change) || change.field !== 'messages' || !isObj(change.value)) continue;
      const v = change.value;
      const pnid = isObj(v.metadata) ? v.metadata.phone_number_id : undefined;
      if (typeof pnid !== 'string' || pnid.length > MAX_ID_CHARS) continue;
      const big = (x: unknown) => asciiJson(x).length > QUEUE_ITEM_MAX_BYTES - 16_384;
      for (const m of Array.isArray(v.messages) ? v.messages : []) {
        const p = inboundMessage.safeParse(m);
        if (p.success) out.push({ kind: 'message', dedupId: sqsId(p.data.id), value: m, big: big(m) });
      }
      for (const s of Array.isArray(v.statuses) ? v.statuses : []) {
        const p = messageStatus.safeParse(s);
        if (p.success)
          out.push({
            kind: 'status',
            dedupId: sqsId(`${p.data.id}:${p.data.status}`),
            value: s,
            big: big(s),
          });
      }
    }
  }
  return out;
}
