/**
 * TEST DOUBLE of the orchestrator's AgentGateway: a real grpc-js server on 127.0.0.1
 * (port 0 unless told), speaking the real proto, that records what agents send and lets
 * a test answer like the orchestrator would (desired state on Hello, acks, crash requests
 * and vmcore acks on demand).
 * It stores nothing; it is not the orchestrator.
 */
import * as grpc from '@grpc/grpc-js';
import {
  AgentGatewayHandlers,
  AgentMessage__Output,
  ControlMessage,
  DesiredState,
  loadPhyswatchProto,
} from '@physwatch/proto';

type Call = grpc.ServerDuplexStream<AgentMessage__Output, ControlMessage>;

export interface Received {
  /** Which Connect call (0, 1, …) the message arrived on. */
  stream: number;
  message: AgentMessage__Output;
}

interface Waiter {
  pick: (r: Received) => unknown;
  resolve: (value: unknown) => void;
}

export class FakeOrchestrator {
  readonly received: Received[] = [];
  /** Sent on every Hello, like the real orchestrator re-sends desired state on connect. */
  desired: DesiredState = { generation: '0', watches: [] };
  /** When set, every HitBatch is acked at once up to its last seq. */
  autoAck = false;
  private calls: Call[] = [];
  private waiters = new Set<Waiter>();
  private server: grpc.Server | undefined;
  port = 0;

  private constructor(private readonly credentials: grpc.ServerCredentials) {}

  static async start(options: { port?: number; credentials?: grpc.ServerCredentials } = {}): Promise<FakeOrchestrator> {
    const fake = new FakeOrchestrator(options.credentials ?? grpc.ServerCredentials.createInsecure());
    await fake.listen(options.port ?? 0);
    return fake;
  }

  /** Stops reading the newest stream, so HTTP/2 flow control pushes back on the agent. */
  pauseReading(): void {
    this.current()?.pause();
  }

  resumeReading(): void {
    this.current()?.resume();
  }

  get streams(): number {
    return this.calls.length;
  }

  /** Replaces the desired state and pushes it to the newest stream. */
  setDesired(desired: DesiredState): void {
    this.desired = desired;
    this.current()?.write({ desired_state: desired });
  }

  ack(bootId: string, upToSeq: string): void {
    this.current()?.write({ hit_ack: { boot_id: bootId, up_to_seq: upToSeq } });
  }

  /** Asks the agent on the newest stream to crash its host (kdump_on_hit's trigger job). */
  crash(request: NonNullable<ControlMessage['crash_request']>): void {
    this.current()?.write({ crash_request: request });
  }

  ackVmcore(path: string, vmcoreId: string): void {
    this.current()?.write({ vmcore_ack: { path, vmcore_id: vmcoreId } });
  }

  /** Resolves with the first received message (from `from` on) that `pick` maps to a value. */
  waitFor<T>(pick: (r: Received) => T | undefined, what: string, options: { from?: number; timeoutMs?: number } = {}): Promise<T> {
    for (const r of this.received.slice(options.from ?? 0)) {
      const value = pick(r);
      if (value !== undefined) return Promise.resolve(value);
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        pick,
        resolve: (value) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(value as T);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`fake orchestrator: timed out waiting for ${what}`));
      }, options.timeoutMs ?? 20_000);
      this.waiters.add(waiter);
    });
  }

  /** Drops every stream and the listener, as a crashed orchestrator would. */
  async stop(): Promise<void> {
    for (const call of this.calls) call.destroy();
    this.server?.forceShutdown();
    this.server = undefined;
  }

  /** Comes back on the same port, so the agent's configured address still works. */
  async restart(): Promise<void> {
    await this.stop();
    await this.listen(this.port);
  }

  private current(): Call | undefined {
    return this.calls[this.calls.length - 1];
  }

  private async listen(port: number): Promise<void> {
    const server = new grpc.Server();
    const handlers: AgentGatewayHandlers = { Connect: (call: Call) => this.accept(call) };
    server.addService(loadPhyswatchProto().AgentGateway.service, handlers);
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, this.credentials, (err, bound) => (err ? reject(err) : resolve(bound))),
    );
    this.server = server;
  }

  private accept(call: Call): void {
    const stream = this.calls.push(call) - 1;
    call.on('error', () => undefined);
    call.on('end', () => call.end());
    call.on('data', (message: AgentMessage__Output) => {
      const received = { stream, message };
      this.received.push(received);
      if (message.hello) call.write({ desired_state: this.desired });
      const batch = message.hit_batch;
      if (batch && this.autoAck && batch.hits.length > 0) {
        call.write({ hit_ack: { boot_id: batch.boot_id, up_to_seq: batch.hits[batch.hits.length - 1].seq } });
      }
      for (const waiter of [...this.waiters]) {
        const value = waiter.pick(received);
        if (value !== undefined) waiter.resolve(value);
      }
    });
  }
}
