import { DynamicModule, Module } from '@nestjs/common';
import { AgentsModule } from './agents/agents.module';
import { AuthModule } from './auth/auth.module';
import { ConfigModule } from './config/config.module';
import type { OrchestratorConfig } from './config/config';
import type { Logger } from './config/logger';
import { DashboardModule } from './dashboard/dashboard.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { HitsModule } from './hits/hits.module';
import { HostsModule } from './hosts/hosts.module';
import { HuntsModule } from './hunts/hunts.module';
import type { JobDefinition } from './jobs/job-definition';
import { JobsModule } from './jobs/jobs.module';
import { KDUMP_JOBS } from './kdump/kdump.jobs';
import { KdumpModule } from './kdump/kdump.module';
import { MetricsModule } from './metrics/metrics.module';
import { watchExpiryJob } from './watches/watch-expiry.job';
import { WatchesModule } from './watches/watches.module';

@Module({})
export class AppModule {
  static forRoot(config: OrchestratorConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, logger),
        MetricsModule,
        DatabaseModule,
        JobsModule.forRoot([watchExpiryJob as JobDefinition<never>, ...KDUMP_JOBS.map((d) => d as JobDefinition<never>)]),
        WatchesModule,
        HuntsModule,
        HostsModule,
        HitsModule,
        KdumpModule,
        AuthModule,
        AgentsModule,
        HealthModule,
        DashboardModule,
      ],
    };
  }
}
