import { readFileSync } from 'node:fs';
import { ServerCredentials } from '@grpc/grpc-js';
import type { OrchestratorConfig } from '../config/config';

/** Plaintext, TLS, or mTLS (a CA set means every agent must present a certificate it signed). */
export function serverCredentials(tls: OrchestratorConfig['grpc']['tls']): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  const ca = tls.caPath ? readFileSync(tls.caPath) : null;
  return ServerCredentials.createSsl(ca, [{ cert_chain: readFileSync(tls.certPath), private_key: readFileSync(tls.keyPath) }], ca !== null);
}

export function bindAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
