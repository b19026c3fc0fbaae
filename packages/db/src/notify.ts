import { Client } from 'pg';
import type { Queryable } from './pool';

const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function notify(db: Queryable, channel: string, payload: string): Promise<void> {
  await db.query('select pg_notify($1, $2)', [channel, payload]);
}

export interface ListenerOptions {
  url: string;
  channel: string;
  onNotification: (payload: string) => void;
  /** Called after a lost connection is back and LISTENing again: notifications in between were missed. */
  onReconnect?: () => void;
  onError?: (err: Error) => void;
  /** Delay between reconnect attempts. */
  retryMs?: number;
}

/**
 * A dedicated connection that LISTENs on one channel and, when the connection drops,
 * reconnects and LISTENs again. NOTIFY is not queued for absent listeners, so the caller
 * gets onReconnect to resynchronise from the tables.
 */
export class Listener {
  private client: Client | null = null;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: ListenerOptions) {
    if (!CHANNEL_NAME.test(options.channel)) throw new Error(`channel "${options.channel}" is not a plain identifier`);
  }

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.options.url, application_name: 'physwatch-listen' });
    client.on('notification', (msg) => {
      if (msg.channel === this.options.channel) this.options.onNotification(msg.payload ?? '');
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('listen connection ended')));
    try {
      await client.connect();
      await client.query(`listen ${this.options.channel}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private lost(client: Client, err: Error): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.options.onError?.(err);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect().then(
        () => this.options.onReconnect?.(),
        (err: Error) => {
          this.options.onError?.(err);
          this.scheduleReconnect();
        },
      );
    }, this.options.retryMs ?? 1000);
  }

  /** The backend pid of the current connection (tests terminate it to prove reconnects). */
  async backendPid(): Promise<number | null> {
    if (!this.client) return null;
    const { rows } = await this.client.query<{ pid: number }>('select pg_backend_pid() as pid');
    return rows[0].pid;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }
}
