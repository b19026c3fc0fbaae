/**
 * The security headers every answer carries, set on the raw response in the first onRequest
 * hook so that refusals (401, 429, 400), static files, /docs and the hijacked SSE stream
 * get them too (Node merges them into whatever writeHead sends later).
 */
import type { FastifyInstance } from 'fastify';

/**
 * The dashboard (apps/dashboard, Vite build) loads only its own /assets/*.js and *.css and
 * talks to /api/v1 (the SSE stream included) with fetch: nothing inline, nothing from elsewhere.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Swagger UI's page (@nestjs/swagger) has inline <style> blocks and data: icons; its scripts are files. */
export const DOCS_CSP = DASHBOARD_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

const COMMON: ReadonlyArray<readonly [string, string]> = [
  ['x-content-type-options', 'nosniff'],
  // For browsers that predate frame-ancestors.
  ['x-frame-options', 'DENY'],
  ['referrer-policy', 'no-referrer'],
  ['cross-origin-opener-policy', 'same-origin'],
];

function isDocs(url: string): boolean {
  return url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs?');
}

/** The headers for a request to `url`, CSP included; also used where no reply exists (client errors). */
export function securityHeaders(url: string): Array<readonly [string, string]> {
  return [...COMMON, ['content-security-policy', isDocs(url) ? DOCS_CSP : DASHBOARD_CSP]];
}

export function installSecurityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    for (const [name, value] of securityHeaders(request.url)) reply.raw.setHeader(name, value);
    done();
  });
}
