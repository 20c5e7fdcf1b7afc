/**
 * The security headers of the web app, one definition for both realisations: CloudFront's
 * response-headers policy (infra/cdk/web.ts) and the local static server
 * (infra/local/stack/web-server.ts), so a Content-Security-Policy violation shows on `npm start` and
 * in the browser tests before it shows in production.
 *
 * - CSP: scripts, styles, fonts and workers only from the app's own origin (the built
 *   index.html has no inline script); fetch/WebSocket only to the app, the API, the
 *   WebSocket API and the media bucket; images, audio and video also from https links
 *   (media sent by link); no plugins, no <base>, forms only to the app; never framed.
 * - HSTS two years with subdomains; X-Frame-Options DENY; no referrer; nosniff.
 */
export interface WebOrigins {
  /** Where the app may connect (fetch, XHR, WebSocket): the API, the WebSocket API, the media bucket. */
  connect: string[];
  /** Where stored media is read from (presigned URLs of the media bucket). */
  media: string[];
}

export const HSTS_MAX_AGE_SECONDS = 2 * 365 * 86_400;

export function contentSecurityPolicy(origins: WebOrigins): string {
  const list = (...s: string[]) => [...new Set(s)].join(' ');
  return [
    `default-src 'self'`,
    `script-src 'self'`,
    `style-src 'self'`,
    `img-src ${list("'self'", 'data:', 'blob:', 'https:', ...origins.media)}`,
    `media-src ${list("'self'", 'blob:', 'https:', ...origins.media)}`,
    `font-src 'self'`,
    `connect-src ${list("'self'", ...origins.connect)}`,
    `worker-src 'self'`,
    `manifest-src 'self'`,
    `object-src 'none'`,
    `base-uri 'self'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
  ].join('; ');
}

/** The headers as the local static server sends them (CloudFront sends the same ones). */
export function webSecurityHeaders(origins: WebOrigins): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(origins),
    'strict-transport-security': `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`,
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  };
}
