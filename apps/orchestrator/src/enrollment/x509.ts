/**
 * X.509 through @peculiar/x509 on Node's WebCrypto (no hand-written ASN.1), and the one
 * place that says how a certificate names its host: a URI SAN physwatch://host/<host id>.
 */
import { createPrivateKey, webcrypto, X509Certificate as NodeCertificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };

// This package compiles without the DOM library: WebCrypto's types come from node:crypto.
export type Key = webcrypto.CryptoKey;
export type SigningAlgorithm = webcrypto.Algorithm | webcrypto.EcdsaParams;

/** ECDSA P-256: small keys, fast to make on every agent, fast handshakes. */
export const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

const HOST_URI = 'physwatch://host/';

export function hostUri(hostId: string): string {
  return `${HOST_URI}${hostId}`;
}

/** The host id a certificate is bound to, or null when it names none (exactly one host URI SAN). */
export function certificateHostId(cert: NodeCertificate): string | null {
  // Node renders SANs as "URI:…, DNS:…"; host ids contain no comma or space (HOST_ID).
  const uris = (cert.subjectAltName ?? '')
    .split(', ')
    .filter((name) => name.startsWith(`URI:${HOST_URI}`))
    .map((name) => name.slice(`URI:${HOST_URI}`.length));
  return uris.length === 1 && uris[0] !== '' ? uris[0] : null;
}

export async function newKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

export async function privateKeyPem(key: Key): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** A PEM private key (PKCS#8 or traditional, EC P-256/P-384 or RSA) as a WebCrypto signing key. */
export async function importSigningKey(pem: string): Promise<{ key: Key; algorithm: SigningAlgorithm }> {
  const keyObject = createPrivateKey(pem);
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  if (keyObject.asymmetricKeyType === 'ec') {
    const curve = keyObject.asymmetricKeyDetails?.namedCurve;
    const named = curve === 'prime256v1' ? 'P-256' : curve === 'secp384r1' ? 'P-384' : null;
    if (!named) throw new Error(`EC key on curve ${curve}: only P-256 and P-384 are supported`);
    const hash = named === 'P-256' ? 'SHA-256' : 'SHA-384';
    const key = await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: named }, false, ['sign']);
    return { key, algorithm: { name: 'ECDSA', hash } as webcrypto.EcdsaParams };
  }
  if (keyObject.asymmetricKeyType === 'rsa') {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const key = await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
    return { key, algorithm };
  }
  throw new Error(`a ${keyObject.asymmetricKeyType} key cannot sign certificates here (use EC P-256/P-384 or RSA)`);
}

/** 16 random bytes, high bit clear (a positive INTEGER), upper-case hex as Node shows serials. */
export function newSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] & 0x7f) | 0x10;
  return Buffer.from(bytes).toString('hex').toUpperCase();
}
