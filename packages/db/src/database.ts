import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pool } from 'pg';
import { ApiTokensRepository } from './api-tokens.repository';
import { AssignmentsRepository } from './assignments.repository';
import { AuditRepository } from './audit.repository';
import { EnrollmentRepository } from './enrollment.repository';
import { HitsRepository } from './hits.repository';
import { HostsRepository } from './hosts.repository';
import { HuntsRepository } from './hunts.repository';
import { KdumpJobsRepository } from './kdump-jobs.repository';
import { notify } from './notify';
import { createPool, DatabaseOptions, inTransaction, Queryable } from './pool';
import { VmcoresRepository } from './vmcores.repository';
import { WatchesRepository } from './watches.repository';

/** The repositories bound to one connection (the pool, or a transaction's client). */
export interface Repositories {
  hosts: HostsRepository;
  watches: WatchesRepository;
  assignments: AssignmentsRepository;
  hits: HitsRepository;
  kdumpJobs: KdumpJobsRepository;
  vmcores: VmcoresRepository;
  apiTokens: ApiTokensRepository;
  audit: AuditRepository;
  enrollment: EnrollmentRepository;
  hunts: HuntsRepository;
  notify(channel: string, payload: string): Promise<void>;
  /** Serialises placement (watch creation vs host arrival) until the transaction ends. */
  lockPlacement(): Promise<void>;
  /** Serialises crash budget decisions (check and take) until the transaction ends. */
  lockKdumpBudget(): Promise<void>;
  /**
   * Commit without waiting for the WAL flush, for this transaction only. For writes that
   * are re-derived anyway if lost in a Postgres crash (a Hello is repeated on reconnect).
   */
  commitWithoutFlush(): Promise<void>;
}

// Class id for the placement advisory lock; the schema's hash is the second key.
const PLACEMENT_LOCK = 0x706c6163; // "plac"
const KDUMP_BUDGET_LOCK = 0x6b64756d; // "kdum"

function repositories(db: Queryable, schema: string): Repositories {
  return {
    hosts: new HostsRepository(db),
    watches: new WatchesRepository(db),
    assignments: new AssignmentsRepository(db),
    hits: new HitsRepository(db),
    kdumpJobs: new KdumpJobsRepository(db),
    vmcores: new VmcoresRepository(db),
    apiTokens: new ApiTokensRepository(db),
    audit: new AuditRepository(db),
    enrollment: new EnrollmentRepository(db),
    hunts: new HuntsRepository(db),
    notify: (channel, payload) => notify(db, channel, payload),
    lockPlacement: async () => {
      await db.query('select pg_advisory_xact_lock($1, hashtext($2))', [PLACEMENT_LOCK, schema]);
    },
    lockKdumpBudget: async () => {
      await db.query('select pg_advisory_xact_lock($1, hashtext($2))', [KDUMP_BUDGET_LOCK, schema]);
    },
    commitWithoutFlush: async () => {
      await db.query('set local synchronous_commit = off');
    },
  };
}

/**
 * The data layer: a pool with search_path set, its repositories, and transactions. With
 * `apiMax` there are two pools: the main one, and one that serves whatever runs inside
 * `onApiPool` — repositories and transactions pick the pool of the context they are called in.
 */
export class Database {
  readonly pool: Pool;
  readonly apiPool: Pool | null;
  /** Queries on the pool of the calling context, for repositories built outside this class (StatsRepository). */
  readonly queryable: Queryable;
  readonly repos: Repositories;
  // Per instance, so two orchestrators in one process never pick each other's pool.
  private readonly apiContext = new AsyncLocalStorage<true>();

  constructor(readonly options: DatabaseOptions) {
    this.pool = createPool(options);
    this.apiPool = options.apiMax ? createPool({ ...options, max: options.apiMax, applicationName: `${options.applicationName ?? 'physwatch'}-api` }) : null;
    this.queryable = { query: (text, values) => this.activePool().query(text, values) };
    this.repos = repositories(this.queryable, options.schema);
  }

  /** Runs fn, and everything it starts (awaits, callbacks), on the API pool when there is one. */
  onApiPool<T>(fn: () => T): T {
    return this.apiPool ? this.apiContext.run(true, fn) : fn();
  }

  get hosts(): HostsRepository {
    return this.repos.hosts;
  }

  get watches(): WatchesRepository {
    return this.repos.watches;
  }

  get assignments(): AssignmentsRepository {
    return this.repos.assignments;
  }

  get hits(): HitsRepository {
    return this.repos.hits;
  }

  get kdumpJobs(): KdumpJobsRepository {
    return this.repos.kdumpJobs;
  }

  get vmcores(): VmcoresRepository {
    return this.repos.vmcores;
  }

  get apiTokens(): ApiTokensRepository {
    return this.repos.apiTokens;
  }

  get audit(): AuditRepository {
    return this.repos.audit;
  }

  get enrollment(): EnrollmentRepository {
    return this.repos.enrollment;
  }

  get hunts(): HuntsRepository {
    return this.repos.hunts;
  }

  /** Runs fn in one transaction; NOTIFY issued inside is delivered only on commit. */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
    return inTransaction(this.activePool(), (client) => fn(repositories(client, this.options.schema)));
  }

  /** Through the caller's pool: /readyz asks on the API's, which a storm does not exhaust. */
  async ping(): Promise<void> {
    await this.activePool().query('select 1');
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.apiPool?.end()]);
  }

  private activePool(): Pool {
    return this.apiPool && this.apiContext.getStore() ? this.apiPool : this.pool;
  }
}
