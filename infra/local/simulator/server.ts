/**
 * The local WhatsApp: the Graph API endpoints Atende calls (validated against Meta's
 * limits, failing as Meta fails), and a customer phone page that sends signed webhooks
 * to the local webhook URL, as Meta would. Statuses follow each send: sent, delivered,
 * and read once the phone page has shown the message.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signBody } from '#shared/whatsapp/signature.ts';
import { validateOutbound } from '#shared/whatsapp/limits.ts';
import { canonicalPhone } from '#shared/domain/phone.ts';
import {
  paramsOf,
  renderTemplateText,
  sendParameterMismatch,
  templateComponentSchema,
  templateCreateProblems,
  templateCreateSchema,
} from '#shared/domain/templates.ts';
import { coalescedWrite } from '../coalesced-write.ts';
import { listen } from '../server-lifecycle.ts';
import { phonePage } from './phone-page.ts';

export interface SimNumber {
  phoneNumberId: string;
  displayPhone: string;
  wabaId: string;
  name: string;
}

export interface SimulatorOptions {
  port: number;
  host?: string;
  webhookUrl: string;
  appSecret: string;
  accessToken: string;
  phoneNumbers: SimNumber[];
  dataDir?: string;
  /**
   * Templates "Meta" already has (Graph's shape; `wabaId` defaults to the first number's):
   * the demo's approved ones.
   */
  templates?: readonly (Record<string, unknown> & { id: string })[];
  /**
   * How long "Meta" reviews a created template before its status webhook (APPROVED, or
   * REJECTED for a name starting with `rejeitar_`). Default 5 s; tests use less.
   */
  templateReviewMs?: number;
}

/** A template as "Meta" keeps it (Graph's GET shape) with its WABA. */
export interface SimTemplate {
  id: string;
  wabaId: string;
  name: string;
  language: string;
  category: string;
  status: string;
  parameter_format: string;
  components: Record<string, unknown>[];
  rejected_reason?: string;
}

/** A message on the simulated phone: sent by the customer, or received from the business. */
export interface PhoneMessage {
  wamid: string;
  direction: 'customer' | 'business';
  customer: string;
  phoneNumberId: string;
  type: string;
  payload: Record<string, unknown>;
  at: number;
  status?: 'sent' | 'delivered' | 'read' | 'failed';
  /** A template as the phone shows it (its text with the parameters sent). */
  shown?: string;
}

export interface Simulator {
  url: string;
  /** Make the next `times` calls of a kind fail as Meta would. */
  failNext(f: {
    path: 'messages' | 'media-url' | 'media-download';
    times: number;
    status: number;
    code: number;
    message?: string;
  }): void;
  outbox(customer?: string): PhoneMessage[];
  /** The templates "Meta" holds (every WABA). */
  templates(): SimTemplate[];
  stop(): Promise<void>;
}

interface Failure {
  path: string;
  times: number;
  status: number;
  code: number;
  message?: string;
}

