/**
 * How the HTTP server treats slow and broken clients (docs/contracts.md, "Hostile input"):
 * - a request (headers and body) must arrive in full within HTTP_REQUEST_TIMEOUT_MS, or it
 *   is answered 408 and the connection closed; Node checks every connection each
 *   CHECK_INTERVAL_MS, so the cut comes at most that much later;
 * - an idle keep-alive connection is closed after KEEP_ALIVE_TIMEOUT_MS; an answer being
 *   sent (the SSE stream) has no idle limit;
 * - what Node's HTTP parser cannot read (a NUL or a byte above 0x7f in the request line,
 *   a bad header, conflicting Content-Length) is answered 400, too-large headers 431, in the
 *   API's JSON error shape, and the connection closed. No request exists yet, so nothing is
 *   audited; one log line names the source address. A change cut off while its body was
 *   arriving is audited with status 408.
 */
import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyHttpOptions } from 'fastify';
import type { OrchestratorConfig } from '../config/config';
import type { Logger } from '../config/logger';
import { BODY_LIMIT_BYTES } from './json-body';
import { rewriteUrl } from './request-bytes';
import { securityHeaders } from './security-headers';

/** Longer than the 60 s idle timeout of common load balancers, so they close first (Fastify's default). */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000;
const CHECK_INTERVAL_MS = 1_000;
/** Larger than a whole request line may be (Node's 16 KiB header limit), so the router never answers on its own. */
const MAX_PARAM_LENGTH = 16 * 1024;

function clientErrorAnswer(err: NodeJS.ErrnoException, requestTimeoutMs: number): { status: number; error: string; message: string } {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, error: 'request_timeout', message: `the request did not arrive in full within ${requestTimeoutMs} ms (HTTP_REQUEST_TIMEOUT_MS)` };
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') return { status: 431, error: 'headers_too_large', message: 'the request line and headers are larger than 16 KiB' };
  return { status: 400, error: 'bad_request', message: `not a valid HTTP/1.1 request (${err.code ?? 'parse error'})` };
}

// Requests whose body was still arriving when the timeout cut them off (see isCutOff).
const cutOff = new WeakSet<IncomingMessage>();

/** The request timed out while its body was being read: its audit row says 408, not the parser's 400 that follows. */
export function isCutOff(req: IncomingMessage): boolean {
  return cutOff.has(req);
}

function clientErrorHandler(logger: Logger, requestTimeoutMs: number) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const { status, error, message } = clientErrorAnswer(err, requestTimeoutMs);
    // node:http keeps the response of the request being read on its socket.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean; req?: IncomingMessage } })._httpMessage;
    if (inFlight?.req && status === 408) cutOff.add(inFlight.req);
    logger.info({ sourceIp: socket.remoteAddress, status, code: err.code, url: inFlight?.req?.url }, 'http request refused; connection closed');
    // Once an answer has started on this connection, nothing else can be said on it.
    if (socket.writable && !inFlight?.headersSent) {
      const body = JSON.stringify({ error, message });
      const head = [
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
        'connection: close',
        'content-type: application/json; charset=utf-8',
        `content-length: ${Buffer.byteLength(body)}`,
        ...securityHeaders('/').map(([name, value]) => `${name}: ${value}`),
      ];
      socket.write(`${head.join('\r\n')}\r\n\r\n${body}`);
    }
    socket.destroy(err);
  };
}

/** The Fastify (and node:http) options: the one place HTTP limits and timeouts are set. */
export function httpServerOptions(config: OrchestratorConfig, logger: Logger): FastifyHttpOptions<Server> {
  const timeout = config.httpGuard.requestTimeoutMs;
  return {
    trustProxy: config.trustProxy,
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: timeout,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    maxParamLength: MAX_PARAM_LENGTH,
    // headersTimeout may not exceed requestTimeout: both are the one stated timeout.
    // node:http would answer a missing Host with an empty 400; request-bytes.ts answers it in JSON.
    http: { requestTimeout: timeout, headersTimeout: timeout, connectionsCheckingInterval: Math.min(CHECK_INTERVAL_MS, timeout), requireHostHeader: false },
    rewriteUrl,
    clientErrorHandler: clientErrorHandler(logger, timeout),
  };
}
