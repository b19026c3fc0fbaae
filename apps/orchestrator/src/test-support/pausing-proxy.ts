// Test-only: a TCP relay that can stop reading what the server sends (without dropping it),
// so the server meets a slow agent: HTTP/2 flow control, then write() === false.
import { once } from 'node:events';
import { AddressInfo, createConnection, createServer, Server, Socket } from 'node:net';

export class PausingProxy {
  private readonly upstreams = new Set<Socket>();
  private readonly sockets = new Set<Socket>();
  private held = false;

  private constructor(
    private readonly server: Server,
    readonly address: string,
  ) {}

  static async start(target: string): Promise<PausingProxy> {
    const split = target.lastIndexOf(':');
    const [host, port] = [target.slice(0, split), Number(target.slice(split + 1))];
    const server = createServer((client) => proxy.relay(client, createConnection({ host, port })));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const proxy = new PausingProxy(server, `127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  private relay(client: Socket, upstream: Socket): void {
    this.upstreams.add(upstream);
    this.sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    if (this.held) upstream.pause();
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.upstreams.delete(upstream);
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  }

  /** Stop reading from the server; what it sends waits in its own buffers. */
  hold(): void {
    this.held = true;
    for (const upstream of this.upstreams) upstream.pause();
  }

  release(): void {
    this.held = false;
    for (const upstream of this.upstreams) upstream.resume();
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
