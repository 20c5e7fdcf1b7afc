/**
 * The outbound-URL guard: every server-side fetch of a URL that a tenant, a customer or
 * Meta supplied goes through here (the assistant's HTTP tools, the account's LLM base URL
 * and embeddings, web push endpoints, WhatsApp media downloads, media by link at save time).
 *
 * - `checkOutboundUrl` — at save time: the URL's shape (shared/domain/outbound-address.ts)
 *   and, for a host name, every address DNS gives now. A 400 `URL_NOT_ALLOWED` in pt-BR.
 *   A name that does not resolve now is accepted: the call-time check decides.
 * - `guardedFetch` — at call time: the same rules, on every redirect hop (followed by hand,
 *   at most 3), with the connection made to the address that was checked (the DNS answer
 *   is checked inside the socket's own lookup, so nothing can rebind between check and
 *   connect), a timeout and a cap on the response's size (streamed; aborted past it).
 *
 * Origins the deployment's operator listed in OUTBOUND_ALLOWED_ORIGINS (the local
 * simulator, a local model, a test's scripted server) skip the address rules; a tenant
 * cannot add to that list.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent, fetch as undiciFetch } from 'undici';
import {
  checkUrlShape,
  nonPublicRange,
  parseOrigins,
  refusalText,
  type UrlRefusal,
} from '#shared/domain/outbound-address.ts';
import { ValidationError } from '#shared/errors.ts';

/** What the operator allows beyond the public internet (config: OUTBOUND_ALLOWED_ORIGINS). */
export interface OutboundPolicy {
  allowedOrigins: readonly string[];
}

/** No exceptions: https to public addresses only. */
export const STRICT_POLICY: OutboundPolicy = Object.freeze({ allowedOrigins: Object.freeze([]) });

/** A policy from a comma-separated list of origins (`http://127.0.0.1:4003,https://x`). */
export function outboundPolicy(origins: string | readonly string[] | undefined): OutboundPolicy {
  return {
    allowedOrigins:
      typeof origins === 'string' ? parseOrigins(origins) : parseOrigins((origins ?? []).join(',')),
  };
}

export type GuardRefusal = UrlRefusal | { kind: 'redirects' } | { kind: 'other'; text: string };

/** A URL the guard refuses: 400 `URL_NOT_ALLOWED` when it reaches the API. */
export class OutboundUrlError extends ValidationError {
  readonly refusal: GuardRefusal;
  constructor(refusal: GuardRefusal) {
    const why =
      refusal.kind === 'redirects'
        ? 'redirecionamentos demais.'
        : refusal.kind === 'other'
          ? refusal.text
          : refusalText(refusal);
    super(`URL não permitida: ${why}`, undefined, 'URL_NOT_ALLOWED');
    this.refusal = refusal;
  }
}

/** The response passed the size cap: the transfer was aborted. */
export class OutboundResponseTooLargeError extends Error {
  readonly code = 'RESPONSE_TOO_LARGE';
  constructor(maxBytes: number) {
    super(`Resposta maior que o limite de ${maxBytes} bytes: interrompida.`);
    this.name = 'OutboundResponseTooLargeError';
  }
}

/** The guard's error behind another library's wrapper (undici's `fetch failed`, openai's connection error). */
export function outboundRefusalOf(
  err: unknown,
): OutboundUrlError | OutboundResponseTooLargeError | undefined {
  for (let e = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++)
    if (e instanceof OutboundUrlError || e instanceof OutboundResponseTooLargeError) return e;
  return undefined;
}

export type Resolver = (host: string) => Promise<LookupAddress[]>;

const systemResolve: Resolver = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) =>
      err ? reject(err) : resolve(addresses),
    ),
  );

/** The first resolved address that is not public, if any. */
function firstNonPublic(addresses: LookupAddress[]): UrlRefusal | undefined {
  for (const a of addresses) {
    const range = nonPublicRange(a.address);
    if (range) return { kind: 'address', address: a.address, range };
  }
  return undefined;
}

type LookupCallback = (err: Error | null, address?: string | LookupAddress[], family?: number) => void;

/**
 * A socket `lookup` that resolves the name, refuses it when any address is not public, and
 * hands the socket exactly the addresses it checked.
 */
function guardedLookup(resolve: Resolver) {
  return (hostname: string, options: { all?: boolean; family?: number | string }, cb: LookupCallback) => {
    resolve(hostname).then(
      (addresses) => {
        const bad = firstNonPublic(addresses);
        if (bad) return cb(new OutboundUrlError(bad));
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = family ? addresses.filter((a) => a.family === family) : addresses;
        const first = usable[0];
        if (!first)
          return cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
        if (options.all) cb(null, usable);
        else cb(null, first.address, first.family);
      },
      (err: Error) => cb(err),
    );
  };
}

const agents = new Map<Resolver, Agent>();
function guardedAgent(resolve: Resolver): Agent {
  let a = agents.get(resolve);
  if (!a) {
    a = new Agent({ connect: { lookup: guardedLookup(resolve) as never } });
    agents.set(resolve, a);
  }
  return a;
}

