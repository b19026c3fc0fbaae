/** Channel credentials from the `tls` config: absent = plaintext (warned), ca = TLS, + cert/key = mTLS. */
import * as fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { TlsConfig } from '../config/schema';

export function channelCredentials(tls: TlsConfig | undefined, log: Logger): grpc.ChannelCredentials {
  if (!tls) {
    log.warn('no tls configured: talking to the orchestrator in plaintext');
    return grpc.credentials.createInsecure();
  }
  const read = (file: string | undefined): Buffer | null => (file === undefined ? null : fs.readFileSync(file));
  return grpc.credentials.createSsl(read(tls.ca), read(tls.key), read(tls.cert));
}
