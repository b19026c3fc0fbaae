/**
 * Renews the certificate before it expires, without an operator: two thirds into its
 * lifetime the agent sends a CSR (same key) on its stream and keeps what comes back. The
 * stream in use stays up; the next connection presents the new certificate.
 */
import type { AgentMessage, IssuedCertificate__Output } from '@physwatch/proto';
import type { Logger } from 'pino';
import { acceptIssued, AgentIdentity } from './enroll';
import { identityPaths, renewalDue, writeWhole } from './identity-files';
import { certificateRequestPem } from './x509';

export interface RenewerOptions {
  identity: AgentIdentity;
  hostId: string;
  stateDir: string;
  send: (message: AgentMessage) => Promise<boolean>;
  connected: () => boolean;
  onRenewed: (identity: AgentIdentity) => void;
  log: Logger;
}

// setTimeout's ceiling; a longer wait is taken in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;
// An unanswered request is asked again after this long (or on the next stream).
const ANSWER_WAIT_MS = 30_000;

export class CertificateRenewer {
  private identity: AgentIdentity;
  private timer: NodeJS.Timeout | undefined;
  private due = false;
  private askedAt = 0;
  private stopped = false;

  constructor(private readonly options: RenewerOptions) {
    this.identity = options.identity;
  }

  get current(): AgentIdentity {
    return this.identity;
  }

  start(): void {
    this.schedule();
  }

  /** A new stream: a renewal that fell due while disconnected is asked for now. */
  streamOpened(): void {
    this.askedAt = 0;
    if (this.due) void this.ask();
  }

  /** ControlMessage.certificate: the renewed certificate. */
  received(issued: IssuedCertificate__Output): void {
    if (this.stopped) return;
    let renewed: AgentIdentity;
    try {
      renewed = acceptIssued(issued, this.options.hostId, this.identity.keyPem);
    } catch (err) {
      this.options.log.error({ err }, 'renewed certificate refused');
      return;
    }
    const paths = identityPaths(this.options.stateDir);
    writeWhole(paths.ca, renewed.caPem, 0o644);
    writeWhole(paths.cert, renewed.cert.pem, 0o644);
    this.identity = renewed;
    this.due = false;
    this.askedAt = 0;
    this.options.log.info({ notAfter: new Date(renewed.cert.notAfter).toISOString() }, 'certificate renewed');
    this.options.onRenewed(renewed);
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const wait = renewalDue(this.identity.cert) - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => this.schedule(), Math.min(wait, MAX_TIMER_MS));
      return;
    }
    this.due = true;
    void this.ask();
    // Asked again if no answer comes: the request or its answer may have been lost with a stream.
    this.timer = setTimeout(() => this.schedule(), ANSWER_WAIT_MS);
  }

  private async ask(): Promise<void> {
    if (this.stopped || !this.options.connected() || Date.now() - this.askedAt < ANSWER_WAIT_MS) return;
    this.askedAt = Date.now();
    const csr = await certificateRequestPem(this.identity.keyPem, this.options.hostId);
    const sent = await this.options.send({ renew_certificate: { csr_pem: csr } });
    this.options.log.info({ sent, notAfter: new Date(this.identity.cert.notAfter).toISOString() }, 'certificate renewal requested');
    if (!sent) this.askedAt = 0;
  }
}
