/**
 * The one TCP relay the tests put between an agent and the orchestrator(s).
 *
 * - Each new connection goes to the first upstream, in order, that accepts it: with several
 *   upstreams the relay stands in for the gRPC-aware load balancer in front of replicas (give
 *   each agent a relay with its own order; a replica that refuses sends reconnecting agents on).
 * - `holdDownstream('drop')` throws away what the orchestrator sends (hits are stored, acks
 *   never arrive); `holdDownstream('pause')` stops reading it, so it waits in the server's own
 *   buffers (HTTP/2 flow control, then write() === false: a slow agent). `release()` ends either.
 * - `dropConnections()` cuts every relayed connection, as a network failure would.
 * - `refuseConnections()` also stops listening (new connections are refused, as by a server
 *   that is down) until `acceptConnections()` listens again on the same port.
 */
import { once } from 'node:events';
import { AddressInfo, createConnection, createServer, Server, Socket } from 'node:net';

export interface Upstream {
  host: string;
  port: number;
}

/** What an upstream may be given as: `{ host, port }`, `"host:port"`, or a port on 127.0.0.1. */
export type UpstreamLike = Upstream | string | number;

export type HoldMode = 'drop' | 'pause';

function toUpstream(target: UpstreamLike): Upstream {
  if (typeof target === 'number') return { host: '127.0.0.1', port: target };
  if (typeof target !== 'string') return target;
  const split = target.lastIndexOf(':');
  return { host: target.slice(0, split), port: Number(target.slice(split + 1)) };
}

function connectFirst(upstreams: readonly Upstream[], index = 0): Promise<Socket> {
  if (index >= upstreams.length) return Promise.reject(new Error('no upstream accepts connections'));
  return new Promise((resolve, reject) => {
    const socket = createConnection(upstreams[index]);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', () => {
      socket.destroy();
      connectFirst(upstreams, index + 1).then(resolve, reject);
    });
  });
}

interface Pair {
  client: Socket;
  upstream?: Socket;
}

export class TcpRelay {
  private readonly pairs = new Set<Pair>();
  private held: HoldMode | undefined;

  private constructor(
    private readonly server: Server,
    private readonly upstreams: readonly Upstream[],
    readonly port: number,
  ) {}

  /** `upstreams`: where to connect, most preferred first. */
  static async start(upstreams: UpstreamLike | readonly UpstreamLike[]): Promise<TcpRelay> {
    const list = (Array.isArray(upstreams) ? upstreams : [upstreams]).map(toUpstream);
    if (list.length === 0) throw new Error('a relay needs at least one upstream');
    let relay: TcpRelay | undefined;
    const server = createServer((client) => relay?.accept(client));
    server.listen(0, '127.0.0.1');
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]) => Promise.reject(error as Error)),
    ]);
    relay = new TcpRelay(server, list, (server.address() as AddressInfo).port);
    return relay;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** From now on (until `release()`), drop or stop reading every byte the upstream sends. */
  holdDownstream(mode: HoldMode): void {
    this.held = mode;
    if (mode === 'pause') for (const { upstream } of this.pairs) upstream?.pause();
  }

  release(): void {
    const wasPaused = this.held === 'pause';
    this.held = undefined;
    if (wasPaused) for (const { upstream } of this.pairs) upstream?.resume();
  }

  /** The relay's local ports toward the upstream: what Postgres shows as `client_port` of these connections. */
  upstreamPorts(): number[] {
    return [...this.pairs].map((pair) => pair.upstream?.localPort).filter((port): port is number => port !== undefined);
  }

  /** Cuts every relayed connection, as a network failure would. */
  dropConnections(): void {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    this.pairs.clear();
  }

  /** Cuts every connection and stops listening: connecting is refused, as to a server that is down. */
  refuseConnections(): Promise<void> {
    this.dropConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Listens again on the same port after `refuseConnections()`. */
  async acceptConnections(): Promise<void> {
    this.server.listen(this.port, '127.0.0.1');
    await once(this.server, 'listening');
  }

  close(): Promise<void> {
    this.dropConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const pair: Pair = { client };
    this.pairs.add(pair);
    client.pause();
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      pair.upstream?.destroy();
    };
    client.on('close', close).on('error', close);
    connectFirst(this.upstreams).then(
      (upstream) => {
        pair.upstream = upstream;
        upstream.on('close', close).on('error', close);
        if (client.destroyed) return close();
        client.pipe(upstream);
        upstream.on('data', (chunk: Buffer) => {
          if (this.held === 'drop') return;
          if (!client.write(chunk)) {
            upstream.pause();
            client.once('drain', () => {
              if (this.held !== 'pause') upstream.resume();
            });
          }
        });
        if (this.held === 'pause') upstream.pause();
        client.resume();
      },
      close,
    );
  }
}
