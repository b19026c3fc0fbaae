import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '@physwatch/testing/env';
import { Listener, notify } from './notify';
import { createPool } from './pool';

const url = testDatabaseUrl();
const pool = createPool({ url, schema: 'public', max: 2 });

afterAll(async () => {
  await pool.end();
});

function nextPayload(queue: string[], waiters: Array<() => void>): Promise<string> {
  return new Promise((resolve) => {
    const take = () => (queue.length > 0 ? resolve(queue.shift()!) : waiters.push(take));
    take();
  });
}

describe('Listener', () => {
  it('receives notifications and LISTENs again after its connection is killed', async () => {
    const channel = `t_${process.pid}_${Date.now().toString(36)}`;
    const queue: string[] = [];
    const waiters: Array<() => void> = [];
    let reconnected!: () => void;
    const reconnect = new Promise<void>((resolve) => (reconnected = resolve));
    const listener = new Listener({
      url,
      channel,
      retryMs: 10,
      onNotification: (payload) => {
        queue.push(payload);
        waiters.splice(0).forEach((w) => w());
      },
      onReconnect: () => reconnected(),
    });
    await listener.start();
    try {
      await notify(pool, channel, 'one');
      expect(await nextPayload(queue, waiters)).toBe('one');

      const pid = await listener.backendPid();
      const admin = new Client({ connectionString: url });
      await admin.connect();
      await admin.query('select pg_terminate_backend($1)', [pid]);
      await admin.end();
      await reconnect;
      expect(await listener.backendPid()).not.toBe(pid);

      await notify(pool, channel, 'two');
      expect(await nextPayload(queue, waiters)).toBe('two');
    } finally {
      await listener.close();
    }
  });
});
