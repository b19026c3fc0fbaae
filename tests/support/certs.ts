/**
 * A throw-away CA with a server certificate for 127.0.0.1 and client certificates, via openssl:
 * an agent CA given to the orchestrator as files (AGENT_CA_CERT/KEY, GRPC_TLS_CERT/KEY), or
 * "another CA" whose certificates the orchestrator must refuse.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface TestPki {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  /** Issues a client certificate whose CN is `cn`, signed by this CA; `san` e.g. "URI:physwatch://host/h1". */
  client(cn: string, san?: string): { cert: string; key: string };
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function issue(dir: string, name: string, subject: string, extensions: string): void {
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  writeFileSync(path.join(dir, `${name}.ext`), extensions);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', `${name}.pem`, '-extfile', `${name}.ext`]);
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'physwatch-pki-'));
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=physwatch test CA']);
  issue(dir, 'server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  return {
    dir,
    ca: path.join(dir, 'ca.pem'),
    serverCert: path.join(dir, 'server.pem'),
    serverKey: path.join(dir, 'server.key'),
    client(cn: string, san?: string) {
      issue(dir, `client-${cn}`, `/CN=${cn}`, `extendedKeyUsage=clientAuth\n${san ? `subjectAltName=${san}\n` : ''}`);
      return { cert: path.join(dir, `client-${cn}.pem`), key: path.join(dir, `client-${cn}.key`) };
    },
  };
}
