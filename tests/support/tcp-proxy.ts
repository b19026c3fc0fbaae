/**
 * A TCP relay between an agent and the orchestrator. `holdDownstream()` stops bytes from
 * the orchestrator reaching the agent (so hits are stored but acks never arrive), which
 * is how the tests put an agent "between hit and ack" without touching either program.
 */
import { createConnection, createServer, Server, Socket } from 'node:net';

export class TcpProxy {
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private held = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static start(target: { host: string; port: number }): Promise<TcpProxy> {
    return new Promise((resolve, reject) => {
      let proxy: TcpProxy;
      const server = createServer((client) => {
        const upstream = createConnection(target);
        const pair = { client, upstream };
        proxy.pairs.add(pair);
        client.pipe(upstream);
        upstream.on('data', (chunk) => {
          if (!proxy.held) client.write(chunk);
        });
        const close = () => {
          proxy.pairs.delete(pair);
          client.destroy();
          upstream.destroy();
        };
        client.on('close', close).on('error', close);
        upstream.on('close', close).on('error', close);
      });
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        if (typeof address !== 'object' || !address) return reject(new Error('proxy has no port'));
        proxy = new TcpProxy(server, address.port);
        resolve(proxy);
      });
    });
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Drops every byte the orchestrator sends from now on, until released. */
  holdDownstream(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
  }

  /** Cuts every relayed connection, as a network failure would. */
  dropConnections(): void {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  close(): Promise<void> {
    this.dropConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