const API_VERSION = /^\/v\d+\.\d+\//;

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const url = `http://localhost:${opts.port}`;
  const state: {
    messages: PhoneMessage[];
    media: Record<string, { mime: string; file: string; filename?: string }>;
    /** Numbers registered later (`POST /sim/numbers`), as one creates a number in WhatsApp Manager. */
    numbers?: SimNumber[];
    templates: SimTemplate[];
  } = {
    messages: [],
    media: {},
    templates: [],
  };
  const dir = opts.dataDir;
  const stateFile = dir ? join(dir, 'simulator.json') : undefined;
  if (dir) mkdirSync(join(dir, 'media'), { recursive: true });
  if (stateFile && existsSync(stateFile)) {
    try {
      Object.assign(state, JSON.parse(readFileSync(stateFile, 'utf8')));
    } catch {
      /* a corrupt simulator state only loses the phone's history */
    }
  }
  const memoryMedia = new Map<string, Buffer>();
  // The phone's history, written at most every 200 ms (and on stop).
  const stateWrite = coalescedWrite(
    () => stateFile && writeFileSync(stateFile, JSON.stringify(state)),
    200,
    'simulator',
  );
  const save = () => {
    if (stateFile) stateWrite.schedule();
  };
  const failures: Failure[] = [];
  const listeners = new Set<ServerResponse>();
  const numbers = new Map([...opts.phoneNumbers, ...(state.numbers ?? [])].map((n) => [n.phoneNumberId, n]));

  // Templates: the given ones (demo) unless the saved state has them already.
  for (const t of opts.templates ?? []) {
    if (state.templates.some((x) => x.id === t.id)) continue;
    state.templates.push({
      wabaId: opts.phoneNumbers[0]?.wabaId ?? '',
      status: 'APPROVED',
      parameter_format: 'POSITIONAL',
      ...(t as Partial<SimTemplate>),
    } as SimTemplate);
  }
  const reviews = new Map<string, NodeJS.Timeout>();
  const wabaKnown = (wabaId: string) =>
    /^\d{1,30}$/.test(wabaId) && [...numbers.values()].some((n) => n.wabaId === wabaId);
  /** "Meta" decides: the status changes and the WABA-level status webhook goes out, signed. */
  const decideTemplate = (
    t: SimTemplate,
    event: 'APPROVED' | 'REJECTED',
    reason?: string,
    detail?: string,
  ) => {
    clearTimeout(reviews.get(t.id));
    reviews.delete(t.id);
    t.status = event;
    if (event === 'REJECTED') t.rejected_reason = reason ?? 'INVALID_FORMAT';
    else delete t.rejected_reason;
    save();
    return deliverWabaEvent(t.wabaId, 'message_template_status_update', {
      event,
      message_template_id: Number(t.id),
      message_template_name: t.name,
      message_template_language: t.language,
      reason: event === 'REJECTED' ? (reason ?? 'INVALID_FORMAT') : 'NONE',
      message_template_category: t.category,
      ...(event === 'REJECTED' && detail ? { rejection_info: { reason: detail, recommendation: '' } } : {}),
    });
  };
  const templateReviewMs = opts.templateReviewMs ?? 5000;

  const broadcast = (m: PhoneMessage) => {
    for (const res of listeners) res.write(`data: ${JSON.stringify(m)}\n\n`);
  };
  const storeMedia = (bytes: Buffer, mime: string, filename?: string) => {
    // Digits, like Graph's media ids (the engine refuses anything else).
    const id = `${Date.now()}${String(randomBytes(4).readUInt32BE(0)).padStart(10, '0')}`;
    if (dir) writeFileSync(join(dir, 'media', id), bytes);
    else memoryMedia.set(id, bytes);
    state.media[id] = { mime, file: id, filename };
    save();
    return id;
  };
  const readMediaBytes = (id: string) =>
    dir && existsSync(join(dir, 'media', id)) ? readFileSync(join(dir, 'media', id)) : memoryMedia.get(id);

  /** Posts a signed webhook like Meta does; retried a few times (Meta retries for days). */
  const deliver = async (value: Record<string, unknown>, phoneNumberId: string) => {
    const n = numbers.get(phoneNumberId);
    await post(
      JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: n?.wabaId ?? 'waba',
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: n?.displayPhone ?? '', phone_number_id: phoneNumberId },
                  ...value,
                },
              },
            ],
          },
        ],
      }),
    );
  };
  /** A WABA-level webhook (template status…): the entry names the WABA, no number. */
  const deliverWabaEvent = (wabaId: string, field: string, value: Record<string, unknown>) =>
    post(
      JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [{ id: wabaId, time: Math.floor(Date.now() / 1000), changes: [{ field, value }] }],
      }),
    );
  const post = async (body: string) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const res = await fetch(opts.webhookUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-hub-signature-256': signBody(body, opts.appSecret),
          },
          body,
        });
        if (res.ok) return;
      } catch {
        /* the stack may be starting */
      }
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    }
  };

  const statusWebhook = (m: PhoneMessage, status: 'sent' | 'delivered' | 'read') => {
    m.status = status;
    save();
    broadcast(m);
    return deliver(
      {
        statuses: [
          {
            id: m.wamid,
            status,
            timestamp: String(Math.floor(Date.now() / 1000)),
            recipient_id: m.customer,
            // Meta echoes the send's biz_opaque_callback_data in every status of that message.
            ...(typeof m.payload.biz_opaque_callback_data === 'string'
              ? { biz_opaque_callback_data: m.payload.biz_opaque_callback_data }
              : {}),
          },
        ],
      },
      m.phoneNumberId,
    );
  };

  /** What a customer does on the phone page (or a script): a Cloud API inbound message. */
  const customerSend = async (input: Record<string, unknown>) => {
    const from = canonicalPhone(String(input.from ?? ''));
    const phoneNumberId = String(input.phoneNumberId ?? opts.phoneNumbers[0]?.phoneNumberId);
    const name = String(input.name ?? 'Cliente');
    const wamid = `wamid.SIM${randomBytes(12).toString('base64url')}`;
    const type = String(input.type ?? 'text');
    let content: Record<string, unknown>;
    if (type === 'text') content = { text: { body: String(input.text ?? '') } };
    else if (type === 'location') content = { location: input.location };
    else if (type === 'interactive') content = { interactive: input.interactive };
    else if (['image', 'audio', 'video', 'document', 'sticker'].includes(type)) {
      const file = input.media as {
        base64: string;
        mimeType: string;
        filename?: string;
        caption?: string;
        voice?: boolean;
      };
      const bytes = Buffer.from(file.base64, 'base64');
      const id = storeMedia(bytes, file.mimeType, file.filename);
      content = {
        [type]: {
          id,
          mime_type: file.mimeType,
          sha256: createHash('sha256').update(bytes).digest('base64'),
          ...(file.caption ? { caption: file.caption } : {}),
          ...(file.filename && type === 'document' ? { filename: file.filename } : {}),
          ...(type === 'audio' && file.voice ? { voice: true } : {}),
        },
      };
    } else content = { [type]: input[type] ?? {} };
    const context = input.replyTo
      ? { context: { from: numbers.get(phoneNumberId)?.displayPhone, id: String(input.replyTo) } }
      : {};
    const message = {
      from,
      id: wamid,
      timestamp: String(Math.floor(Date.now() / 1000)),
      type,
      ...content,
      ...context,
    };
    const phoneMessage: PhoneMessage = {
      wamid,
      direction: 'customer',
      customer: from,
      phoneNumberId,
      type,
      payload: message,
      at: Date.now(),
    };
    state.messages.push(phoneMessage);
    save();
    broadcast(phoneMessage);
    await deliver({ contacts: [{ profile: { name }, wa_id: from }], messages: [message] }, phoneNumberId);
    return { wamid };
  };

  const takeFailure = (path: string) => {
    const f = failures.find((x) => x.path === path && x.times > 0);
    if (f) f.times--;
    return f;
  };
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    res.end(JSON.stringify(body));
  };
  const metaError = (res: ServerResponse, status: number, code: number, message: string, details?: string) =>
    json(res, status, {
      error: {
        message,
        type: code === 190 ? 'OAuthException' : 'WhatsAppBusinessApiError',
        code,
        ...(details ? { error_data: { messaging_product: 'whatsapp', details } } : {}),
        fbtrace_id: randomBytes(6).toString('hex'),
      },
    });
  const authorized = (req: IncomingMessage) => req.headers.authorization === `Bearer ${opts.accessToken}`;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', url);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const path = u.pathname;

    // --- the phone page and its API ---------------------------------------------------
    if (req.method === 'GET' && path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(phonePage([...numbers.values()]));
    }
    if (req.method === 'POST' && path === '/sim/numbers') {
      // Registers a business number with "Meta" (what WhatsApp Manager does), so that
      // Atende's check (`GET /{phone-number-id}`) finds it when an admin connects it.
      const n = JSON.parse(raw.toString('utf8') || '{}') as Partial<SimNumber>;
      if (!n.phoneNumberId || !/^\d{1,30}$/.test(n.phoneNumberId) || !n.displayPhone)
        return metaError(res, 400, 100, 'phoneNumberId (digits) and displayPhone are required');
      const number: SimNumber = {
        phoneNumberId: n.phoneNumberId,
        displayPhone: n.displayPhone,
        wabaId: n.wabaId ?? opts.phoneNumbers[0]?.wabaId ?? '',
        name: n.name ?? n.displayPhone,
      };
      numbers.set(number.phoneNumberId, number);
      state.numbers = [
        ...(state.numbers ?? []).filter((x) => x.phoneNumberId !== number.phoneNumberId),
        number,
      ];
      save();
      return json(res, 200, number);
    }
    const rejectPath = /^\/sim\/templates\/(\d{1,30})\/reject$/.exec(path);
    if (req.method === 'POST' && rejectPath) {
      // "Meta" rejects a template (any state), with a reason code and an optional text.
      const t = state.templates.find((x) => x.id === rejectPath[1]);
      if (!t) return json(res, 404, { error: { message: 'Unknown template', code: 100 } });
      const b = JSON.parse(raw.toString('utf8') || '{}') as { reason?: string; detail?: string };
      // Answered at once; the webhook follows (retried while the receiver is down).
      void decideTemplate(t, 'REJECTED', b.reason, b.detail);
      return json(res, 200, t);
    }
    if (req.method === 'GET' && path === '/sim/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(': ok\n\n');
      listeners.add(res);
      req.on('close', () => listeners.delete(res));
      return;
    }
    if (req.method === 'GET' && path === '/sim/outbox') {
      const to = u.searchParams.get('to');
      return json(res, 200, {
        messages: state.messages.filter((m) => !to || m.customer === canonicalPhone(to)),
      });
    }
    if (req.method === 'POST' && path === '/sim/customer/send') {
      return json(
        res,
        200,
        await customerSend(JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>),
      );
    }
    if (req.method === 'POST' && path === '/sim/customer/seen') {
      // The phone page shows these business messages: read receipts go to the business.
      const { wamids } = JSON.parse(raw.toString('utf8') || '{}') as { wamids?: string[] };
      for (const id of wamids ?? []) {
        const m = state.messages.find((x) => x.wamid === id && x.direction === 'business');
        if (m && m.status !== 'read' && m.status !== 'failed') void statusWebhook(m, 'read');
      }
      return json(res, 200, { ok: true });
    }
    if (req.method === 'GET' && path.startsWith('/media-download/')) {
      if (!authorized(req)) return metaError(res, 401, 190, 'Error validating access token');
      if (takeFailure('media-download')) return metaError(res, 500, 131000, 'Something went wrong');
      const id = path.slice('/media-download/'.length).split('?')[0]!;
      const meta = state.media[id];
      const bytes = readMediaBytes(id);
      if (!meta || !bytes) return metaError(res, 404, 100, 'Media not found');
      res.writeHead(200, { 'content-type': meta.mime, 'content-length': String(bytes.length) });
      return res.end(bytes);
    }
    if (req.method === 'GET' && path.startsWith('/sim/media/')) {
      // The phone page shows media the business sent (no token: it is the customer's phone).
      const id = path.slice('/sim/media/'.length);
      const bytes = readMediaBytes(id);
      const meta = state.media[id];
      if (!bytes || !meta) return json(res, 404, {});
      res.writeHead(200, { 'content-type': meta.mime });
      return res.end(bytes);
    }

    // --- the Graph API ------------------------------------------------------------------
    if (!API_VERSION.test(path)) return json(res, 404, { error: { message: 'Unknown path', code: 100 } });
    if (!authorized(req))
      return metaError(res, 401, 190, 'Error validating access token: Session has expired or is invalid.');
    const parts = path.replace(API_VERSION, '').split('/');
    if (req.method === 'POST' && parts[1] === 'messages') {
      const f = takeFailure('messages');
      if (f) return metaError(res, f.status, f.code, f.message ?? 'Scripted failure');
      const phoneNumberId = parts[0]!;
      if (!numbers.has(phoneNumberId))
        return metaError(
          res,
          400,
          100,
          `Unsupported post request. Object with ID '${phoneNumberId}' does not exist`,
        );
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        return metaError(res, 400, 100, 'Invalid JSON');
      }
      if (body.status === 'read') return json(res, 200, { success: true });
      const violations = validateOutbound(body);
      if (violations.length)
        return metaError(
          res,
          400,
          131009,
          'Parameter value is not valid',
          violations.map((v) => v.message).join('; '),
        );
      let shown: string | undefined;
      if (body.type === 'template') {
        // Meta's checks: the template exists in that language on the number's WABA and is
        // approved (132001), and the parameters given match its own (132000).
        const send = (body.template ?? {}) as {
          name?: string;
          language?: { code?: string };
          components?: { type?: string; index?: string; parameters?: unknown[] }[];
        };
        const wabaId = numbers.get(phoneNumberId)!.wabaId;
        const t = state.templates.find(
          (x) => x.wabaId === wabaId && x.name === send.name && x.language === send.language?.code,
        );
        if (!t || t.status !== 'APPROVED')
          return metaError(
            res,
            404,
            132001,
            'Template name does not exist in the translation',
            `template name (${String(send.name)}) does not exist in ${String(send.language?.code)}`,
          );
        const components = t.components
          .map((c) => templateComponentSchema.safeParse(c))
          .flatMap((r) => (r.success ? [r.data] : []));
        const mismatch = sendParameterMismatch({ components }, send);
        // What the phone shows: the template's text with the values sent, by position or name.
        const valuesOf = (type: 'header' | 'body') => {
          const c = components.find((x) => x.type === type.toUpperCase());
          const keys = paramsOf(c && 'text' in c ? c.text : undefined);
          const given = (send.components ?? []).find((x) => x.type === type)?.parameters ?? [];
          return Object.fromEntries(
            (given as { text?: string; parameter_name?: string }[]).map((p, i) => [
              p.parameter_name ?? keys[i] ?? String(i + 1),
              String(p.text ?? ''),
            ]),
          );
        };
        shown = renderTemplateText({ components }, { header: valuesOf('header'), body: valuesOf('body') });
        if (mismatch)
          return metaError(
            res,
            400,
            132000,
            'Number of parameters does not match the expected number of params',
            mismatch,
          );
      }
      const to = canonicalPhone(String(body.to ?? ''));
      const wamid = `wamid.BIZ${randomBytes(12).toString('base64url')}`;
      const type = String(body.type);
      const m: PhoneMessage = {
        wamid,
        direction: 'business',
        customer: to,
        phoneNumberId,
        type,
        payload: body,
        at: Date.now(),
        ...(shown !== undefined ? { shown } : {}),
      };
      state.messages.push(m);
      save();
      setTimeout(
        () =>
          void statusWebhook(m, 'sent').then(() => setTimeout(() => void statusWebhook(m, 'delivered'), 150)),
        100,
      );
      return json(res, 200, {
        messaging_product: 'whatsapp',
        contacts: [{ input: String(body.to), wa_id: to }],
        messages: [{ id: wamid }],
      });
    }
    if (parts[1] === 'message_templates' && (req.method === 'GET' || req.method === 'POST')) {
      const wabaId = parts[0]!;
      if (!wabaKnown(wabaId))
        return metaError(
          res,
          400,
          100,
          `Unsupported ${req.method.toLowerCase()} request. Object with ID '${wabaId}' does not exist`,
        );
      if (req.method === 'GET') {
        // Cursor paging as Graph does it: `limit` (default 25) and `after`.
        const all = state.templates.filter((t) => t.wabaId === wabaId);
        const limit = Math.min(Math.max(Number(u.searchParams.get('limit') ?? 25) || 25, 1), 100);
        const after = u.searchParams.get('after');
        const start = after ? Number(Buffer.from(after, 'base64url').toString('utf8')) || 0 : 0;
        const page = all.slice(start, start + limit);
        const cursor = (i: number) => Buffer.from(String(i)).toString('base64url');
        const more = start + limit < all.length;
        return json(res, 200, {
          data: page.map(({ wabaId: _w, ...t }) => t),
          paging: {
            cursors: { before: cursor(start), after: cursor(start + page.length) },
            ...(more ? { next: `${url}${path}?limit=${limit}&after=${cursor(start + page.length)}` } : {}),
          },
        });
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return metaError(res, 400, 100, 'Invalid JSON');
      }
      const parsed = templateCreateSchema.safeParse(body);
      const problems = parsed.success ? templateCreateProblems(parsed.data) : [];
      if (!parsed.success || problems.length)
        return metaError(
          res,
          400,
          100,
          'Invalid parameter',
          parsed.success ? problems.map((p) => p.message).join('; ') : 'Malformed template',
        );
      const req2 = parsed.data;
      if (
        state.templates.some(
          (t) => t.wabaId === wabaId && t.name === req2.name && t.language === req2.language,
        )
      )
        return metaError(
          res,
          400,
          100,
          'Invalid parameter',
          `Já existe conteúdo em ${req2.language} para o modelo ${req2.name}.`,
        );
      const t: SimTemplate = {
        // 15 digits, like Meta's (and exact as a JSON number, as the webhooks carry it).
        id: `${String(Date.now() % 1e10).padStart(10, '1')}${String(randomBytes(2).readUInt16BE(0)).padStart(5, '0')}`,
        wabaId,
        name: req2.name,
        language: req2.language,
        category: req2.category,
        status: 'PENDING',
        parameter_format: req2.parameter_format ?? 'POSITIONAL',
        components: req2.components as Record<string, unknown>[],
      };
      state.templates.push(t);
      save();
      reviews.set(
        t.id,
        setTimeout(
          () =>
            void decideTemplate(
              t,
              t.name.startsWith('rejeitar_') ? 'REJECTED' : 'APPROVED',
              'INVALID_FORMAT',
              'O simulador rejeita os modelos cujo nome começa com rejeitar_.',
            ),
          templateReviewMs,
        ),
      );
      return json(res, 200, { id: t.id, status: t.status, category: t.category });
    }
    if (req.method === 'POST' && parts[1] === 'media') {
      const file = parseMultipart(raw, String(req.headers['content-type'] ?? ''));
      if (!file) return metaError(res, 400, 100, 'Missing file');
      return json(res, 200, { id: storeMedia(file.bytes, file.mime, file.filename) });
    }
    if (req.method === 'GET' && parts.length === 1) {
      const f = takeFailure('media-url');
      if (f) return metaError(res, f.status, f.code, f.message ?? 'Scripted failure');
      const id = parts[0]!;
      // A phone-number id (`GET /{phone-number-id}`, how Atende checks a number on save).
      const number = numbers.get(id);
      if (number)
        return json(res, 200, {
          verified_name: number.name,
          code_verification_status: 'VERIFIED',
          display_phone_number: number.displayPhone,
          quality_rating: 'GREEN',
          platform_type: 'CLOUD_API',
          throughput: { level: 'STANDARD' },
          id,
        });
      const meta = state.media[id];
      const bytes = readMediaBytes(id);
      // Unknown ids as Meta answers them: 400, code 100, subcode 33.
      if (!meta || !bytes)
        return json(res, 400, {
          error: {
            message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
            type: 'GraphMethodException',
            code: 100,
            error_subcode: 33,
            fbtrace_id: randomBytes(6).toString('hex'),
          },
        });
      return json(res, 200, {
        messaging_product: 'whatsapp',
        id,
        url: `${url}/media-download/${id}?expires=${Date.now() + 5 * 60_000}`,
        mime_type: meta.mime,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        file_size: bytes.length,
      });
    }
    return metaError(res, 400, 100, 'Unsupported request');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => json(res, 500, { error: { message: err.message, code: 1 } }));
  });
  await listen(server, opts.port, opts.host ?? '127.0.0.1');
  return {
    url,
    failNext: (f) => failures.push({ ...f }),
    outbox: (customer) => state.messages.filter((m) => !customer || m.customer === canonicalPhone(customer)),
    templates: () => state.templates,
    async stop() {
      for (const t of reviews.values()) clearTimeout(t);
      for (const res of listeners) res.end();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      stateWrite.flush();
    },
  };
}

/** The one file of a multipart/form-data upload (Graph API media upload). */
function parseMultipart(
  body: Buffer,
  contentType: string,
): { bytes: Buffer; mime: string; filename?: string } | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return undefined;
  const sep = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = body.indexOf(sep);
  while (start !== -1) {
    const next = body.indexOf(sep, start + sep.length);
    if (next === -1) break;
    const part = body.subarray(start + sep.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    if (/name="file"/.test(headers)) {
      return {
        bytes: part.subarray(headerEnd + 4),
        mime: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim() ?? 'application/octet-stream',
        filename: /filename="([^"]*)"/.exec(headers)?.[1],
      };
    }
    start = next;
  }
  return undefined;
}
