/**
 * The WhatsApp Cloud API (Graph API) calls Atende makes: send, mark as read, media.
 * Errors carry Meta's code and text and whether trying again can help.
 *
 * The access token goes to the configured Graph base URL (every call is a path under it,
 * never a URL from elsewhere) and to the media download URL Graph returns, which must be
 * on a host of WHATSAPP_MEDIA_HOSTS (Meta's CDN; the simulator locally) and passes the
 * outbound-URL guard (shared/net/outbound-url.ts). A media id is digits, as Graph's are.
 */
import { metaMediaHosts } from '#infra/topology.ts';
import { mediaHostAllowed } from '#shared/domain/outbound-address.ts';
import { isMetaRetryable } from '#shared/domain/retry-policy.ts';
import { guardedFetch, outboundPolicy, outboundRefusalOf, type Resolver } from '#shared/net/outbound-url.ts';

export class GraphApiError extends Error {
  override name = 'GraphApiError';
  readonly httpStatus: number;
  readonly code: number;
  readonly subcode?: number;
  readonly title: string;
  readonly details?: string;
  readonly fbtraceId?: string;
  readonly retryable: boolean;
  constructor(init: {
    httpStatus: number;
    code: number;
    subcode?: number;
    title: string;
    message: string;
    details?: string;
    fbtraceId?: string;
  }) {
    super(init.message);
    this.httpStatus = init.httpStatus;
    this.code = init.code;
    this.subcode = init.subcode;
    this.title = init.title;
    this.details = init.details;
    this.fbtraceId = init.fbtraceId;
    this.retryable = isRetryable(init.code, init.httpStatus);
  }
}

/** Can sending again help? The one rule of Meta's codes (shared/domain/retry-policy.ts). */
export const isRetryable = isMetaRetryable;

export interface SendResult {
  wamid: string;
  waId?: string;
}

export interface GraphClient {
  sendMessage(phoneNumberId: string, token: string, payload: Record<string, unknown>): Promise<SendResult>;
  markRead(phoneNumberId: string, token: string, wamid: string, typing?: boolean): Promise<void>;
  getMediaUrl(
    mediaId: string,
    token: string,
  ): Promise<{ url: string; mime_type: string; sha256?: string; file_size?: number }>;
  downloadMedia(url: string, token: string): Promise<{ bytes: Buffer; mimeType: string }>;
  uploadMedia(
    phoneNumberId: string,
    token: string,
    bytes: Buffer,
    mimeType: string,
    filename: string,
  ): Promise<string>;
  /** `GET /{waba-id}/message_templates`: one page (Graph's `data`) and the cursor of the next. */
  listTemplates(
    wabaId: string,
    token: string,
    after?: string,
  ): Promise<{ data: Record<string, unknown>[]; after?: string }>;
  /** `POST /{waba-id}/message_templates`: Meta's id and first status (PENDING, usually). */
  createTemplate(
    wabaId: string,
    token: string,
    body: Record<string, unknown>,
  ): Promise<{ id: string; status?: string; category?: string }>;
  /** `GET /{phone-number-id}`: the number as this token sees it (checked before a number is saved). */
  getPhoneNumber(
    phoneNumberId: string,
    token: string,
  ): Promise<{ id: string; display_phone_number?: string; verified_name?: string }>;
}

/** A media id as Graph gives it: digits. Anything else never becomes part of a request. */
export const MEDIA_ID = /^\d{1,64}$/;

/** WhatsApp's largest media (documents, 100 MB), with room for headers' rounding. */
const MEDIA_MAX_BYTES = 101 * 1024 * 1024;

/** A refusal that trying again cannot fix: the media is marked failed with this reason. */
const refused = (title: string, message: string) =>
  new GraphApiError({ httpStatus: 400, code: 100, title, message });

