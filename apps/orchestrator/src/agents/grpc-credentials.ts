import { ServerCredentials } from '@grpc/grpc-js';
import type { AgentPki } from '../enrollment/agent-pki';

/**
 * AgentGateway: mutual TLS. The handshake itself refuses a client without a certificate
 * signed by the agent CA, so an unenrolled peer never reaches a handler.
 */
export function gatewayCredentials(pki: AgentPki): ServerCredentials {
  return ServerCredentials.createSsl(Buffer.from(pki.ca.certPem), [serverPair(pki)], true);
}

/** Enrollment: TLS that authenticates the server only (the agent has no certificate yet; its token authorizes). */
export function enrollmentCredentials(pki: AgentPki): ServerCredentials {
  return ServerCredentials.createSsl(null, [serverPair(pki)], false);
}

function serverPair(pki: AgentPki): { cert_chain: Buffer; private_key: Buffer } {
  return { cert_chain: Buffer.from(pki.server.certPem), private_key: Buffer.from(pki.server.keyPem) };
}

export function bindAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
