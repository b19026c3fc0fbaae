import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthenticatedError } from '../common/errors';
import { Logger, LOGGER } from '../config/logger';
import { ACCESS_METADATA, AccessRule, effectiveRule, MISSING_TOKEN, requestNeedsToken, requireRole } from './access';

/**
 * The global guard: every route under /api/v1 checks the caller's role against the route's
 * rule. The token itself was checked before the body was read (auth-hooks.ts); a request
 * that got here without one is refused all the same. Fails closed: a change whose route
 * declares no role is refused for everyone, and logged.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const request = ctx.switchToHttp().getRequest<FastifyRequest>();
    // Outside /api/v1: health, metrics, the dashboard's static files.
    if (!requestNeedsToken(request)) return true;
    if (!request.principal) throw new UnauthenticatedError(MISSING_TOKEN);
    const route = request.routeOptions.url ?? request.url;
    const rule = effectiveRule(this.reflector.get<AccessRule | undefined>(ACCESS_METADATA, ctx.getHandler()), request.method, route);
    if (!rule) {
      this.logger.error({ method: request.method, route }, 'route declares no role (@Access); refused for every token');
      throw new ForbiddenError(`${request.method} ${route} declares no role, so no token may call it`);
    }
    requireRole(request.principal, rule.role, rule.what);
    return true;
  }
}