export function createGraphClient(opts: {
  baseUrl: string;
  version: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /**
   * Hosts a media download URL may be on (config WHATSAPP_MEDIA_HOSTS: Meta's CDN; the
   * simulator's origin locally). The token goes to the Graph base URL and to these only.
   */
  mediaHosts?: readonly string[];
  /** DNS for the media download guard (tests). */
  resolve?: Resolver;
}): GraphClient {
  const f = opts.fetch ?? fetch;
  const base = opts.baseUrl.replace(/\/$/, '');
  const baseOrigin = new URL(base).origin;
  const mediaHosts = opts.mediaHosts ?? metaMediaHosts;
  // Origins among the media hosts (the simulator) are the operator's; host rules need https and a public address.
  const mediaOrigins = outboundPolicy(mediaHosts.filter((h) => h.includes('://')));
  /** Graph API calls: always under the configured base URL, the only place the token goes with them. */
  const call = async (path: string, token: string, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(`${base}/${opts.version}/${path}`);
    if (url.origin !== baseOrigin)
      throw refused('Invalid path', `Caminho inválido para a Graph API: ${path}`);
    let res: Response;
    try {
      res = await f(url, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
        signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
        // A redirect would carry the token elsewhere.
        redirect: 'error',
      });
    } catch (err) {
      // Network failures and timeouts: worth another try.
      throw networkError(err);
    }
    if (!res.ok) throw await toError(res);
    return res;
  };
  return {
    async sendMessage(phoneNumberId, token, payload) {
      const res = await call(`${phoneNumberId}/messages`, token, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', ...payload }),
      });
      const body = (await res.json()) as { messages?: { id: string }[]; contacts?: { wa_id?: string }[] };
      const wamid = body.messages?.[0]?.id;
      if (!wamid)
        throw new GraphApiError({
          httpStatus: 502,
          code: 131000,
          title: 'No message id',
          message: 'Meta accepted the message without an id',
        });
      return { wamid, waId: body.contacts?.[0]?.wa_id };
    },
    async markRead(phoneNumberId, token, wamid, typing) {
      await call(`${phoneNumberId}/messages`, token, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          messaging_product: 'whatsapp',
          status: 'read',
          message_id: wamid,
          ...(typing ? { typing_indicator: { type: 'text' } } : {}),
        }),
      });
    },
    async getMediaUrl(mediaId, token) {
      if (!MEDIA_ID.test(mediaId))
        throw refused('Invalid media id', `Identificador de mídia inválido: ${mediaId.slice(0, 60)}`);
      const res = await call(mediaId, token);
      const info = (await res.json()) as {
        url: string;
        mime_type: string;
        sha256?: string;
        file_size?: number;
      };
      if (typeof info.url !== 'string')
        throw refused('No media URL', 'A Meta não informou o endereço da mídia.');
      return info;
    },
    async downloadMedia(url, token) {
      const allowed = (u: URL) =>
        mediaHostAllowed(u, mediaHosts)
          ? undefined
          : ({ kind: 'other', text: `${u.host} não é um servidor de mídia permitido.` } as const);
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw refused('Invalid media URL', 'Endereço de mídia inválido.');
      }
      const hostRefusal = allowed(parsed);
      if (hostRefusal) throw refused('Media URL not allowed', `Download recusado: ${hostRefusal.text}`);
      let res: Response;
      try {
        res = await guardedFetch(
          parsed,
          { headers: { authorization: `Bearer ${token}` } },
          {
            policy: mediaOrigins,
            allowUrl: allowed,
            timeoutMs: opts.timeoutMs ? Math.max(opts.timeoutMs, 60_000) : 60_000,
            maxBytes: MEDIA_MAX_BYTES,
            ...(opts.resolve ? { resolve: opts.resolve } : {}),
          },
        );
      } catch (err) {
        const why = outboundRefusalOf(err);
        if (why) throw refused('Media URL not allowed', `Download recusado: ${why.message}`);
        throw networkError(err);
      }
      if (!res.ok) throw await toError(res);
      let bytes: Buffer;
      try {
        bytes = Buffer.from(await res.arrayBuffer());
      } catch (err) {
        const why = outboundRefusalOf(err);
        if (why) throw refused('Media too large', why.message);
        throw networkError(err);
      }
      return { bytes, mimeType: res.headers.get('content-type') ?? 'application/octet-stream' };
    },
    async uploadMedia(phoneNumberId, token, bytes, mimeType, filename) {
      const form = new FormData();
      form.set('messaging_product', 'whatsapp');
      form.set('type', mimeType);
      form.set('file', new Blob([new Uint8Array(bytes)], { type: mimeType }), filename);
      const res = await call(`${phoneNumberId}/media`, token, { method: 'POST', body: form });
      return ((await res.json()) as { id: string }).id;
    },
    async listTemplates(wabaId, token, after) {
      if (!/^\d{1,30}$/.test(wabaId))
        throw new GraphApiError({ httpStatus: 400, code: 100, title: 'Invalid id', message: 'Invalid id' });
      const q = new URLSearchParams({
        fields: 'id,name,language,category,status,parameter_format,components,rejected_reason,quality_score',
        limit: '100',
        ...(after ? { after } : {}),
      });
      const res = await call(`${wabaId}/message_templates?${q}`, token);
      const body = (await res.json()) as {
        data?: Record<string, unknown>[];
        paging?: { cursors?: { after?: string }; next?: string };
      };
      const next = body.paging?.next ? body.paging.cursors?.after : undefined;
      return { data: body.data ?? [], ...(next ? { after: next } : {}) };
    },
    async createTemplate(wabaId, token, body) {
      if (!/^\d{1,30}$/.test(wabaId))
        throw new GraphApiError({ httpStatus: 400, code: 100, title: 'Invalid id', message: 'Invalid id' });
      const res = await call(`${wabaId}/message_templates`, token, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const out = (await res.json()) as { id: string | number; status?: string; category?: string };
      return { ...out, id: String(out.id) };
    },
    async getPhoneNumber(phoneNumberId, token) {
      // Digits only: the id becomes a path segment of the Graph URL, never a URL itself.
      if (!/^\d{1,30}$/.test(phoneNumberId))
        throw new GraphApiError({ httpStatus: 400, code: 100, title: 'Invalid id', message: 'Invalid id' });
      const res = await call(`${phoneNumberId}?fields=id,display_phone_number,verified_name`, token);
      return (await res.json()) as { id: string; display_phone_number?: string; verified_name?: string };
    },
  };
}

/**
 * A network failure or timeout: worth another try. Its cause is kept: a send refused before
 * it reached Meta (ECONNREFUSED…) was not accepted, a timeout may have been (send-state.ts).
 */
const networkError = (err: unknown) =>
  Object.assign(
    new GraphApiError({
      httpStatus: 503,
      code: 131000,
      title: 'Network error',
      message: (err as Error).message,
    }),
    { cause: err },
  );

async function toError(res: Response): Promise<GraphApiError> {
  let e: {
    message?: string;
    code?: number;
    error_subcode?: number;
    error_user_title?: string;
    type?: string;
    error_data?: { details?: string };
    fbtrace_id?: string;
  } = {};
  try {
    e = ((await res.json()) as { error?: typeof e }).error ?? {};
  } catch {
    /* not JSON */
  }
  return new GraphApiError({
    httpStatus: res.status,
    code: e.code ?? (res.status === 429 ? 130429 : res.status >= 500 ? 131000 : 100),
    subcode: e.error_subcode,
    title: e.error_user_title ?? e.type ?? res.statusText,
    message: e.message ?? `Graph API answered ${res.status}`,
    details: e.error_data?.details,
    fbtraceId: e.fbtrace_id,
  });
}