/**
 * Save-time check: the URL's shape, then the addresses its host has now. Returns the
 * parsed URL; throws OutboundUrlError (400 `URL_NOT_ALLOWED`, pt-BR) when refused.
 */
export async function checkOutboundUrl(
  raw: string,
  policy: OutboundPolicy = STRICT_POLICY,
  opts: { resolve?: Resolver; timeoutMs?: number } = {},
): Promise<URL> {
  const check = checkUrlShape(raw, policy.allowedOrigins);
  if (!check.ok) throw new OutboundUrlError(check.refusal);
  if (check.operatorAllowed || check.hostIsAddress) return check.url;
  let addresses: LookupAddress[];
  try {
    addresses = await Promise.race([
      (opts.resolve ?? systemResolve)(check.url.hostname),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('DNS timeout')), opts.timeoutMs ?? 3000).unref(),
      ),
    ]);
  } catch {
    // Not resolvable now (a name not yet published, no network): call time checks again.
    return check.url;
  }
  const bad = firstNonPublic(addresses);
  if (bad) throw new OutboundUrlError(bad);
  return check.url;
}

export interface GuardOptions {
  policy?: OutboundPolicy;
  /** The whole exchange, redirects and body included (default 10 s). */
  timeoutMs?: number;
  /** Response body cap (default 5 MB). */
  maxBytes?: number;
  /** Redirect hops followed, each checked again (default 3). */
  maxRedirects?: number;
  /** A further rule for every hop (e.g. WhatsApp media: only Meta's hosts). */
  allowUrl?: (url: URL) => GuardRefusal | undefined;
  /** DNS (tests pass their own). */
  resolve?: Resolver;
}

/** Headers that may follow a redirect to another origin; credentials and custom keys do not. */
const CROSS_ORIGIN_HEADERS = new Set(['accept', 'accept-language', 'content-type', 'user-agent']);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 204, 205, 304]);

/** fetch through the guard. Throws OutboundUrlError when a hop is refused. */
export async function guardedFetch(
  input: string | URL,
  init: RequestInit = {},
  opts: GuardOptions = {},
): Promise<Response> {
  const policy = opts.policy ?? STRICT_POLICY;
  const maxBytes = opts.maxBytes ?? 5 * 1024 * 1024;
  const maxRedirects = opts.maxRedirects ?? 3;
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 10_000);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  const resolve = opts.resolve ?? systemResolve;
  let url = String(input);
  let method = (init.method ?? 'GET').toUpperCase();
  let body = init.body ?? undefined;
  let headers = new Headers(init.headers);
  let origin: string | undefined;

  for (let hop = 0; ; hop++) {
    const check = checkUrlShape(url, policy.allowedOrigins);
    if (!check.ok) throw new OutboundUrlError(check.refusal);
    const extra = opts.allowUrl?.(check.url);
    if (extra) throw new OutboundUrlError(extra);
    if (origin && origin !== check.url.origin)
      headers = new Headers([...headers].filter(([k]) => CROSS_ORIGIN_HEADERS.has(k.toLowerCase())));
    origin = check.url.origin;

    let res: Awaited<ReturnType<typeof undiciFetch>>;
    try {
      res = await undiciFetch(check.url, {
        method,
        headers: headers as never,
        body: body as never,
        signal,
        redirect: 'manual',
        ...(body instanceof ReadableStream ? { duplex: 'half' as const } : {}),
        // The operator's own origins connect as they are; everything else through the checked lookup.
        ...(check.operatorAllowed ? {} : { dispatcher: guardedAgent(resolve) }),
      });
    } catch (err) {
      throw outboundRefusalOf(err) ?? err;
    }

    const location = res.headers.get('location');
    if (REDIRECTS.has(res.status) && location) {
      await res.body?.cancel().catch(() => {});
      if (hop >= maxRedirects) throw new OutboundUrlError({ kind: 'redirects' });
      url = new URL(location, check.url).toString();
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        if (method !== 'HEAD') method = 'GET';
        body = undefined;
        headers.delete('content-type');
        headers.delete('content-length');
      }
      continue;
    }

    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw new OutboundResponseTooLargeError(maxBytes);
    }
    let seen = 0;
    const capped =
      !res.body || NULL_BODY.has(res.status)
        ? null
        : (res.body as unknown as ReadableStream<Uint8Array>).pipeThrough(
            new TransformStream<Uint8Array, Uint8Array>({
              transform(chunk, ctl) {
                seen += chunk.byteLength;
                if (seen > maxBytes) ctl.error(new OutboundResponseTooLargeError(maxBytes));
                else ctl.enqueue(chunk);
              },
            }),
          );
    return new Response(capped, {
      status: res.status,
      statusText: res.statusText,
      headers: [...res.headers] as [string, string][],
    });
  }
}

/** A `fetch` bound to the guard (for libraries that take one, like `openai`). */
export function guardedFetcher(opts: GuardOptions): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    if (input instanceof Request)
      return guardedFetch(
        input.url,
        { method: input.method, headers: input.headers, body: input.body, signal: input.signal, ...init },
        opts,
      );
    return guardedFetch(input, init, opts);
  }) as typeof fetch;
}
