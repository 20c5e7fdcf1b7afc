/**
 * Zod schemas for the WhatsApp Cloud API webhook (see WHATSAPP.md): the envelope, every
 * message type and every status. Objects are loose: fields Meta adds later are kept,
 * never stripped, so what is stored is what Meta sent.
 */
import { z } from 'zod';
import { MAX_ID_CHARS } from '#shared/domain/json-limits.ts';

/**
 * An id Meta sends (wamid, phone-number id, wa_id, user id): bounded, since ids end up in
 * DynamoDB keys (shared/domain/json-limits.ts). An item with a longer one does not parse.
 */
const metaId = z.string().max(MAX_ID_CHARS);

/**
 * A media id is Graph's: digits. Anything else (a URL, a path) would be fetched with the
 * number's token; a message carrying one does not parse and is kept as unsupported.
 */
const media = z.looseObject({
  id: z
    .string()
    .regex(/^\d{1,64}$/)
    .optional(),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  url: z.string().optional(),
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
});

const metaError = z.looseObject({
  code: z.number(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
  href: z.string().optional(),
});
export type MetaError = z.infer<typeof metaError>;

export const messageContext = z.looseObject({
  from: metaId.optional(),
  id: metaId.optional(),
  forwarded: z.boolean().optional(),
  frequently_forwarded: z.boolean().optional(),
  referred_product: z.looseObject({ catalog_id: z.string(), product_retailer_id: z.string() }).optional(),
});

const common = {
  from: metaId.optional(),
  from_user_id: metaId.optional(),
  id: metaId,
  timestamp: z.string(),
  context: messageContext.optional(),
  referral: z.looseObject({}).optional(),
  errors: z.array(metaError).optional(),
};

const text = z.looseObject({ ...common, type: z.literal('text'), text: z.looseObject({ body: z.string() }) });
const image = z.looseObject({ ...common, type: z.literal('image'), image: media });
const audio = z.looseObject({ ...common, type: z.literal('audio'), audio: media });
const video = z.looseObject({ ...common, type: z.literal('video'), video: media });
const document = z.looseObject({ ...common, type: z.literal('document'), document: media });
const sticker = z.looseObject({ ...common, type: z.literal('sticker'), sticker: media });
const location = z.looseObject({
  ...common,
  type: z.literal('location'),
  location: z.looseObject({
    latitude: z.number(),
    longitude: z.number(),
    name: z.string().optional(),
    address: z.string().optional(),
    url: z.string().optional(),
  }),
});
const contacts = z.looseObject({
  ...common,
  type: z.literal('contacts'),
  contacts: z.array(z.looseObject({})),
});
const interactive = z.looseObject({
  ...common,
  type: z.literal('interactive'),
  interactive: z
    .looseObject({
      type: z.string(),
      list_reply: z
        .looseObject({ id: z.string(), title: z.string(), description: z.string().optional() })
        .optional(),
      button_reply: z.looseObject({ id: z.string(), title: z.string() }).optional(),
      nfm_reply: z
        .looseObject({ response_json: z.string().optional(), body: z.string().optional() })
        .optional(),
    })
    .optional(),
});
const button = z.looseObject({
  ...common,
  type: z.literal('button'),
  button: z.looseObject({ text: z.string(), payload: z.string().optional() }),
});
const reaction = z.looseObject({
  ...common,
  type: z.literal('reaction'),
  // emoji "" or absent: the customer removed the reaction.
  reaction: z.looseObject({ message_id: metaId, emoji: z.string().optional() }),
});
const order = z.looseObject({ ...common, type: z.literal('order'), order: z.looseObject({}) });
const system = z.looseObject({
  ...common,
  type: z.literal('system'),
  system: z.looseObject({ body: z.string().optional(), type: z.string().optional() }),
});
/**
 * Types with a schema of their own: a malformed one must not pass as `other` (a media
 * payload with a URL for an id would be fetched; a text without a body would fail in the
 * engine on every retry). It does not parse: the webhook dead-letters it.
 */
const typed = [
  text,
  image,
  audio,
  video,
  document,
  sticker,
  location,
  contacts,
  interactive,
  button,
  reaction,
  order,
  system,
] as const;
const KNOWN_TYPES: readonly string[] = typed.map((schema) => schema.shape.type.value);
/** unsupported, unknown, and every type Meta adds before we know it. */
const other = z.looseObject({ ...common, type: z.string().refine((t) => !KNOWN_TYPES.includes(t)) });

export const inboundMessage = z.union([...typed, other]);
export type InboundMessage = z.infer<typeof inboundMessage>;

export const messageStatus = z.looseObject({
  id: metaId,
  status: z.string(), // sent | delivered | read | failed | played | (future)
  timestamp: z.string(),
  recipient_id: metaId.optional(),
  recipient_user_id: metaId.optional(),
  biz_opaque_callback_data: z.string().optional(),
  pricing: z.looseObject({}).optional(),
  conversation: z.looseObject({}).optional(),
  errors: z.array(metaError).optional(),
});
export type MessageStatus = z.infer<typeof messageStatus>;

export const webhookContact = z.looseObject({
  wa_id: metaId.optional(),
  user_id: metaId.optional(),
  parent_user_id: metaId.optional(),
  profile: z.looseObject({ name: z.string().optional(), username: z.string().optional() }).optional(),
});

export const messagesValue = z.looseObject({
  messaging_product: z.string().optional(),
  metadata: z.looseObject({ display_phone_number: z.string().optional(), phone_number_id: metaId }),
  contacts: z.array(webhookContact).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(metaError).optional(),
});

/**
 * What shared/whatsapp/split.ts needs to route the items of a `messages` change: the
 * number. The rest of the value is read item by item (one malformed message, contact or
 * error never hides the valid ones beside it).
 */
export const messagesRouting = z.looseObject({
  metadata: z.looseObject({ phone_number_id: metaId }),
});
export { metaError };

export const webhookChange = z.looseObject({ field: z.string(), value: z.unknown() });

/** An entry: its WABA id when it is a string, its changes when they are a list. */
export const webhookEntry = z.looseObject({
  id: z.unknown().optional(),
  changes: z.array(z.unknown()).optional(),
});

/** The envelope, entries unchecked (each is read on its own). */
export const webhookRoot = z.looseObject({ object: z.string(), entry: z.array(z.unknown()) });

export const webhookEnvelope = z.looseObject({
  object: z.string(),
  entry: z.array(
    z.looseObject({
      id: z.string().optional(),
      time: z.number().optional(),
      changes: z.array(webhookChange).default([]),
    }),
  ),
});
export type WebhookEnvelope = z.infer<typeof webhookEnvelope>;
