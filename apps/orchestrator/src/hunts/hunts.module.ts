import { Module } from '@nestjs/common';
import { SchedulerModule } from '../scheduler/scheduler.module';
import { WatchLifecycleModule } from '../watch-lifecycle/watch-lifecycle.module';
import { HuntEngine } from './hunt-engine.service';
import { HuntsController } from './hunts.controller';
import { HuntsService } from './hunts.service';

@Module({
  imports: [SchedulerModule, WatchLifecycleModule],
  controllers: [HuntsController],
  providers: [HuntEngine, HuntsService],
  exports: [HuntEngine],
})
export class HuntsModule {}
