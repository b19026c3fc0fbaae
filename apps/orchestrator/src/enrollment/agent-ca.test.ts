import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentCa, CsrError } from './agent-ca';
import { certificateHostId } from './x509';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'physwatch-ca-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A CSR (openssl) that asks for more than it may get: another host's URI and CA rights. */
function greedyCsr(): string {
  const out = path.join(dir, 'greedy.csr');
  execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', path.join(dir, 'greedy.key'), '-out', out,
    '-subj', '/CN=other-host', '-addext', 'subjectAltName=URI:physwatch://host/other-host', '-addext', 'basicConstraints=critical,CA:TRUE'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return fs.readFileSync(out, 'utf8');
}

describe('AgentCa', () => {
  it('issues a client certificate for the host it decides, whatever the CSR asks, chaining to itself', async () => {
    const generated = await AgentCa.generate('test CA');
    const ca = await AgentCa.load(generated.certPem, generated.keyPem);
    const issued = await ca.issueClient(greedyCsr(), 'web-17', 60_000);
    const cert = new X509Certificate(issued.certificatePem);
    expect(certificateHostId(cert)).toBe('web-17');
    expect(cert.subjectAltName).toBe('URI:physwatch://host/web-17');
    expect(cert.subject).toBe('CN=web-17');
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(cert.verify(new X509Certificate(generated.certPem).publicKey)).toBe(true);
    expect(cert.serialNumber.toUpperCase()).toBe(issued.serial);
    expect(issued.notAfter.getTime() - issued.notBefore.getTime()).toBe(66_000);
  });

  it('refuses a CSR that is not one, or whose signature does not verify', async () => {
    const generated = await AgentCa.generate('test CA');
    const ca = await AgentCa.load(generated.certPem, generated.keyPem);
    await expect(ca.issueClient('not a csr', 'h', 60_000)).rejects.toThrow(CsrError);
    const csr = greedyCsr();
    const b64 = csr.split('\n').filter((l) => !l.startsWith('-----')).join('');
    const der = Buffer.from(b64, 'base64');
    der[der.length - 5] ^= 0xff; // inside the signature
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    await expect(ca.issueClient(tampered, 'h', 60_000)).rejects.toThrow('csr_pem: its signature does not verify');
  });

  it('will not load a certificate that is no CA, or a key that is not its own', async () => {
    const a = await AgentCa.generate('A');
    const b = await AgentCa.generate('B');
    await expect(AgentCa.load(a.certPem, b.keyPem)).rejects.toThrow('the agent CA key does not belong to its certificate');
    const ca = await AgentCa.load(a.certPem, a.keyPem);
    const server = await ca.issueServer(['localhost'], 60_000);
    await expect(AgentCa.load(server.certPem, server.keyPem)).rejects.toThrow('is not a CA');
  });
});
