/**
 * Voice notes (MSG-3): browsers record `audio/webm;codecs=opus`; WhatsApp plays a voice
 * message only as `audio/ogg` with the Opus codec. The Opus packets are the same in both
 * containers, so this remuxes them — no decoding, no native binary: it reads the WebM
 * (EBML) file's Opus track (its OpusHead in CodecPrivate, its SimpleBlock/Block frames) and
 * writes Ogg pages (RFC 3533) as RFC 7845 says: OpusHead alone on the first page (BOS),
 * OpusTags on the second, then the audio packets, each page's granule position the
 * 48 kHz samples of every packet completed on it (counted from each packet's TOC byte),
 * EOS on the last. Pure TypeScript over Uint8Array: it runs in the browser and in Node.
 */

const ID = {
  EBML: 0x1a45dfa3,
  Segment: 0x18538067,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  CodecID: 0x86,
  CodecPrivate: 0x63a2,
  CodecDelay: 0x56aa,
  Audio: 0xe1,
  Channels: 0x9f,
  Cluster: 0x1f43b675,
  BlockGroup: 0xa0,
  Block: 0xa1,
  SimpleBlock: 0xa3,
} as const;

/** Elements read as containers (their children follow inline); all others are skipped or read whole. */
const MASTERS = new Set<number>([ID.Segment, ID.Tracks, ID.TrackEntry, ID.Audio, ID.Cluster, ID.BlockGroup]);

export class RemuxError extends Error {}

interface Track {
  number?: number;
  codec?: string;
  codecPrivate?: Uint8Array;
  codecDelayNs?: number;
  channels?: number;
}

/** The Opus track's header and packets of a WebM file. */
export interface OpusStream {
  /** The 19+ byte OpusHead (from CodecPrivate, or built from the track's fields). */
  head: Uint8Array;
  packets: Uint8Array[];
}

/** An EBML variable-size integer at `pos`: its value, its length, and whether it is "unknown" (all ones). */
function vint(buf: Uint8Array, pos: number, keepMarker: boolean) {
  const first = buf[pos];
  if (first === undefined) throw new RemuxError('truncated WebM');
  let len = 1;
  while (len <= 8 && !(first & (0x80 >> (len - 1)))) len++;
  if (len > 8) throw new RemuxError('invalid EBML length');
  if (pos + len > buf.length) throw new RemuxError('truncated WebM');
  let value = keepMarker ? first : first & (0xff >> len);
  let allOnes = value === 0xff >> len;
  for (let i = 1; i < len; i++) {
    const b = buf[pos + i]!;
    value = value * 256 + b;
    if (b !== 0xff) allOnes = false;
  }
  return { value, len, unknown: !keepMarker && allOnes };
}

const uint = (b: Uint8Array) => b.reduce((v, x) => v * 256 + x, 0);

/** The Opus track and its frames, in file order. */
export function readWebmOpus(webm: Uint8Array): OpusStream {
  const tracks: Track[] = [];
  let track: Track | undefined;
  const blocks: { track: number; frame: Uint8Array }[] = [];
  let pos = 0;
  while (pos < webm.length) {
    const id = vint(webm, pos, true);
    const size = vint(webm, pos + id.len, false);
    const start = pos + id.len + size.len;
    if (MASTERS.has(id.value)) {
      if (id.value === ID.TrackEntry) tracks.push((track = {}));
      pos = start; // its children follow (also when its size is unknown, as MediaRecorder writes)
      continue;
    }
    if (size.unknown) throw new RemuxError(`element 0x${id.value.toString(16)} of unknown size`);
    const end = start + size.value;
    // A recording cut short ends inside its last element: keep what is whole.
    if (end > webm.length) break;
    const body = webm.subarray(start, end);
    switch (id.value) {
      case ID.TrackNumber:
        if (track) track.number = uint(body);
        break;
      case ID.CodecID:
        if (track) track.codec = new TextDecoder().decode(body).replace(/\0+$/, '');
        break;
      case ID.CodecPrivate:
        if (track) track.codecPrivate = body;
        break;
      case ID.CodecDelay:
        if (track) track.codecDelayNs = uint(body);
        break;
      case ID.Channels:
        if (track) track.channels = uint(body);
        break;
      case ID.SimpleBlock:
      case ID.Block: {
        const tn = vint(body, 0, false);
        const flags = body[tn.len + 2] ?? 0;
        if (flags & 0x06) throw new RemuxError('laced WebM blocks are not supported');
        blocks.push({ track: tn.value, frame: body.subarray(tn.len + 3) });
        break;
      }
    }
    pos = end;
  }
  const opus = tracks.find((t) => t.codec === 'A_OPUS');
  if (!opus) throw new RemuxError('no Opus track in the WebM file');
  const head = opus.codecPrivate?.length ? opus.codecPrivate : opusHead(opus);
  if (new TextDecoder().decode(head.subarray(0, 8)) !== 'OpusHead')
    throw new RemuxError('the Opus track has no OpusHead');
  const number = opus.number ?? 1;
  return { head, packets: blocks.filter((b) => b.track === number).map((b) => b.frame) };
}

