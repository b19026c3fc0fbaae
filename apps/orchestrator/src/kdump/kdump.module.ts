import { Module } from '@nestjs/common';
import { DesiredStateModule } from '../desired-state/desired-state.module';
import { KdumpJobsController } from './kdump-jobs.controller';
import { KdumpJobsHandler } from './kdump-jobs.handler';
import { VmcoreIngestService } from './vmcore-ingest.service';
import { VmcoresController } from './vmcores.controller';

/** Crashing hosts into kdump on purpose (budgeted jobs), and the vmcores agents report. */
@Module({
  imports: [DesiredStateModule],
  controllers: [VmcoresController, KdumpJobsController],
  providers: [KdumpJobsHandler, VmcoreIngestService],
  exports: [KdumpJobsHandler, VmcoreIngestService],
})
export class KdumpModule {}
