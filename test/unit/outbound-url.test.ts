/**
 * The outbound-URL guard (issue 12, findings 2, 3, 5): the address rules, table-driven,
 * and guardedFetch against local servers — nothing refused ever reaches them, redirects are
 * checked hop by hop, DNS answers are checked where the socket connects, responses are
 * capped.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkUrlShape,
  mediaHostAllowed,
  nonPublicRange,
  parseOrigins,
} from '#shared/domain/outbound-address.ts';
import {
  checkOutboundUrl,
  guardedFetch,
  OutboundResponseTooLargeError,
  OutboundUrlError,
  outboundPolicy,
  type Resolver,
} from '#shared/net/outbound-url.ts';

describe('address rules', () => {
  const refused: [string, string][] = [
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['169.254.169.254', 'linkLocal'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd00:ec2::254', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'ipv4Mapped/loopback'],
    ['::ffff:7f00:1', 'ipv4Mapped/loopback'],
    ['::ffff:8.8.8.8', 'ipv4Mapped'],
    ['64:ff9b::a00:1', 'rfc6052'],
    ['2002:7f00:1::', '6to4'],
  ];
  for (const [ip, range] of refused)
    test(`${ip} is not public (${range})`, () => assert.equal(nonPublicRange(ip), range));
  for (const ip of ['8.8.8.8', '1.1.1.1', '157.240.1.1', '2a03:2880:f12f:83:face:b00c:0:25de'])
    test(`${ip} is public`, () => assert.equal(nonPublicRange(ip), undefined));

  const urls: [string, string][] = [
    ['http://example.com/', 'scheme'],
    ['ftp://example.com/', 'scheme'],
    ['https://localhost/', 'host'],
    ['https://api.localhost:8443/', 'host'],
    ['https://127.0.0.1/', 'address'],
    ['https://169.254.169.254/latest/meta-data/', 'address'],
    ['https://10.0.0.1', 'address'],
    ['https://0.0.0.0', 'address'],
    ['https://2130706433/', 'address'],
    ['https://0x7f.1/', 'address'],
    ['https://017700000001/', 'address'],
    ['https://0177.0.0.1/', 'address'],
    ['https://[::ffff:127.0.0.1]/', 'address'],
    ['https://[::1]:8080/', 'address'],
    ['https://[fd00:ec2::254]/', 'address'],
    ['not a url', 'invalid'],
  ];
  for (const [url, kind] of urls)
    test(`${url} is refused (${kind})`, () => {
      const c = checkUrlShape(url, []);
      assert.equal(c.ok, false);
      assert.equal(!c.ok && c.refusal.kind, kind);
    });

  test('a public https URL passes; an operator-allowed origin passes whatever it is', () => {
    assert.equal(checkUrlShape('https://api.loja.example/pedidos', []).ok, true);
    assert.equal(checkUrlShape('https://8.8.8.8/', []).ok, true);
    const allowed = parseOrigins('http://127.0.0.1:4003, http://localhost:4503/');
    assert.deepEqual(allowed, ['http://127.0.0.1:4003', 'http://localhost:4503']);
    const c = checkUrlShape('http://127.0.0.1:4003/v1/chat', allowed);
    assert.equal(c.ok && c.operatorAllowed, true);
    // Same host, another port: not the operator's origin.
    assert.equal(checkUrlShape('http://127.0.0.1:4004/', allowed).ok, false);
    assert.throws(() => parseOrigins('javascript:alert(1)'));
  });

  test('WhatsApp media hosts: exact names, subdomain wildcards, and full origins', () => {
    const rules = ['lookaside.fbsbx.com', '*.fbcdn.net', 'http://localhost:4503'];
    const ok = (u: string) => mediaHostAllowed(new URL(u), rules);
    assert.equal(ok('https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1'), true);
    assert.equal(ok('https://scontent.xx.fbcdn.net/v/x.jpg'), true);
    assert.equal(ok('http://localhost:4503/media-download/1'), true);
    assert.equal(ok('http://lookaside.fbsbx.com/x'), false);
    assert.equal(ok('https://fbcdn.net.evil.example/x'), false);
    assert.equal(ok('https://evilfbcdn.net/x'), false);
    assert.equal(ok('https://lookaside.fbsbx.com.evil.example/x'), false);
    assert.equal(ok('http://localhost:4504/x'), false);
  });
});

describe('guardedFetch and checkOutboundUrl', () => {
  let target: Server;
  let targetUrl: string;
  const targetSaw: string[] = [];
  let hop: Server;
  let hopUrl: string;

  const listen = async (s: Server) => {
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  };

  beforeAll(async () => {
    // Stands for something internal (the secrets stand-in, the metadata service).
    target = createServer((req, res) => {
      targetSaw.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.end('SEGREDO');
    });
    targetUrl = await listen(target);
    // An operator-allowed server that redirects, or answers big bodies.
    hop = createServer((req, res) => {
      const u = new URL(req.url!, 'http://x');
      if (u.pathname === '/to') {
        res.writeHead(302, { location: u.searchParams.get('u')! }).end();
        return;
      }
      if (u.pathname === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '300000' });
        res.end(Buffer.alloc(300_000, 'a'));
        return;
      }
      if (u.pathname === '/stream') {
        res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
        for (let i = 0; i < 30; i++) res.write(Buffer.alloc(10_000, 'b'));
        res.end();
        return;
      }
      res.end(`ok ${req.headers.authorization ?? ''}`);
    });
    hopUrl = await listen(hop);
  });
  afterAll(() => {
    target.closeAllConnections();
    target.close();
    hop.closeAllConnections();
    hop.close();
  });

  test('refused URLs never reach the server', async () => {
    targetSaw.length = 0;
    const port = new URL(targetUrl).port;
    for (const u of [
      targetUrl,
      `https://127.0.0.1:${port}/`,
      `https://localhost:${port}/`,
      `https://2130706433:${port}/`,
      `https://[::ffff:127.0.0.1]:${port}/`,
      'https://169.254.169.254/latest/meta-data/',
      'https://10.0.0.1/',
      'https://0.0.0.0/',
    ]) {
      await assert.rejects(guardedFetch(u), OutboundUrlError, u);
      await assert.rejects(checkOutboundUrl(u), (e: OutboundUrlError) => e.code === 'URL_NOT_ALLOWED', u);
    }
    assert.deepEqual(targetSaw, []);
  });

  test('a host name is checked by every address DNS gives, where the socket connects', async () => {
    const dns: Record<string, string[]> = {
      'metadata.evil.example': ['169.254.169.254'],
      'mixed.evil.example': ['8.8.8.8', '10.1.2.3'],
      'v6.evil.example': ['::1'],
    };
    const resolve: Resolver = async (h) =>
      (dns[h] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    for (const host of Object.keys(dns)) {
      await assert.rejects(guardedFetch(`https://${host}/`, {}, { resolve }), OutboundUrlError, host);
      await assert.rejects(checkOutboundUrl(`https://${host}/`, undefined, { resolve }), OutboundUrlError);
    }
    // Not resolvable at save time: accepted then, checked again at call time.
    const url = await checkOutboundUrl('https://api.loja.example/x', undefined, {
      resolve: async () => Promise.reject(new Error('ENOTFOUND')),
    });
    assert.equal(url.hostname, 'api.loja.example');
  });

  test('an operator-allowed origin is reached; a redirect from it to an internal address is refused', async () => {
    const policy = outboundPolicy(hopUrl);
    const ok = await guardedFetch(`${hopUrl}/hello`, {}, { policy });
    assert.equal(await ok.text(), 'ok ');
    targetSaw.length = 0;
    for (const next of [`${targetUrl}/x`, 'https://10.0.0.1/', 'https://[::ffff:127.0.0.1]/'])
      await assert.rejects(
        guardedFetch(`${hopUrl}/to?u=${encodeURIComponent(next)}`, {}, { policy }),
        OutboundUrlError,
        next,
      );
    assert.deepEqual(targetSaw, []);
    // Within the allowed origin a redirect is followed; credentials stay on the same origin.
    const same = await guardedFetch(
      `${hopUrl}/to?u=${encodeURIComponent('/hello')}`,
      { headers: { authorization: 'Bearer t' } },
      { policy },
    );
    assert.equal(await same.text(), 'ok Bearer t');
    // Too many hops.
    let chain = '/hello';
    for (let i = 0; i < 5; i++) chain = `/to?u=${encodeURIComponent(chain)}`;
    await assert.rejects(guardedFetch(`${hopUrl}${chain}`, {}, { policy }), OutboundUrlError);
  });

  test('responses past the cap are refused, declared or streamed', async () => {
    const policy = outboundPolicy([hopUrl]);
    await assert.rejects(
      guardedFetch(`${hopUrl}/big`, {}, { policy, maxBytes: 100_000 }),
      OutboundResponseTooLargeError,
    );
    const res = await guardedFetch(`${hopUrl}/stream`, {}, { policy, maxBytes: 100_000 });
    await assert.rejects(res.text(), OutboundResponseTooLargeError);
    const fine = await guardedFetch(`${hopUrl}/big`, {}, { policy, maxBytes: 1_000_000 });
    assert.equal((await fine.text()).length, 300_000);
  });
});
