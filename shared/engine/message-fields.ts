/**
 * What a customer sent, in Atende's message shape (pure). Types Atende does not model
 * yet, and anything Meta marks unsupported, become 'unsupported' messages that carry the
 * raw JSON, so nothing a customer sends disappears.
 */
import type { Message, MessageType } from '#shared/store/types.ts';
import type { InboundMessage, MetaError } from '#shared/whatsapp/webhook-schema.ts';

export const MEDIA_TYPES: ReadonlySet<string> = new Set(['image', 'audio', 'video', 'document', 'sticker']);

export type MessageFields = Partial<Message> & { type: MessageType };

interface MediaPayload {
  id?: string;
  mime_type?: string;
  caption?: string;
  filename?: string;
  sha256?: string;
  voice?: boolean;
}

/** The Meta media id of a media message (what GET /<media-id> takes). */
export function mediaIdOf(m: InboundMessage | undefined): string | undefined {
  if (!m || !MEDIA_TYPES.has(m.type)) return undefined;
  return ((m as Record<string, unknown>)[m.type] as MediaPayload | undefined)?.id;
}

export function toMessageFields(
  m: InboundMessage | undefined,
  raw?: string,
  errors?: MetaError[],
): MessageFields {
  if (!m) return { type: 'unsupported', ...(raw ? { raw } : {}) };
  const any = m as Record<string, unknown> & InboundMessage;
  const context = m.context;
  const ref = any.referral as Record<string, unknown> | undefined;
  const str = (v: unknown) => (typeof v === 'string' && v ? v.slice(0, 300) : undefined);
  const referral =
    ref && str(ref.source_id)
      ? {
          sourceId: str(ref.source_id)!,
          ...(str(ref.headline) ? { headline: str(ref.headline)! } : {}),
          ...(str(ref.source_type) ? { sourceType: str(ref.source_type)! } : {}),
          ...(str(ref.source_url) ? { sourceUrl: str(ref.source_url)! } : {}),
        }
      : undefined;
  const base: Partial<Message> = {
    wamid: m.id,
    // A click-to-WhatsApp ad or post the customer came from: the chat's campaign (INB-4).
    ...(referral ? { referral } : {}),
    ...(context?.id ? { replyTo: { wamid: context.id } } : {}),
    ...(context?.forwarded || context?.frequently_forwarded ? { forwarded: true } : {}),
  };
  const unsupported = (): MessageFields => ({
    ...base,
    type: 'unsupported',
    raw: JSON.stringify(errors?.length ? { message: m, errors } : m),
  });
  const type = m.type;
  if (type === 'text') {
    const body = (any.text as { body?: string } | undefined)?.body;
    return typeof body === 'string' ? { ...base, type, text: body } : unsupported();
  }
  if (MEDIA_TYPES.has(type)) {
    const media = (any[type] ?? {}) as MediaPayload;
    return {
      ...base,
      type: type as MessageType,
      ...(media.caption ? { text: media.caption } : {}),
      media: {
        mimeType: media.mime_type ?? 'application/octet-stream',
        ...(media.caption ? { caption: media.caption } : {}),
        ...(media.filename ? { filename: media.filename } : {}),
        ...(media.sha256 ? { sha256: media.sha256 } : {}),
        ...(media.voice ? { voice: true } : {}),
        status: media.id ? 'pending' : 'failed',
        ...(media.id ? {} : { error: 'Meta sent no media id' }),
      },
    };
  }
  if (type === 'location') {
    const l = any.location as
      { latitude: number; longitude: number; name?: string; address?: string } | undefined;
    if (!l) return unsupported();
    return {
      ...base,
      type,
      location: {
        latitude: l.latitude,
        longitude: l.longitude,
        ...(l.name ? { name: l.name } : {}),
        ...(l.address ? { address: l.address } : {}),
      },
      ...(l.name ? { text: l.name } : {}),
    };
  }
  if (type === 'reaction') {
    const r = any.reaction as { message_id: string; emoji?: string } | undefined;
    if (!r) return unsupported();
    return {
      ...base,
      type,
      text: r.emoji ?? '',
      reaction: { emoji: r.emoji ?? '', messageId: r.message_id },
    };
  }
  if (type === 'interactive') {
    const i = any.interactive as
      | { list_reply?: { title: string }; button_reply?: { title: string }; nfm_reply?: { body?: string } }
      | undefined;
    if (!i) return unsupported();
    const text = i.list_reply?.title ?? i.button_reply?.title ?? i.nfm_reply?.body;
    return { ...base, type, interactive: i, ...(text ? { text } : {}) };
  }
  if (type === 'button') {
    const b = any.button as { text?: string } | undefined;
    return { ...base, type, interactive: b, ...(b?.text ? { text: b.text } : {}) };
  }
  if (type === 'contacts') {
    const text = contactsText(any.contacts);
    return { ...base, type, interactive: any.contacts, ...(text ? { text } : {}) };
  }
  if (type === 'order' || type === 'system') {
    const body = type === 'system' ? (any.system as { body?: string } | undefined)?.body : undefined;
    return { ...base, type, interactive: any[type], ...(body ? { text: body } : {}) };
  }
  return unsupported();
}

function contactsText(contacts: unknown): string {
  const list = Array.isArray(contacts) ? (contacts as { name?: { formatted_name?: string } }[]) : [];
  return list
    .map((c) => c.name?.formatted_name)
    .filter(Boolean)
    .join(', ');
}

/** pt-BR labels for the inbox preview of messages without text (the UI reads them as is). */
const PREVIEW_LABELS: Partial<Record<MessageType, string>> = {
  image: '📷 Imagem',
  audio: '🎤 Áudio',
  video: '🎥 Vídeo',
  document: '📄 Documento',
  sticker: 'Figurinha',
  location: '📍 Localização',
  contacts: '👤 Contato',
  interactive: 'Resposta',
  button: 'Resposta',
  reaction: 'Reação',
  order: '🛒 Pedido',
  system: 'Aviso do WhatsApp',
  unsupported: 'Mensagem não suportada',
};

export function previewText(m: Pick<Message, 'type' | 'text' | 'media'>): string {
  return m.text || m.media?.caption || m.media?.filename || PREVIEW_LABELS[m.type] || '';
}
