/** The orchestrator's agent CA: signs each host's client certificate and, when generated, the server's. */
import { isIP } from 'node:net';
import { createPrivateKey, X509Certificate as NodeCertificate } from 'node:crypto';
import { EC_P256, hostUri, importSigningKey, Key, newKeyPair, newSerial, privateKeyPem, SigningAlgorithm, x509 } from './x509';

export interface IssuedCert {
  certificatePem: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
}

/** Not-before is set a little in the past, so a host whose clock lags still accepts it. */
function backdate(now: number, ttlMs: number): Date {
  return new Date(now - Math.min(60_000, Math.floor(ttlMs / 10)));
}

/** A CSR that cannot be used: the message names the field and why. */
export class CsrError extends Error {
  override readonly name = 'CsrError';
}

export class AgentCa {
  private constructor(
    readonly certPem: string,
    private readonly cert: x509.X509Certificate,
    private readonly key: Key,
    private readonly algorithm: SigningAlgorithm,
    // The same on every certificate this CA signs: computed once, not per enrollment.
    private readonly authorityKeyId: x509.AuthorityKeyIdentifierExtension,
  ) {}

  static async load(certPem: string, keyPem: string): Promise<AgentCa> {
    const cert = new x509.X509Certificate(certPem);
    const { key, algorithm } = await importSigningKey(keyPem);
    const node = new NodeCertificate(certPem);
    if (!node.ca) throw new Error('the agent CA certificate is not a CA (basicConstraints CA:TRUE is missing)');
    if (!node.checkPrivateKey(createPrivateKey(keyPem))) throw new Error('the agent CA key does not belong to its certificate');
    return new AgentCa(certPem, cert, key, algorithm, await x509.AuthorityKeyIdentifierExtension.create(cert.publicKey));
  }

  /** A new self-signed CA (EC P-256, ten years): the PEM certificate and PKCS#8 key. */
  static async generate(commonName: string): Promise<{ certPem: string; keyPem: string }> {
    const keys = await newKeyPair();
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: newSerial(),
      name: `CN=${commonName}`,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 10 * 365 * 86_400_000),
      keys,
      signingAlgorithm: EC_P256,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
  }

  /** A server certificate for these DNS names / IP addresses, with a new key. */
  async issueServer(names: readonly string[], ttlMs: number): Promise<{ certPem: string; keyPem: string }> {
    const keys = await newKeyPair();
    const now = Date.now();
    const cert = await this.sign({
      subject: `CN=${names[0] ?? 'physwatch-orchestrator'}`,
      publicKey: keys.publicKey,
      notBefore: backdate(now, ttlMs),
      notAfter: new Date(now + ttlMs),
      extensions: [
        new x509.SubjectAlternativeNameExtension(names.map((name) => ({ type: isIP(name) ? 'ip' : 'dns', value: name }))),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      ],
    });
    return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
  }

  /**
   * A client certificate for `hostId`, for the key the CSR proves it holds. The CSR's own
   * subject and extensions are ignored: the certificate says only what the CA decided.
   */
  async issueClient(csrPem: string, hostId: string, ttlMs: number): Promise<IssuedCert> {
    let csr: x509.Pkcs10CertificateRequest;
    try {
      csr = new x509.Pkcs10CertificateRequest(csrPem);
    } catch (err) {
      throw new CsrError(`csr_pem: not a PEM PKCS#10 certificate request (${(err as Error).message})`);
    }
    if (!(await csr.verify().catch(() => false))) throw new CsrError('csr_pem: its signature does not verify (it must be signed by the key it carries)');
    const now = Date.now();
    const notBefore = backdate(now, ttlMs);
    const notAfter = new Date(now + ttlMs);
    const cert = await this.sign({
      subject: `CN=${hostId}`,
      publicKey: csr.publicKey,
      notBefore,
      notAfter,
      extensions: [
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: hostUri(hostId) }]),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      ],
    });
    return { certificatePem: cert.toString('pem'), serial: cert.serialNumber.toUpperCase(), notBefore, notAfter };
  }

  private async sign(p: { subject: string; publicKey: x509.PublicKey | Key; notBefore: Date; notAfter: Date; extensions: x509.Extension[] }): Promise<x509.X509Certificate> {
    return x509.X509CertificateGenerator.create({
      serialNumber: newSerial(),
      subject: p.subject,
      issuer: this.cert.subject,
      notBefore: p.notBefore,
      notAfter: p.notAfter,
      publicKey: p.publicKey,
      signingKey: this.key,
      signingAlgorithm: this.algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        ...p.extensions,
        this.authorityKeyId,
      ],
    });
  }
}
