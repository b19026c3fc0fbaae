import { createReadStream, existsSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** Where `turbo run build` puts the dashboard, from apps/orchestrator/dist/dashboard. */
export const DASHBOARD_DIST = path.resolve(__dirname, '../../../dashboard/dist');

/** Paths the orchestrator answers itself; the SPA fallback must never shadow them. */
const RESERVED = /^\/(api|healthz|readyz|metrics|docs)(\/|$)/;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export type DashboardAnswer =
  | { kind: 'reserved' }
  | { kind: 'missing' }
  | { kind: 'file'; file: string; type: string; cache: string };

/**
 * What to send for a GET outside the API: the built file, or index.html for a client route
 * (/watches/12 is the SPA's, not a file). Vite names assets by content hash, so they are
 * cached for good; index.html is revalidated so a new build shows at once.
 */
export function resolveDashboardPath(urlPath: string, dist = DASHBOARD_DIST): DashboardAnswer {
  let pathname: string;
  try {
    pathname = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return { kind: 'missing' };
  }
  if (RESERVED.test(pathname)) return { kind: 'reserved' };
  const index = path.join(dist, 'index.html');
  if (!existsSync(index)) return { kind: 'missing' };
  const file = path.resolve(dist, '.' + path.posix.normalize(pathname));
  const inside = file.startsWith(dist + path.sep);
  if (inside && existsSync(file) && statSync(file).isFile()) {
    const immutable = file.startsWith(path.join(dist, 'assets') + path.sep);
    return { kind: 'file', file, type: TYPES[path.extname(file)] ?? 'application/octet-stream', cache: immutable ? 'public, max-age=31536000, immutable' : 'no-cache' };
  }
  // A missing asset is a 404, not the app: a browser would try to run HTML as a script.
  if (path.extname(pathname) !== '') return { kind: 'missing' };
  return { kind: 'file', file: index, type: TYPES['.html'], cache: 'no-cache' };
}

export function openDashboardFile(file: string): NodeJS.ReadableStream {
  return createReadStream(file);
}
