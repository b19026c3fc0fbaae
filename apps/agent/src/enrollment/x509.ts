/**
 * The agent's side of X.509, through @peculiar/x509 on Node's WebCrypto (no hand-written
 * ASN.1): its key pair and certificate signing requests. Certificates are read with Node's
 * own X509Certificate.
 */
import 'reflect-metadata'; // @peculiar/x509's dependency injection (tsyringe) needs it loaded first
import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A new P-256 key pair as PKCS#8 PEM (the private key never leaves this host). */
export async function newPrivateKeyPem(): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
}

/** A PKCS#10 request for `hostId`, signed with the key in `privateKeyPem`. */
export async function certificateRequestPem(privateKeyPem: string, hostId: string): Promise<string> {
  const keyObject = createPrivateKey(privateKeyPem);
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, EC_P256, false, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', createPublicKey(keyObject).export({ type: 'spki', format: 'der' }), EC_P256, true, ['verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${hostId}`,
    keys: { privateKey, publicKey } as never,
    signingAlgorithm: EC_P256,
  });
  return csr.toString('pem');
}
