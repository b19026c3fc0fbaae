/**
 * Channel credentials for the stream: mutual TLS with the enrolled identity (the server
 * checked against tls.ca), or plaintext when the config says `insecure` (warned on every use).
 */
import * as fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { AgentConfig } from '../config/schema';
import type { AgentIdentity } from '../enrollment/enroll';

export function channelCredentials(config: AgentConfig, identity: AgentIdentity | null, log: Logger): grpc.ChannelCredentials {
  if (config.insecure || !config.tls || !identity) {
    log.warn('insecure: talking to the orchestrator in plaintext, without a certificate (development only)');
    return grpc.credentials.createInsecure();
  }
  return grpc.credentials.createSsl(fs.readFileSync(config.tls.ca), Buffer.from(identity.keyPem), Buffer.from(identity.cert.pem));
}
