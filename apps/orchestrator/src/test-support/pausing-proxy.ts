// Test-only: a TCP relay that can stop reading what the server sends (without dropping it),
// so the server meets a slow agent: HTTP/2 flow control, then write() === false.
import { createConnection, createServer, Server, Socket } from 'node:net';

export class PausingProxy {
  private readonly upstreams = new Set<Socket>();
  private readonly sockets = new Set<Socket>();
  private held = false;

  private constructor(
    private readonly server: Server,
    readonly address: string,
  ) {}

  static start(target: string): Promise<PausingProxy> {
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
    return new Promise((resolve, reject) => {
      let proxy: PausingProxy;
      const server = createServer((client) => {
        const upstream = createConnection({ host, port });
        proxy.upstreams.add(upstream);
        proxy.sockets.add(client).add(upstream);
        client.pipe(upstream);
        upstream.pipe(client);
        if (proxy.held) upstream.pause();
        const close = () => {
          client.destroy();
          upstream.destroy();
          proxy.upstreams.delete(upstream);
          proxy.sockets.delete(client);
          proxy.sockets.delete(upstream);
        };
        client.on('close', close).on('error', close);
        upstream.on('close', close).on('error', close);
      });
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        if (typeof address !== 'object' || !address) return reject(new Error('proxy has no port'));
        proxy = new PausingProxy(server, `127.0.0.1:${address.port}`);
        resolve(proxy);
      });
    });
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
