// Test-only: a migrated fresh schema per test file, and one-line factories. Not built.
import { freshSchemaName, testDatabaseUrl } from '@physwatch/testing/env';
import { Database } from './database';
import type { NewHit } from './hits.repository';
import type { HelloFacts } from './hosts.repository';
import { dropSchema, migrate } from './migrate';

export interface TestDatabase {
  db: Database;
  schema: string;
  url: string;
  drop(): Promise<void>;
}

export async function freshDatabase(prefix = 'db'): Promise<TestDatabase> {
  const url = testDatabaseUrl();
  const schema = freshSchemaName(prefix);
  await migrate(url, schema);
  const db = new Database({ url, schema });
  return {
    db,
    schema,
    url,
    async drop() {
      await db.close();
      await dropSchema(url, schema);
    },
  };
}

export function hostFacts(id: string, overrides: Partial<HelloFacts> = {}): HelloFacts {
  return {
    id,
    hostname: `${id}.lab`,
    bootId: 'boot-1',
    kernelRelease: '6.1.0',
    arch: 'aarch64',
    agentVersion: '0.1.0',
    labels: {},
    capabilities: { backend: 'simulated' },
    kdump: null,
    ...overrides,
  };
}

/** A hit with sequence `seq` whose wall-clock time is `seq` seconds after 2026-01-01. */
export function newHit(seq: number, watchId: string, overrides: Partial<NewHit> = {}): NewHit {
  const base = BigInt(Date.UTC(2026, 0, 1)) * 1_000_000n;
  return {
    seq: String(seq),
    moduleSeq: null,
    watchId,
    realtimeNs: String(base + BigInt(seq) * 1_000_000_000n),
    boottimeNs: String(BigInt(seq) * 1_000_000n),
    lastOldBoottimeNs: null,
    cpu: 0,
    paddr: '44097536',
    offset: 0,
    width: 1,
    oldValue: '0',
    newValue: '51',
    pid: 1,
    comm: 'swapper/0',
    ip: 'do_idle+0x1c',
    stack: '',
    action: 'report',
    writer: null,
    writerReason: null,
    smiCount: null,
    ...overrides,
  };
}

export const SPEC = { target: { paddr: '0x2a0e000' }, width: 1, condition: 'equals', value: '0x33', interval: '30ms', hosts: { selector: 'rack=r1' } };
