/**
 * The agent's identity on disk, in `<stateDir>/identity/`: key.pem (0600, made here, never
 * sent anywhere), cert.pem (the certificate enrollment or renewal issued) and ca.pem (the
 * agent CA that signed it). Each file is written whole (temp file, fsync, rename).
 */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface IdentityPaths {
  dir: string;
  key: string;
  cert: string;
  ca: string;
}

export function identityPaths(stateDir: string): IdentityPaths {
  const dir = path.join(stateDir, 'identity');
  return { dir, key: path.join(dir, 'key.pem'), cert: path.join(dir, 'cert.pem'), ca: path.join(dir, 'ca.pem') };
}

/** A certificate as the agent uses it: PEM, the host it names, and its validity. */
export interface HostCertificate {
  pem: string;
  hostId: string | null;
  notBefore: number;
  notAfter: number;
}

const HOST_URI = 'URI:physwatch://host/';

export function readCertificate(pem: string): HostCertificate {
  const cert = new X509Certificate(pem);
  const uris = (cert.subjectAltName ?? '').split(', ').filter((n) => n.startsWith(HOST_URI));
  return {
    pem,
    hostId: uris.length === 1 ? uris[0].slice(HOST_URI.length) : null,
    notBefore: Date.parse(cert.validFrom),
    notAfter: Date.parse(cert.validTo),
  };
}

/** When to ask for a new certificate: two thirds into its lifetime. */
export function renewalDue(cert: HostCertificate): number {
  return cert.notBefore + Math.floor(((cert.notAfter - cert.notBefore) * 2) / 3);
}

export function readIfPresent(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export function writeWhole(file: string, text: string, mode: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}
