/**
 * First start: make a key pair, ask the orchestrator's Enrollment service for a certificate
 * with the enrollment token, keep it. Later starts: use the kept certificate. Refusals (bad,
 * expired or used-up token, a host already enrolled) and a server certificate that does not
 * chain to tls.ca are final: the agent stops with the reason. An orchestrator that is not
 * reachable yet is retried.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { IssuedCertificate__Output, loadPhyswatchProto } from '@physwatch/proto';
import type { Logger } from 'pino';
import type { AgentConfig } from '../config/schema';
import { Backoff } from '../backoff';
import { HostCertificate, identityPaths, readCertificate, readIfPresent, writeWhole } from './identity-files';
import { certificateRequestPem, newPrivateKeyPem } from './x509';

/** What the agent presents on every stream. */
export interface AgentIdentity {
  keyPem: string;
  cert: HostCertificate;
  /** The agent CA (as the orchestrator sent it). */
  caPem: string;
}

/** Enrolling cannot succeed without someone changing something; the message says what. */
export class EnrollmentError extends Error {
  override readonly name = 'EnrollmentError';
}

const ENROLL_DEADLINE_MS = 15_000;
const FINAL_CODES = new Set([grpc.status.UNAUTHENTICATED, grpc.status.PERMISSION_DENIED, grpc.status.ALREADY_EXISTS, grpc.status.INVALID_ARGUMENT, grpc.status.FAILED_PRECONDITION, grpc.status.UNIMPLEMENTED]);
// What grpc-js reports when the server's certificate does not verify against our CA.
const TLS_VERIFY = /certificate|self.signed|unable to verify|SSL|handshake|altnames|issuer/i;

/** Options for channels to the orchestrator: the TLS server name when it differs from the address. */
export function tlsChannelOptions(config: AgentConfig): grpc.ChannelOptions {
  return config.tls?.serverName ? { 'grpc.ssl_target_name_override': config.tls.serverName, 'grpc.default_authority': config.tls.serverName } : {};
}

export function enrollmentToken(config: AgentConfig): string | null {
  const e = config.enrollment;
  if (e?.token) return e.token;
  if (e?.tokenFile) {
    try {
      return fs.readFileSync(e.tokenFile, 'utf8').trim() || null;
    } catch (err) {
      throw new EnrollmentError(`enrollment.tokenFile ${e.tokenFile}: cannot read (${(err as Error).message})`);
    }
  }
  return null;
}

/** The identity kept in the state dir, enrolling first when there is none usable; null when insecure. */
export async function ensureIdentity(config: AgentConfig, log: Logger, isStopping: () => boolean = () => false): Promise<AgentIdentity | null> {
  if (config.insecure || !config.tls) return null;
  const paths = identityPaths(config.stateDir);
  let keyPem = readIfPresent(paths.key);
  if (keyPem === null) {
    keyPem = await newPrivateKeyPem();
    writeWhole(paths.key, keyPem, 0o600);
    log.info({ key: paths.key }, 'generated this host\'s private key');
  }
  const certPem = readIfPresent(paths.cert);
  const caPem = readIfPresent(paths.ca);
  if (certPem !== null && caPem !== null) {
    const cert = readCertificate(certPem);
    if (cert.hostId !== config.hostId) log.warn({ certHostId: cert.hostId, hostId: config.hostId }, 'the kept certificate is for another host id: enrolling again');
    else if (cert.notAfter <= Date.now()) log.warn({ notAfter: new Date(cert.notAfter).toISOString() }, 'the kept certificate expired: enrolling again');
    else if (!new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem))) log.warn('the kept certificate is not for the kept key: enrolling again');
    else return { keyPem, cert, caPem };
  }
  const token = enrollmentToken(config);
  if (!token) {
    throw new EnrollmentError(
      `no certificate in ${paths.cert} and no enrollment token: set enrollment.token, enrollment.tokenFile or PHYSWATCH_ENROLLMENT_TOKEN to a token from "physwatch enrollment-tokens create"`,
    );
  }
  const issued = await enrollWithRetry(config, token, keyPem, log, isStopping);
  const identity = acceptIssued(issued, config.hostId, keyPem);
  writeWhole(paths.ca, identity.caPem, 0o644);
  writeWhole(paths.cert, identity.cert.pem, 0o644);
  log.info({ hostId: config.hostId, notAfter: new Date(identity.cert.notAfter).toISOString(), cert: paths.cert }, 'enrolled: certificate issued');
  return identity;
}

/** Checks an IssuedCertificate is for this host and this key before anything relies on it. */
export function acceptIssued(issued: IssuedCertificate__Output, hostId: string, keyPem: string): AgentIdentity {
  const cert = readCertificate(issued.certificate_pem);
  if (issued.host_id !== hostId || cert.hostId !== hostId) {
    throw new EnrollmentError(`the orchestrator issued a certificate for host "${cert.hostId ?? issued.host_id}", not for this host "${hostId}"`);
  }
  if (!new X509Certificate(issued.certificate_pem).checkPrivateKey(createPrivateKey(keyPem))) {
    throw new EnrollmentError('the orchestrator issued a certificate for another key');
  }
  return { keyPem, cert, caPem: issued.ca_pem };
}

async function enrollWithRetry(config: AgentConfig, token: string, keyPem: string, log: Logger, isStopping: () => boolean): Promise<IssuedCertificate__Output> {
  const server = config.enrollment.server;
  const caPath = config.tls!.ca;
  const { Enrollment } = loadPhyswatchProto();
  const client = new Enrollment(server, grpc.credentials.createSsl(fs.readFileSync(caPath)), tlsChannelOptions(config));
  const backoff = new Backoff(config.reconnect.initialMs, config.reconnect.maxMs);
  try {
    const request = { token, host_id: config.hostId, hostname: config.hostname, csr_pem: await certificateRequestPem(keyPem, config.hostId) };
    for (;;) {
      try {
        return await new Promise<IssuedCertificate__Output>((resolve, reject) =>
          client.Enroll(request, { deadline: Date.now() + ENROLL_DEADLINE_MS }, (err, answer) => (err ? reject(err) : resolve(answer!))),
        );
      } catch (err) {
        const e = err as grpc.ServiceError;
        if (FINAL_CODES.has(e.code)) throw new EnrollmentError(`enrollment refused by ${server}: ${e.details}`);
        if (TLS_VERIFY.test(e.details ?? '')) {
          throw new EnrollmentError(`cannot verify the orchestrator's certificate at ${server} against tls.ca ${caPath} (is it the orchestrator's CA?): ${e.details}`);
        }
        if (isStopping()) throw new EnrollmentError(`stopped while waiting for ${server} to answer Enroll`);
        const delayMs = backoff.next();
        log.warn({ server, reason: `${grpc.status[e.code] ?? e.code}: ${e.details}`, delayMs }, 'enrollment failed, retrying');
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  } finally {
    client.close();
  }
}
