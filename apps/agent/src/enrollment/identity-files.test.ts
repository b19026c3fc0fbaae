import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../test-support/fixtures';
import { identityPaths, readCertificate, renewalDue, writeWhole } from './identity-files';

afterEach(removeTempDirs);

function selfSignedPem(dir: string, san: string): string {
  const out = path.join(dir, 'c.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '3', '-keyout', path.join(dir, 'k.pem'), '-out', out, '-subj', '/CN=x', '-addext', `subjectAltName=${san}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return fs.readFileSync(out, 'utf8');
}

describe('the kept identity', () => {
  it('reads the host id from the one physwatch host URI SAN, and none from anything else', () => {
    const dir = tempDir();
    expect(readCertificate(selfSignedPem(dir, 'URI:physwatch://host/web-17,DNS:web-17')).hostId).toBe('web-17');
    expect(readCertificate(selfSignedPem(dir, 'DNS:web-17')).hostId).toBeNull();
    expect(readCertificate(selfSignedPem(dir, 'URI:physwatch://host/a,URI:physwatch://host/b')).hostId).toBeNull();
  });

  it('asks for renewal two thirds into the lifetime', () => {
    expect(renewalDue({ pem: '', hostId: 'h', notBefore: 0, notAfter: 30_000 })).toBe(20_000);
    const cert = readCertificate(selfSignedPem(tempDir(), 'URI:physwatch://host/h'));
    expect(renewalDue(cert) - cert.notBefore).toBe(Math.floor(((cert.notAfter - cert.notBefore) * 2) / 3));
  });

  it('writes each file whole with its mode (the key 0600)', () => {
    const paths = identityPaths(tempDir());
    writeWhole(paths.key, 'secret', 0o600);
    writeWhole(paths.key, 'secret2', 0o600);
    expect(fs.readFileSync(paths.key, 'utf8')).toBe('secret2');
    expect(fs.statSync(paths.key).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(paths.dir)).toEqual(['key.pem']);
  });
});
