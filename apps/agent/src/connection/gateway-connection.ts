/**
 * The agent's one gRPC connection: owns the client, the bidi `AgentGateway.Connect`
 * stream, keepalive, Hello-first, write backpressure and reconnects with jittered
 * exponential backoff. Everything else sees `send()` and three callbacks.
 */
import * as grpc from '@grpc/grpc-js';
import {
  AgentGatewayClient,
  AgentMessage,
  ControlMessage__Output,
  Hello,
  loadPhyswatchProto,
} from '@physwatch/proto';
import type { Logger } from 'pino';
import { Backoff } from '../backoff';

type Stream = grpc.ClientDuplexStream<AgentMessage, ControlMessage__Output>;

export interface ConnectionOptions {
  server: string;
  /** Asked before each stream: a renewed certificate is presented from the next connection on. */
  credentials: () => grpc.ChannelCredentials;
  channelOptions?: grpc.ChannelOptions;
  reconnect: { initialMs: number; maxMs: number };
  /** Built per stream so it always carries current capabilities. */
  hello: () => Hello;
  metadata?: Record<string, string>;
  log: Logger;
  onConnected: (epoch: number) => void;
  onMessage: (message: ControlMessage__Output) => void;
  onDisconnected: (reason: string) => void;
}

// Pings keep NATs and load balancers from silently dropping an idle stream.
const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
};
const CLOSE_GRACE_MS = 1000;

export class GatewayConnection {
  private client: AgentGatewayClient;
  private clientCredentials: grpc.ChannelCredentials;
  private readonly backoff: Backoff;
  private stream: Stream | undefined;
  private connectedAt = 0;
  private epoch = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(private readonly options: ConnectionOptions) {
    this.clientCredentials = options.credentials();
    this.client = this.newClient(this.clientCredentials);
    this.backoff = new Backoff(options.reconnect.initialMs, options.reconnect.maxMs);
  }

  get connected(): boolean {
    return this.stream !== undefined;
  }

  start(): void {
    this.open();
  }

  /**
   * Writes one message; resolves true once the stream will take more (after 'drain' if
   * write() said its buffer is full), false when there is no stream or it broke meanwhile.
   */
  async send(message: AgentMessage): Promise<boolean> {
    const stream = this.stream;
    if (!stream) return false;
    if (stream.write(message)) return true;
    this.options.log.debug({ epoch: this.epoch }, 'stream buffer full, waiting for drain');
    await new Promise<void>((resolve) => {
      const done = (): void => {
        stream.off('drain', done);
        stream.off('close', done);
        stream.off('status', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('close', done);
      stream.on('status', done);
    });
    return this.stream === stream;
  }

  /** Half-closes the stream, gives the server up to `graceMs` to finish it, then lets go of everything. */
  async close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    this.closing = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const stream = this.stream;
    if (stream) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          stream.cancel();
          resolve();
        }, graceMs);
        stream.once('status', () => {
          clearTimeout(timer);
          resolve();
        });
        stream.end();
      });
    }
    this.stream = undefined;
    this.client.close();
  }

  private newClient(credentials: grpc.ChannelCredentials): AgentGatewayClient {
    const { AgentGateway } = loadPhyswatchProto();
    return new AgentGateway(this.options.server, credentials, { ...CHANNEL_OPTIONS, ...this.options.channelOptions });
  }

  private open(): void {
    if (this.closing) return;
    const credentials = this.options.credentials();
    if (credentials !== this.clientCredentials) {
      this.client.close();
      this.clientCredentials = credentials;
      this.client = this.newClient(credentials);
    }
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(this.options.metadata ?? {})) metadata.set(key, value);
    const stream = this.client.Connect(metadata);
    const epoch = ++this.epoch;
    let ended = false;
    const end = (reason: string, code?: grpc.status): void => {
      if (ended) return;
      ended = true;
      this.lost(stream, reason, code);
    };
    let heard = false;
    stream.on('data', (message: ControlMessage__Output) => {
      if (this.stream !== stream) return;
      if (!heard) {
        heard = true;
        this.options.log.info({ server: this.options.server, epoch }, 'stream established');
      }
      this.options.onMessage(message);
    });
    stream.on('error', (err: grpc.ServiceError) => end(`${grpc.status[err.code] ?? err.code}: ${err.details || err.message}`, err.code));
    stream.on('status', (status: grpc.StatusObject) => end(`${grpc.status[status.code]}: ${status.details}`, status.code));
    stream.on('end', () => end('server ended the stream'));

    this.stream = stream;
    this.connectedAt = Date.now();
    // Hello goes first on every stream: the server knows nothing about us until it arrives.
    stream.write({ hello: this.options.hello() });
    this.options.log.info({ server: this.options.server, epoch }, 'stream opening, hello queued');
    this.options.onConnected(epoch);
  }

  private lost(stream: Stream, reason: string, code?: grpc.status): void {
    if (this.stream !== stream) return;
    this.stream = undefined;
    stream.cancel();
    if (this.closing) return;
    // A stream that lasted counts as a healthy server: start the backoff over.
    if (Date.now() - this.connectedAt >= this.options.reconnect.maxMs) this.backoff.reset();
    // Refused for who we are (revoked, not enrolled): nothing changes by asking fast, so ask slowly.
    const refused = code === grpc.status.PERMISSION_DENIED || code === grpc.status.UNAUTHENTICATED;
    const delayMs = refused ? this.options.reconnect.maxMs : this.backoff.next();
    if (refused) {
      const hint = 'if it was revoked: remove <stateDir>/identity/cert.pem and restart with a new enrollment token';
      this.options.log.error({ reason, delayMs, hint }, 'the orchestrator refused this host');
    }
    else this.options.log.warn({ reason, delayMs }, 'stream lost, reconnecting');
    this.options.onDisconnected(reason);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.open();
    }, delayMs);
  }
}
