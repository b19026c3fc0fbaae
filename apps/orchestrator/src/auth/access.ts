/**
 * Who may call a route: the least role, the audit log's name for the change, and how a
 * refusal names what was asked. GET routes default to viewer; every other route must say
 * (the guard refuses one that does not, and access.test.ts checks each route declares one).
 */
import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { Role, roleAllows } from '@physwatch/core';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError } from '../common/errors';

export interface AccessRule {
  role: Role;
  /** e.g. "watch.create"; required on every route that is not a GET. */
  action?: string;
  /** e.g. "creating a token", for the 403 message. */
  what: string;
}

export const MISSING_TOKEN = 'missing bearer token (Authorization: Bearer <token>)';
// One message for both: a caller learns nothing about which tokens exist.
export const UNKNOWN_TOKEN = 'unknown or revoked token';

export const ACCESS_METADATA = 'physwatch:access';

/**
 * Declares the rule for the Nest guard (reflection) and for Fastify's hooks (route config),
 * which run before Nest and still have to name the action of a refused request.
 */
export function Access(rule: AccessRule): MethodDecorator {
  return applyDecorators(SetMetadata(ACCESS_METADATA, rule), RouteConfig({ access: rule }));
}

/** The rule that applies: the declared one, viewer for reads, null (refused) for an undeclared change. */
export function effectiveRule(declared: AccessRule | undefined, method: string, route: string): AccessRule | null {
  if (declared) return declared;
  if (method === 'GET' || method === 'HEAD') return { role: 'viewer', what: `GET ${route}` };
  return null;
}

/** Who is calling: the token the request carried. */
export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
}

/** Throws the 403 naming what was asked, the role it needs and the caller's token and role. */
export function requireRole(principal: Principal, required: Role, what: string): void {
  if (roleAllows(principal.role, required)) return;
  throw new ForbiddenError(`${what} needs role ${required}; this token (${principal.name}) has role ${principal.role}`);
}

/** Paths under /api/v1 need a token; the OpenAPI document, /docs, health and metrics do not. */
export function needsToken(url: string): boolean {
  const path = url.split('?', 1)[0];
  return (path === '/api/v1' || path.startsWith('/api/v1/')) && path !== '/api/v1/openapi.json';
}

function decodedPath(url: string): string {
  const path = url.split('?', 1)[0];
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * Judged by the route the request reached, not by its raw URL: the router decodes
 * percent-escapes before matching, so `/%61pi/v1/watches` reaches the /api/v1/watches
 * handler although its raw URL does not start with /api/v1. A request that matched no
 * route is judged by its decoded path, so a miss under /api/v1 is still a 401 first.
 */
export function requestNeedsToken(request: Pick<FastifyRequest, 'url' | 'routeOptions'>): boolean {
  const route = request.routeOptions?.url;
  return (route !== undefined && needsToken(route)) || needsToken(decodedPath(request.url));
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook for every request that needs a token. */
    principal?: Principal;
    /** The change's audit row was written in its own transaction (see AuditTrail). */
    auditWritten?: boolean;
  }
  interface FastifyContextConfig {
    access?: AccessRule;
  }
}

/** The handler's caller; set for every route under /api/v1 once the guard let it through. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<FastifyRequest>().principal;
  if (!principal) throw new Error('@Caller() used on a route that takes no token');
  return principal;
});
