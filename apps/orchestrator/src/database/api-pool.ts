/**
 * Every HTTP request runs on the Database's API pool (API_DATABASE_POOL_MAX), from its first
 * hook (the token check) to its audit row; agent streams, ingest, the scheduler and jobs keep
 * the main pool. Installed before any other onRequest hook, so all of them run inside it.
 */
import type { Database } from '@physwatch/db';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

export function installApiPool(fastify: FastifyInstance, db: Database): void {
  const enter = (_request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => db.onApiPool(done);
  fastify.addHook('onRequest', enter);
  // Again once the body is read: its 'data' events ran in the socket's context, not the request's.
  fastify.addHook('preValidation', enter);
}
