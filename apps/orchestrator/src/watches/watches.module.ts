import { Module } from '@nestjs/common';
import { SchedulerModule } from '../scheduler/scheduler.module';
import { WatchLifecycleModule } from '../watch-lifecycle/watch-lifecycle.module';
import { PlacementService } from './placement.service';
import { WatchExpiryHandler } from './watch-expiry.handler';
import { WatchesController } from './watches.controller';
import { WatchesService } from './watches.service';

@Module({
  imports: [SchedulerModule, WatchLifecycleModule],
  controllers: [WatchesController],
  providers: [WatchesService, PlacementService, WatchExpiryHandler],
  exports: [WatchesService, PlacementService],
})
export class WatchesModule {}
