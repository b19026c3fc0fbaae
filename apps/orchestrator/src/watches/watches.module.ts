import { Module } from '@nestjs/common';
import { DesiredStateModule } from '../desired-state/desired-state.module';
import { SchedulerModule } from '../scheduler/scheduler.module';
import { PlacementService } from './placement.service';
import { WatchExpiryHandler } from './watch-expiry.handler';
import { WatchesController } from './watches.controller';
import { WatchesService } from './watches.service';

@Module({
  imports: [DesiredStateModule, SchedulerModule],
  controllers: [WatchesController],
  providers: [WatchesService, PlacementService, WatchExpiryHandler],
  exports: [WatchesService, PlacementService],
})
export class WatchesModule {}
