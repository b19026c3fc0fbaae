/**
 * A TCP relay standing in for the gRPC-aware load balancer in front of several
 * orchestrator replicas: each new connection goes to the first upstream, in order, that
 * accepts it. The agent takes one `server`; giving each agent a relay with its own
 * upstream order spreads agents over replicas, and a replica that dies (refuses
 * connections) sends reconnecting agents to the next one.
 */
import { createConnection, createServer, Server, Socket } from 'node:net';

function connectFirst(upstreams: readonly number[], index = 0): Promise<Socket> {
  if (index >= upstreams.length) return Promise.reject(new Error('no upstream accepts connections'));
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port: upstreams[index] });
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => {
      socket.destroy();
      connectFirst(upstreams, index + 1).then(resolve, reject);
    });
  });
}

export class FailoverRelay {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** `upstreams`: gRPC ports of the replicas, most preferred first. */
  static start(upstreams: readonly number[]): Promise<FailoverRelay> {
    return new Promise((resolve, reject) => {
      let relay: FailoverRelay;
      const server = createServer((client) => {
        relay.sockets.add(client);
        client.pause();
        connectFirst(upstreams).then(
          (upstream) => {
            relay.sockets.add(upstream);
            const close = () => {
              client.destroy();
              upstream.destroy();
              relay.sockets.delete(client);
              relay.sockets.delete(upstream);
            };
            client.on('close', close).on('error', close);
            upstream.on('close', close).on('error', close);
            client.pipe(upstream);
            upstream.pipe(client);
            client.resume();
          },
          () => {
            client.destroy();
            relay.sockets.delete(client);
          },
        );
      });
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        if (typeof address !== 'object' || !address) return reject(new Error('relay has no port'));
        relay = new FailoverRelay(server, address.port);
        resolve(relay);
      });
    });
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
