/**
 * Self-signed certificates for transport tests (openssl): each cert is its own CA, so the
 * agent trusts the server's cert directly and the server trusts the agent's.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

export interface KeyPair {
  cert: string;
  key: string;
}

export function selfSigned(dir: string, name: string, cn: string, san?: string): KeyPair {
  const pair = { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'];
  args.push('-keyout', pair.key, '-out', pair.cert, '-subj', `/CN=${cn}`);
  if (san) args.push('-addext', `subjectAltName=${san}`);
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return pair;
}
