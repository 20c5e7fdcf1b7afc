/**
 * Which addresses a server-side fetch of a URL that a tenant, a customer or Meta supplied
 * may reach (the outbound-URL guard's pure rules; the I/O is shared/net/outbound-url.ts).
 *
 * - https only, except an origin the deployment's operator allowed by configuration
 *   (OUTBOUND_ALLOWED_ORIGINS: the local simulator, a local model); a tenant never can.
 * - The host must be public: every address it resolves to is a global unicast address
 *   (ipaddr.js ranges). Refused: loopback, link-local (so 169.254.169.254, the cloud's
 *   metadata), private 10/8 172.16/12 192.168/16, CGNAT 100.64/10, multicast, unspecified,
 *   broadcast, reserved, IPv4-mapped and other IPv4-embedding IPv6 forms, unique-local
 *   fc00::/7 (so fd00:ec2::254), and `localhost` by name.
 * - Numeric spellings (`2130706433`, `0x7f.1`, `017700000001`) are normalised by the WHATWG
 *   URL parser before the check, so they are the address they mean.
 */
import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

export type UrlRefusal =
  | { kind: 'invalid' }
  | { kind: 'scheme'; scheme: string }
  | { kind: 'host'; host: string }
  | { kind: 'address'; address: string; range: string };

/** The reason in Portuguese, for the admin saving the URL and for the assistant's record. */
export function refusalText(r: UrlRefusal): string {
  switch (r.kind) {
    case 'invalid':
      return 'URL inválida.';
    case 'scheme':
      return `use https (recebido ${r.scheme}).`;
    case 'host':
      return `o endereço ${r.host} é deste servidor.`;
    case 'address':
      return `o endereço ${r.address} é de rede interna ou reservada (${r.range}).`;
  }
}

/** The range an address is in, when it is not a public unicast address; undefined when it is. */
export function nonPublicRange(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(bare) || isIP(bare) === 0) return 'invalid';
  let ip = ipaddr.parse(bare);
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    // ::ffff:127.0.0.1 is 127.0.0.1 to the kernel: refused as what it maps to, and anyway.
    if (v6.isIPv4MappedAddress()) {
      const inner = v6.toIPv4Address().range();
      return inner === 'unicast' ? 'ipv4Mapped' : `ipv4Mapped/${inner}`;
    }
    ip = v6;
  }
  const range = ip.range();
  return range === 'unicast' ? undefined : range;
}

/** Host names that are this machine whatever DNS says (RFC 6761). */
export function isLocalName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

/** `a,b , c` → normalised origins (`https://x.example:8443`); throws on an entry that is not a URL. */
export function parseOrigins(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const u = new URL(s);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`not an http(s) origin: ${s}`);
      return u.origin;
    });
}

export type UrlCheck =
  | { ok: true; url: URL; operatorAllowed: boolean; hostIsAddress: boolean }
  | { ok: false; refusal: UrlRefusal };

/**
 * Everything that can be decided without DNS: the URL parses, its origin is one the operator
 * allowed, or it is https on a host that is not local by name and, when it is an address
 * (in any spelling), a public one. A host name still needs its addresses checked.
 */
export function checkUrlShape(raw: string | URL, allowedOrigins: readonly string[]): UrlCheck {
  let url: URL;
  try {
    url = new URL(String(raw));
  } catch {
    return { ok: false, refusal: { kind: 'invalid' } };
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const hostIsAddress = isIP(host) !== 0;
  if (allowedOrigins.includes(url.origin)) return { ok: true, url, operatorAllowed: true, hostIsAddress };
  if (url.protocol !== 'https:') return { ok: false, refusal: { kind: 'scheme', scheme: url.protocol } };
  if (!host) return { ok: false, refusal: { kind: 'invalid' } };
  if (isLocalName(host)) return { ok: false, refusal: { kind: 'host', host } };
  if (hostIsAddress) {
    const range = nonPublicRange(host);
    if (range) return { ok: false, refusal: { kind: 'address', address: host, range } };
  }
  return { ok: true, url, operatorAllowed: false, hostIsAddress };
}

/**
 * Whether a host matches one of the WhatsApp media host rules: `lookaside.fbsbx.com`
 * (exactly), `*.fbcdn.net` (any subdomain), or a full origin `http://localhost:4503` (that
 * origin only: how the local simulator is allowed). Host rules need https.
 */
export function mediaHostAllowed(url: URL, rules: readonly string[]): boolean {
  const host = url.hostname.toLowerCase();
  for (const rule of rules) {
    const r = rule.trim().toLowerCase();
    if (!r) continue;
    if (r.includes('://')) {
      try {
        if (new URL(r).origin === url.origin) return true;
      } catch {
        /* a bad rule matches nothing */
      }
      continue;
    }
    if (url.protocol !== 'https:') continue;
    if (r.startsWith('*.') ? host.endsWith(r.slice(1)) && host.length > r.length - 1 : host === r)
      return true;
  }
  return false;
}
