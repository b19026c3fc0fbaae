// Test-only: a real grpc-js AgentGateway client, with a queue of what the server sent.
import { ChannelCredentials, credentials, ServiceError } from '@grpc/grpc-js';
import { AgentGatewayClient, AgentMessage, ControlMessage__Output, Hello, loadPhyswatchProto } from '@physwatch/proto';

export class TestAgent {
  readonly client: AgentGatewayClient;
  readonly call: ReturnType<AgentGatewayClient['Connect']>;
  readonly received: ControlMessage__Output[] = [];
  readonly ended: Promise<{ code: number; details: string }>;
  private readonly waiters: Array<() => void> = [];
  private cursor = 0;

  /** Plaintext by default (an orchestrator with GRPC_INSECURE); pass mTLS credentials otherwise. */
  constructor(address: string, channelCredentials: ChannelCredentials = credentials.createInsecure()) {
    const { AgentGateway } = loadPhyswatchProto();
    this.client = new AgentGateway(address, channelCredentials);
    this.call = this.client.Connect();
    this.ended = new Promise((resolve) => {
      this.call.on('status', (s) => resolve({ code: s.code, details: s.details }));
    });
    this.call.on('error', (err: ServiceError) => void err);
    this.call.on('data', (message: ControlMessage__Output) => {
      this.received.push(message);
      this.waiters.splice(0).forEach((wake) => wake());
    });
  }

  send(message: AgentMessage): void {
    this.call.write(message);
  }

  hello(hostId: string, labels: Record<string, string> = {}, overrides: Partial<Hello> = {}): void {
    this.send({
      hello: {
        host_id: hostId,
        boot_id: 'boot-1',
        hostname: `${hostId}.lab`,
        kernel_release: '6.1.0',
        arch: 'aarch64',
        agent_version: 'test',
        labels,
        capabilities: { backend: 'simulated', max_watches: 64 },
        ...overrides,
      },
    });
  }

  /** The next message (after those already taken) that matches. */
  async next(match: (m: ControlMessage__Output) => boolean = () => true): Promise<ControlMessage__Output> {
    for (;;) {
      while (this.cursor < this.received.length) {
        const message = this.received[this.cursor++];
        if (match(message)) return message;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  nextDesired() {
    return this.next((m) => m.msg === 'desired_state').then((m) => m.desired_state!);
  }

  nextAck() {
    return this.next((m) => m.msg === 'hit_ack').then((m) => m.hit_ack!);
  }

  close(): void {
    this.call.end();
    this.client.close();
  }
}

export function wireHit(seq: number, watchId: string, overrides: Record<string, unknown> = {}) {
  return {
    seq: String(seq),
    watch_id: watchId,
    realtime_ns: String(BigInt(Date.UTC(2026, 0, 1, 0, 0, seq)) * 1_000_000n),
    boottime_ns: String(seq * 1000),
    cpu: 1,
    paddr: '44097536',
    offset: 0,
    width: 1,
    old_value: '0',
    new_value: '51',
    pid: 42,
    comm: 'kworker/1:0',
    ip: 'memset+0x10',
    stack: '',
    action: 'ACTION_REPORT' as const,
    ...overrides,
  };
}
