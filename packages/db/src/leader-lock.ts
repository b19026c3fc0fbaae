import { Client } from 'pg';
import { checkSchemaName } from './pool';

// Class id for the scheduler's session-level advisory lock; the schema's hash is the second key.
const SCHEDULER_LOCK = 0x73636864; // "schd"

/**
 * Leadership by a session-level advisory lock on a connection of its own. Postgres drops
 * the lock when that session ends, so a replica that dies (kill -9, lost network) hands
 * leadership over as soon as the server notices, and another replica's next try wins.
 */
export class LeaderLock {
  private client: Client | null = null;
  private held = false;

  constructor(private readonly url: string, private readonly schema: string) {
    checkSchemaName(schema);
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Takes the lock if free; true while this process holds it. Never blocks. */
  async tryAcquire(): Promise<boolean> {
    if (this.held) return true;
    if (!this.client) {
      const client = new Client({ connectionString: this.url, application_name: 'physwatch-scheduler-lock' });
      // A lost session means a lost lock: forget both and try again on the next call.
      client.on('error', () => this.forget(client));
      client.on('end', () => this.forget(client));
      await client.connect();
      this.client = client;
    }
    const { rows } = await this.client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as ok', [SCHEDULER_LOCK, this.schema]);
    this.held = rows[0].ok;
    return this.held;
  }

  private forget(client: Client): void {
    if (this.client !== client) return;
    this.client = null;
    this.held = false;
  }

  /** Ends the session, which releases the lock. */
  async release(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.held = false;
    await client?.end().catch(() => undefined);
  }
}
