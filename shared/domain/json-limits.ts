/**
 * The sizes Atende's pipeline relies on, and cheap checks against them (pure: no I/O).
 *
 * - A webhook body: Meta's are a few kilobytes; anything over 1 MB or nested deeper than
 *   64 levels is refused before it is parsed (JSON.stringify and many walkers recurse, so a
 *   deep body can overflow the stack; a big one costs memory for nothing).
 * - A queue message: 256 KiB, body and attributes (SQS's classic limit; a queue may allow
 *   more, Atende never relies on it). A webhook item over it goes to the dead-letter queue
 *   as a truncated copy instead of failing the whole delivery.
 * - A stored record: DynamoDB refuses items over 400 KB and keys over 2048 (partition) /
 *   1024 (sort) bytes; an id Meta sends ends up in keys, so ids are bounded at 256
 *   characters (Meta's wamids are under 100).
 */

export const WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;
export const WEBHOOK_MAX_DEPTH = 64;
export const SQS_MAX_MESSAGE_BYTES = 256 * 1024;
export const DYNAMO_MAX_ITEM_BYTES = 400 * 1024;
/** The longest id (wamid, phone-number id, wa_id, user id…) accepted from a webhook. */
export const MAX_ID_CHARS = 256;

/**
 * Whether the JSON text nests objects/arrays deeper than `limit`, by a scan of the brackets
 * outside strings (no parse; malformed text is the parser's business).
 */
export function jsonDepthExceeds(text: Uint8Array, limit: number = WEBHOOK_MAX_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Why a webhook body is refused before parsing, with the HTTP status; undefined when fine. */
export function webhookBodyProblem(
  body: Uint8Array,
): { statusCode: 413 | 400; code: 'BODY_TOO_LARGE' | 'BODY_TOO_DEEP'; detail: string } | undefined {
  if (body.length > WEBHOOK_MAX_BODY_BYTES)
    return {
      statusCode: 413,
      code: 'BODY_TOO_LARGE',
      detail: `${body.length} bytes, over ${WEBHOOK_MAX_BODY_BYTES}`,
    };
  if (jsonDepthExceeds(body))
    return { statusCode: 400, code: 'BODY_TOO_DEEP', detail: `nested deeper than ${WEBHOOK_MAX_DEPTH}` };
  return undefined;
}

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * The first `maxBytes` bytes of a string, cut on a character boundary (never half a
 * surrogate pair).
 */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (utf8Bytes(s) <= maxBytes) return s;
  // Each UTF-16 unit is at most 3 bytes; a pair is 4 bytes for 2 units.
  let end = Math.min(s.length, maxBytes);
  while (end > 0 && utf8Bytes(s.slice(0, end)) > maxBytes) end = Math.floor(end * 0.9);
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return s.slice(0, end);
}

/** A zod-like issue: where and what, never the value. */
export interface IssueLike {
  code?: string;
  path: readonly PropertyKey[];
  message: string;
  errors?: readonly (readonly IssueLike[])[];
}

/**
 * A short English summary of schema issues: `where: what` for the first few, where a path
 * like `messages[0].text.body`. A union's issues are those of its closest branch. Never a
 * value; property names are cut short.
 */
export function issueSummary(issues: readonly IssueLike[], prefix = '', max = 3): string {
  const flat = flatten(issues);
  const parts = flat.slice(0, max).map((i) => `${pathText(prefix, i.path) || '(root)'}: ${i.message}`);
  if (flat.length > max) parts.push(`+${flat.length - max} more`);
  return parts.join('; ').slice(0, 400);
}

function flatten(issues: readonly IssueLike[], base: readonly PropertyKey[] = []): IssueLike[] {
  const out: IssueLike[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors?.length) {
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
      const branch = flatten(closest, path);
      if (branch.length) {
        out.push(...branch);
        continue;
      }
    }
    out.push({ ...issue, path });
  }
  return out;
}

export function pathText(prefix: string, path: readonly PropertyKey[]): string {
  let s = prefix;
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else s += `${s ? '.' : ''}${String(p).slice(0, 40)}`;
  }
  return s;
}

/**
 * JSON with every non-ASCII character escaped: SQS refuses some characters Meta may send
 * (control characters, lone surrogates), and an escaped body parses back to the same value.
 * Its length is its size in bytes.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** JSON.stringify that never throws (a value nested too deep for the stack: undefined). */
export function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value ?? null);
  } catch {
    return undefined;
  }
}

/** What of an inbound queue item ends up in DynamoDB keys and items. */
export interface InboundItemShape {
  kind: string;
  phoneNumberId?: string;
  contact?: { waId?: string; userId?: string };
  message?: { id?: unknown; from?: unknown; from_user_id?: unknown; context?: { id?: unknown } };
  status?: { id?: unknown; recipient_id?: unknown; recipient_user_id?: unknown };
}

/**
 * Why an inbound item can never be stored (an English detail for the dead-letter reason),
 * or undefined: the item (its JSON) over what a DynamoDB item holds, or an id over
 * MAX_ID_CHARS (ids become parts of keys: 1024 bytes at most in a sort key).
 */
export function inboundItemProblem(item: InboundItemShape): string | undefined {
  const ids: [string, unknown][] = [
    ['phoneNumberId', item.phoneNumberId],
    ['contact.waId', item.contact?.waId],
    ['contact.userId', item.contact?.userId],
    ['message.id', item.message?.id],
    ['message.from', item.message?.from],
    ['message.from_user_id', item.message?.from_user_id],
    ['message.context.id', item.message?.context?.id],
    ['status.id', item.status?.id],
    ['status.recipient_id', item.status?.recipient_id],
    ['status.recipient_user_id', item.status?.recipient_user_id],
  ];
  for (const [name, id] of ids) {
    if (typeof id === 'string' && id.length > MAX_ID_CHARS)
      return `${name} of ${id.length} characters, over ${MAX_ID_CHARS} (a key)`;
  }
  // The stored message is about as big as the item; leave room for its other attributes.
  const bytes = utf8Bytes(safeJson(item) ?? '');
  if (bytes > DYNAMO_MAX_ITEM_BYTES - 16 * 1024)
    return `${item.kind} item of ${bytes} bytes, over what a DynamoDB item holds (400 KB)`;
  return undefined;
}
