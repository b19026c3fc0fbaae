import { Global, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { AssignmentsRepository, AuditRepository, Database, HitsRepository, HostsRepository, KdumpJobsRepository, migrate, VmcoresRepository, WatchesRepository } from '@physwatch/db';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { Logger, LOGGER } from '../config/logger';

/** Closes the pool last, after the gRPC streams have recorded their disconnects. */
@Injectable()
class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(private readonly db: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}

/** Migrates at start, then provides the Database and each repository on its own. */
@Global()
@Module({
  providers: [
    {
      provide: Database,
      inject: [CONFIG, LOGGER],
      useFactory: async (config: OrchestratorConfig, logger: Logger) => {
        const result = await migrate(config.databaseUrl, config.databaseSchema);
        logger.info({ schema: config.databaseSchema, applied: result.applied }, 'migrations done');
        return new Database({
          url: config.databaseUrl,
          schema: config.databaseSchema,
          max: config.databasePools.main,
          apiMax: config.databasePools.api,
          applicationName: 'physwatch-orchestrator',
        });
      },
    },
    { provide: HostsRepository, inject: [Database], useFactory: (db: Database) => db.hosts },
    { provide: WatchesRepository, inject: [Database], useFactory: (db: Database) => db.watches },
    { provide: AssignmentsRepository, inject: [Database], useFactory: (db: Database) => db.assignments },
    { provide: HitsRepository, inject: [Database], useFactory: (db: Database) => db.hits },
    { provide: KdumpJobsRepository, inject: [Database], useFactory: (db: Database) => db.kdumpJobs },
    { provide: VmcoresRepository, inject: [Database], useFactory: (db: Database) => db.vmcores },
    { provide: AuditRepository, inject: [Database], useFactory: (db: Database) => db.audit },
    DatabaseLifecycle,
  ],
  exports: [Database, HostsRepository, WatchesRepository, AssignmentsRepository, HitsRepository, KdumpJobsRepository, VmcoresRepository, AuditRepository],
})
export class DatabaseModule {}

