import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { AgentMessage__Output, ControlMessage, DesiredState, RejectedHit } from '@physwatch/proto';
import { AgentProtocolError } from '../common/errors';
import { IdentityRefusal } from '../enrollment/identity-errors';
import { ControlWriter, ControlWriterHooks, OneOffMessage } from './control-writer';

export type AgentCall = ServerDuplexStream<AgentMessage__Output, ControlMessage>;

// Messages read from the agent but not yet handled. Above this the call is paused, so a
// fast agent meets HTTP/2 flow control instead of filling our memory.
const MAX_QUEUED = 16;

export interface SessionHandler {
  onMessage(session: AgentSession, message: AgentMessage__Output): Promise<void>;
  onClosed(session: AgentSession): void;
  onError(session: AgentSession, err: unknown): void;
}

/**
 * One agent stream: messages are handled strictly in order (a HitAck must follow its
 * insert; Hello must come first), reading pauses while handling falls behind, and the
 * session closes exactly once whichever way the stream ends.
 */
export class AgentSession {
  readonly connectionId = randomUUID();
  readonly peer: string;
  /** The client certificate TLS verified (DER); null on a plaintext (GRPC_INSECURE) stream. */
  readonly peerCertificate: Buffer | null;
  hostId: string | null = null;
  bootId: string | null = null;
  private lastSentGeneration = -1n;
  private readonly queue: AgentMessage__Output[] = [];
  /** The message being handled, if any; shutdown waits for it before the pool closes. */
  private processing: Promise<void> | null = null;
  private readEnded = false;
  private closed = false;
  readonly writer: ControlWriter;

  constructor(
    private readonly call: AgentCall,
    private readonly handler: SessionHandler,
    hooks: Omit<ControlWriterHooks, 'onDrained'>,
  ) {
    this.peer = call.getPeer();
    this.peerCertificate = call.getAuthContext().sslPeerCertificate?.raw ?? null;
    this.writer = new ControlWriter(call, { ...hooks, onDrained: () => this.maybeResume() });
    call.on('data', (message: AgentMessage__Output) => this.enqueue(message));
    call.on('end', () => {
      this.readEnded = true;
      this.finishIfIdle();
    });
    call.on('cancelled', () => this.close());
    call.on('error', () => this.close());
    call.on('close', () => this.close());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Level-triggered: a state older than one already sent is dropped, the same one not re-sent. */
  sendDesired(state: DesiredState): boolean {
    const generation = BigInt(String(state.generation));
    if (this.closed || generation <= this.lastSentGeneration) return false;
    this.lastSentGeneration = generation;
    this.writer.sendDesired(state);
    return true;
  }

  sendAck(bootId: string, upToSeq: string, rejected: readonly RejectedHit[] = []): void {
    this.writer.sendAck(bootId, upToSeq, rejected);
  }

  /** A CrashRequest or VmcoreAck: written once, in order; false once the stream is closed. */
  sendOnce(message: OneOffMessage): boolean {
    if (this.closed) return false;
    this.writer.sendOnce(message);
    return true;
  }

  /** Ends the stream with a status the agent sees (INVALID_ARGUMENT, ABORTED, UNAVAILABLE). */
  fail(code: status, details: string): void {
    if (this.closed) return;
    this.close();
    this.call.emit('error', { code, details });
  }

  private enqueue(message: AgentMessage__Output): void {
    if (this.closed) return;
    this.queue.push(message);
    if (this.queue.length >= MAX_QUEUED) this.call.pause();
    this.kick();
  }

  private kick(): void {
    if (this.processing || this.closed) return;
    this.processing = this.process().finally(() => {
      this.processing = null;
      if (this.queue.length > 0) this.kick();
      else this.finishIfIdle();
    });
  }

  /** Resolves once no message is being handled. */
  async idle(): Promise<void> {
    await this.processing;
  }

  private async process(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) {
      const message = this.queue.shift()!;
      try {
        await this.handler.onMessage(this, message);
      } catch (err) {
        this.handler.onError(this, err);
      }
      this.maybeResume();
    }
  }

  // Reading goes on while our writes wait for drain: acks coalesce, so storing hits for an
  // agent that is slow to read costs no memory, and stored hits are the point.
  private maybeResume(): void {
    if (!this.closed && this.queue.length < MAX_QUEUED / 2 && this.call.isPaused()) this.call.resume();
  }

  /** The agent half-closed: answer what it sent, then end our side with OK. */
  private finishIfIdle(): void {
    if (this.readEnded && !this.processing && this.queue.length === 0 && !this.closed) {
      this.call.end();
      this.close();
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.writer.close();
    this.handler.onClosed(this);
  }
}

export function errorStatus(err: unknown): { code: status; details: string } {
  if (err instanceof AgentProtocolError) return { code: status.INVALID_ARGUMENT, details: (err as Error).message };
  if (err instanceof IdentityRefusal) return { code: err.code, details: err.message };
  return { code: status.INTERNAL, details: 'the orchestrator failed to handle a message; it will be re-sent after reconnect' };
}