/** An OpusHead (RFC 7845 5.1) for a track that carries none: channel mapping family 0. */
function opusHead(t: Track): Uint8Array {
  const channels = t.channels ?? 1;
  if (channels > 2) throw new RemuxError('more than two channels need a channel mapping');
  const h = new Uint8Array(19);
  h.set(new TextEncoder().encode('OpusHead'));
  const v = new DataView(h.buffer);
  h[8] = 1;
  h[9] = channels;
  v.setUint16(10, Math.round(((t.codecDelayNs ?? 0) * 48000) / 1e9), true);
  v.setUint32(12, 48000, true);
  return h;
}

/** Samples (at 48 kHz) an Opus packet decodes to, from its TOC byte (RFC 6716 3.1). */
export function opusPacketSamples(packet: Uint8Array): number {
  const toc = packet[0];
  if (toc === undefined) return 0;
  const config = toc >> 3;
  // Frame length in units of 2.5 ms (= 120 samples).
  const units =
    config < 12 ? [4, 8, 16, 24][config & 3]! : config < 16 ? [4, 8][config & 1]! : [1, 2, 4, 8][config & 3]!;
  const code = toc & 3;
  const frames = code === 0 ? 1 : code === 3 ? (packet[1] ?? 0) & 0x3f : 2;
  return frames * units * 120;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

/** Ogg's CRC-32 (polynomial 0x04c11db7, not reflected, initial 0, no final xor). */
export function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]!) >>> 0;
  return crc;
}

const BOS = 0x02;
const EOS = 0x04;
const CONTINUED = 0x01;

/** One Ogg page holding whole packets (each laced in 255-byte segments). */
function page(
  packets: Uint8Array[],
  flags: number,
  granule: number,
  serial: number,
  sequence: number,
): Uint8Array {
  const lacing: number[] = [];
  for (const p of packets) {
    let n = p.length;
    while (n >= 255) {
      lacing.push(255);
      n -= 255;
    }
    lacing.push(n);
  }
  if (lacing.length > 255) throw new RemuxError('too many segments for one Ogg page');
  const bodyLength = packets.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(27 + lacing.length + bodyLength);
  const v = new DataView(out.buffer);
  out.set([0x4f, 0x67, 0x67, 0x53]); // "OggS"
  out[4] = 0;
  out[5] = flags;
  v.setBigUint64(6, BigInt(granule), true);
  v.setUint32(14, serial, true);
  v.setUint32(18, sequence, true);
  out[26] = lacing.length;
  out.set(lacing, 27);
  let at = 27 + lacing.length;
  for (const p of packets) {
    out.set(p, at);
    at += p.length;
  }
  v.setUint32(22, oggCrc(out), true);
  return out;
}

/** Segments a packet takes in a page's lacing table. */
const segmentsOf = (p: Uint8Array) => Math.floor(p.length / 255) + 1;

/** The OpusTags packet (RFC 7845 5.2): a vendor string, no comments. */
function opusTags(vendor: string): Uint8Array {
  const v = new TextEncoder().encode(vendor);
  const out = new Uint8Array(8 + 4 + v.length + 4);
  out.set(new TextEncoder().encode('OpusTags'));
  new DataView(out.buffer).setUint32(8, v.length, true);
  out.set(v, 12);
  return out;
}

export interface OggOptions {
  /** The logical stream's serial number (random by default). */
  serial?: number;
  /** Audio packets per page at most (50 × 20 ms = one second). */
  packetsPerPage?: number;
}

/** An Ogg Opus file (`audio/ogg; codecs=opus`) from an Opus stream. */
export function opusToOgg(stream: OpusStream, opts: OggOptions = {}): Uint8Array {
  const serial = opts.serial ?? Math.floor(Math.random() * 0xffffffff) >>> 0;
  const perPage = opts.packetsPerPage ?? 50;
  const pages: Uint8Array[] = [];
  pages.push(page([stream.head], BOS, 0, serial, 0));
  pages.push(page([opusTags('atende')], 0, 0, serial, 1));
  let granule = 0;
  let current: Uint8Array[] = [];
  let segments = 0;
  const flush = (last: boolean) => {
    pages.push(page(current, last ? EOS : 0, granule, serial, pages.length));
    current = [];
    segments = 0;
  };
  const packets = stream.packets.filter((p) => p.length > 0);
  packets.forEach((p, i) => {
    if (segmentsOf(p) > 255) throw new RemuxError('Opus packet too large for one Ogg page');
    if (current.length && (current.length >= perPage || segments + segmentsOf(p) > 255)) flush(false);
    current.push(p);
    segments += segmentsOf(p);
    granule += opusPacketSamples(p);
    if (i === packets.length - 1) flush(true);
  });
  // No audio at all: the header pages alone, the last one marked EOS.
  if (!packets.length) pages.push(page([], EOS, 0, serial, pages.length));
  const total = pages.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of pages) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** WebM/Opus (what MediaRecorder records) → Ogg/Opus (what WhatsApp plays as a voice note). */
export function webmToOgg(webm: Uint8Array, opts: OggOptions = {}): Uint8Array {
  return opusToOgg(readWebmOpus(webm), opts);
}

export { CONTINUED as OGG_CONTINUED, BOS as OGG_BOS, EOS as OGG_EOS };
