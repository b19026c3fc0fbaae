import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { ExecutionContext } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { describe, expect, it, vi } from 'vitest';
import { ForbiddenError, UnauthenticatedError } from '../common/errors';
import { ACCESS_METADATA, AccessRule, effectiveRule, needsToken, Principal } from './access';
import { AccessGuard } from './access.guard';

const SRC = path.resolve(__dirname, '..');
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ALL', 'OPTIONS', 'HEAD', 'SEARCH'];

interface Route {
  method: string;
  path: string;
  handler: (...args: unknown[]) => unknown;
}

function controllerFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return controllerFiles(file);
    return entry.name.endsWith('.controller.ts') ? [file] : [];
  });
}

/** Every route of every controller in the orchestrator's source, read from Nest's own metadata. */
async function allRoutes(): Promise<Route[]> {
  const routes: Route[] = [];
  for (const file of controllerFiles(SRC)) {
    const exports = (await import(file)) as Record<string, unknown>;
    for (const controller of Object.values(exports)) {
      if (typeof controller !== 'function' || Reflect.getMetadata(PATH_METADATA, controller) === undefined) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller));
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const method = HTTP_METHODS[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const sub = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '/');
        routes.push({ method, path: `/${[base, sub].map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`, handler });
      }
    }
  }
  return routes;
}

describe('every route declares who may call it', () => {
  it('finds the routes (the enumeration itself works)', async () => {
    const routes = (await allRoutes()).map((r) => `${r.method} ${r.path}`);
    expect(routes).toEqual(expect.arrayContaining(['POST /api/v1/watches', 'GET /api/v1/hits', 'POST /api/v1/tokens', 'DELETE /api/v1/tokens/:id', 'GET /api/v1/audit', 'GET /healthz']));
  });

  it('each change under /api/v1 declares a role and an audit action; reads default to viewer', async () => {
    const undeclared: string[] = [];
    for (const route of await allRoutes()) {
      if (!needsToken(route.path)) continue;
      const declared = Reflect.getMetadata(ACCESS_METADATA, route.handler) as AccessRule | undefined;
      const rule = effectiveRule(declared, route.method, route.path);
      const isChange = route.method !== 'GET' && route.method !== 'HEAD';
      if (!rule || (isChange && !rule.action)) undeclared.push(`${route.method} ${route.path}`);
    }
    expect(undeclared).toEqual([]);
  });

  it('the rules: operator changes report/stack watches, admin owns tokens and the audit log', async () => {
    const table = Object.fromEntries(
      (await allRoutes())
        .filter((r) => /\/api\/v1\/(watches|tokens|audit)/.test(r.path))
        .map((r) => [`${r.method} ${r.path}`, effectiveRule(Reflect.getMetadata(ACCESS_METADATA, r.handler), r.method, r.path)!.role]),
    );
    expect(table).toMatchObject({
      'GET /api/v1/watches': 'viewer',
      'POST /api/v1/watches': 'operator',
      'POST /api/v1/watches/:id/stop': 'operator',
      'POST /api/v1/watches/:id/pause': 'operator',
      'POST /api/v1/watches/:id/resume': 'operator',
      'POST /api/v1/tokens': 'admin',
      'GET /api/v1/tokens': 'admin',
      'DELETE /api/v1/tokens/:id': 'admin',
      'GET /api/v1/audit': 'admin',
    });
  });
});

describe('AccessGuard', () => {
  const logger = { error: vi.fn() };
  const guard = new AccessGuard(new Reflector(), logger as never);
  const viewer: Principal = { tokenId: '3', name: 'reader', role: 'viewer' };

  function context(method: string, url: string, principal: Principal | undefined, rule?: AccessRule): ExecutionContext {
    const handler = () => undefined;
    if (rule) Reflect.defineMetadata(ACCESS_METADATA, rule, handler);
    const request = { method, url, principal, routeOptions: { url: url.split('?')[0] } };
    return { getType: () => 'http', getHandler: () => handler, switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
  }

  it('lets any token read, and refuses a change to a role below the one declared, naming both', () => {
    expect(guard.canActivate(context('GET', '/api/v1/hosts?x=1', viewer))).toBe(true);
    expect(() => guard.canActivate(context('POST', '/api/v1/tokens', viewer, { role: 'admin', action: 'token.create', what: 'creating a token' }))).toThrow(
      new ForbiddenError('creating a token needs role admin; this token (reader) has role viewer'),
    );
  });

  it('fails closed: a change without a declared role is refused for every token, and logged', () => {
    const admin: Principal = { tokenId: '1', name: 'bootstrap', role: 'admin' };
    expect(() => guard.canActivate(context('POST', '/api/v1/new-thing', admin))).toThrow(ForbiddenError);
    expect(logger.error).toHaveBeenCalledWith({ method: 'POST', route: '/api/v1/new-thing' }, expect.stringContaining('declares no role'));
  });

  it('needs a token under /api/v1 only; the OpenAPI document, health, metrics and the dashboard are open', () => {
    expect(() => guard.canActivate(context('GET', '/api/v1/hosts', undefined))).toThrow(UnauthenticatedError);
    expect(guard.canActivate(context('GET', '/healthz', undefined))).toBe(true);
    expect(['/api/v1/openapi.json', '/docs', '/readyz', '/metrics', '/'].some(needsToken)).toBe(false);
    expect(['/api/v1/watches', '/api/v1/audit?limit=1', '/api/v1'].every(needsToken)).toBe(true);
  });
});
