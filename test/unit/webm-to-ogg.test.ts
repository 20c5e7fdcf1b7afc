/**
 * The voice-note remuxer (shared/media/webm-to-ogg.ts) against a real recording: Chromium's
 * MediaRecorder (`audio/webm;codecs=opus`, fake audio device, 1.5 s) saved as
 * test/fixtures/media/chromium-voice-note.webm. The Ogg file is read back here with an
 * independent (bitwise) CRC and lacing reader.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { oggCrc, opusPacketSamples, readWebmOpus, RemuxError, webmToOgg } from '#shared/media/webm-to-ogg.ts';

const webm = new Uint8Array(
  readFileSync(new URL('../fixtures/media/chromium-voice-note.webm', import.meta.url)),
);

/** CRC-32 as Ogg defines it, bit by bit (not the module's table). */
function bitwiseCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    crc >>>= 0;
  }
  return crc >>> 0;
}

interface Page {
  flags: number;
  granule: bigint;
  serial: number;
  sequence: number;
  packets: Uint8Array[];
  /** The last packet continues on the next page. */
  open: boolean;
}

function readOgg(buf: Uint8Array): Page[] {
  const pages: Page[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const v = new DataView(buf.buffer, buf.byteOffset + pos);
    assert.equal(new TextDecoder().decode(buf.subarray(pos, pos + 4)), 'OggS', `capture pattern at ${pos}`);
    assert.equal(buf[pos + 4], 0, 'stream structure version 0');
    const n = buf[pos + 26]!;
    const lacing = [...buf.subarray(pos + 27, pos + 27 + n)];
    const bodyLength = lacing.reduce((s, x) => s + x, 0);
    const end = pos + 27 + n + bodyLength;
    const copy = buf.slice(pos, end);
    const stored = v.getUint32(22, true);
    copy.fill(0, 22, 26);
    assert.equal(stored, bitwiseCrc(copy), `CRC of page ${pages.length}`);
    const packets: Uint8Array[] = [];
    let at = pos + 27 + n;
    let cur = 0;
    let open = false;
    for (const l of lacing) {
      cur += l;
      open = l === 255;
      if (l < 255) {
        packets.push(buf.subarray(at, at + cur));
        at += cur;
        cur = 0;
      }
    }
    pages.push({
      flags: buf[pos + 5]!,
      granule: v.getBigUint64(6, true),
      serial: v.getUint32(14, true),
      sequence: v.getUint32(18, true),
      packets,
      open,
    });
    pos = end;
  }
  return pages;
}

test('the CRC is Ogg’s (CRC-32, polynomial 0x04c11db7, initial 0, no final xor): check value of "123456789"', () => {
  assert.equal(oggCrc(new TextEncoder().encode('123456789')), 0x89a1897f);
  assert.equal(bitwiseCrc(new TextEncoder().encode('123456789')), 0x89a1897f);
});

test('Opus packet durations from the TOC byte (RFC 6716 3.1)', () => {
  assert.equal(opusPacketSamples(Uint8Array.of(0xfc)), 960, 'CELT FB 20 ms, one frame');
  assert.equal(opusPacketSamples(Uint8Array.of(0x78)), 960, 'hybrid FB 20 ms');
  assert.equal(opusPacketSamples(Uint8Array.of(0x0b << 3)), 2880, 'SILK 60 ms');
  assert.equal(opusPacketSamples(Uint8Array.of((0x1f << 3) | 1)), 1920, 'two 20 ms frames');
  assert.equal(opusPacketSamples(Uint8Array.of((0x10 << 3) | 3, 6)), 720, 'six 2.5 ms frames (code 3)');
});

test('a Chromium recording: its Opus track and every frame are read', () => {
  const stream = readWebmOpus(webm);
  assert.equal(new TextDecoder().decode(stream.head.subarray(0, 8)), 'OpusHead');
  assert.equal(stream.head[8], 1, 'OpusHead version 1');
  assert.ok(stream.head[9] === 1 || stream.head[9] === 2, 'mono or stereo');
  assert.equal(new DataView(stream.head.buffer, stream.head.byteOffset).getUint32(12, true), 48000);
  const ms = stream.packets.reduce((s, p) => s + opusPacketSamples(p), 0) / 48;
  // 1.5 s recorded (timer-driven in a loaded browser: a little more or less).
  assert.ok(ms > 1000 && ms < 2500, `recorded ${ms} ms`);
});

test('a Chromium recording remuxed: valid Ogg pages — OpusHead (BOS), OpusTags, audio with granule positions, EOS', () => {
  const stream = readWebmOpus(webm);
  const ogg = webmToOgg(webm, { serial: 0x1234abcd, packetsPerPage: 10 });
  const pages = readOgg(ogg);
  assert.ok(pages.length >= 4);
  pages.forEach((p, i) => {
    assert.equal(p.serial, 0x1234abcd);
    assert.equal(p.sequence, i, 'page sequence numbers count from 0');
    assert.equal(p.open, false, 'each page ends on a whole packet');
    assert.equal(p.flags & 0x01, 0, 'no page continues a packet');
    assert.equal(Boolean(p.flags & 0x02), i === 0, 'BOS on the first page only');
    assert.equal(Boolean(p.flags & 0x04), i === pages.length - 1, 'EOS on the last page only');
  });
  // RFC 7845: the ID header alone on the first page, the comment header on the second, granule 0.
  assert.equal(pages[0]!.packets.length, 1);
  assert.deepEqual(pages[0]!.packets[0], stream.head);
  assert.equal(pages[0]!.granule, 0n);
  assert.equal(pages[1]!.packets.length, 1);
  assert.equal(new TextDecoder().decode(pages[1]!.packets[0]!.subarray(0, 8)), 'OpusTags');
  assert.equal(pages[1]!.granule, 0n);
  // The audio packets, unchanged and in order; each page's granule = samples completed so far.
  const audio = pages.slice(2);
  assert.deepEqual(
    audio.flatMap((p) => p.packets),
    stream.packets,
  );
  let samples = 0;
  for (const p of audio) {
    assert.ok(p.packets.length <= 10);
    samples += p.packets.reduce((s, x) => s + opusPacketSamples(x), 0);
    assert.equal(p.granule, BigInt(samples));
  }
  assert.equal(audio.at(-1)!.granule, BigInt(stream.packets.reduce((s, x) => s + opusPacketSamples(x), 0)));
});

test('a file without an Opus track, or not WebM at all, is refused', () => {
  assert.throws(() => readWebmOpus(new TextEncoder().encode('not a webm file')), RemuxError);
  // An EBML header alone: no tracks.
  assert.throws(() => readWebmOpus(webm.subarray(0, 40)), RemuxError);
});
