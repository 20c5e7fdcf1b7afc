/**
 * The headers of an assistant's HTTP endpoints (API keys, tokens) are write-only, like a
 * number's token: the API shows each header's name and whether it has a value, never the
 * value. On save, a header sent with a value sets it; sent without one, it keeps the value
 * stored for that endpoint — only while the endpoint still points at the same origin (a
 * user who may edit assistants but never saw the key cannot redirect it to their own
 * server); a header left out is removed.
 */

export interface HeaderInput {
  name: string;
  value?: string | undefined;
}

export interface ToolHeadersInput {
  name: string;
  url: string;
  headers: HeaderInput[];
}

export interface StoredToolHeaders {
  name: string;
  url: string;
  headers: Record<string, string>;
}

export type HeaderProblem = {
  tool: string;
  header: string;
  reason: 'missing' | 'moved' | 'duplicate';
};

export type HeadersResolution =
  { ok: true; headers: Record<string, string>[] } | ({ ok: false } & HeaderProblem);

const origin = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
};

/** Header names and whether each has a value: what the API shows. */
export function publicHeaders(headers: Record<string, string>): { name: string; set: boolean }[] {
  return Object.entries(headers).map(([name, value]) => ({ name, set: value !== '' }));
}

/**
 * The headers each incoming tool stores, in order. The stored tool a header keeps its
 * value from is the one of the same name, else the one at the same position.
 */
export function resolveToolHeaders(
  incoming: ToolHeadersInput[],
  stored: StoredToolHeaders[],
): HeadersResolution {
  const out: Record<string, string>[] = [];
  for (const [i, tool] of incoming.entries()) {
    const previous = stored.find((s) => s.name === tool.name) ?? stored[i];
    const headers: Record<string, string> = {};
    const seen = new Set<string>();
    for (const h of tool.headers) {
      const lower = h.name.toLowerCase();
      if (seen.has(lower)) return { ok: false, tool: tool.name, header: h.name, reason: 'duplicate' };
      seen.add(lower);
      if (h.value !== undefined) {
        headers[h.name] = h.value;
        continue;
      }
      const kept = previous
        ? Object.entries(previous.headers).find(([k]) => k.toLowerCase() === lower)
        : undefined;
      if (!kept) return { ok: false, tool: tool.name, header: h.name, reason: 'missing' };
      if (origin(previous!.url) !== origin(tool.url))
        return { ok: false, tool: tool.name, header: h.name, reason: 'moved' };
      headers[h.name] = kept[1];
    }
    out.push(headers);
  }
  return { ok: true, headers: out };
}

/** Removes every header value from a text (a tool's answer that echoes the request). */
export function redactHeaderValues(text: string, headers: Record<string, string>): string {
  let out = text;
  // Longest first, so a value that contains another is removed whole.
  const values = Object.values(headers)
    .flatMap((v) => [v, v.replace(/^(Bearer|Basic|Token)\s+/i, '')])
    .filter((v) => v.length >= 4)
    .sort((a, b) => b.length - a.length);
  for (const v of values) out = out.split(v).join('***');
  return out;
}
