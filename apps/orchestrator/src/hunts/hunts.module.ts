import { Module } from '@nestjs/common';
import { DesiredStateModule } from '../desired-state/desired-state.module';
import { SchedulerModule } from '../scheduler/scheduler.module';
import { HuntEngine } from './hunt-engine.service';
import { HuntsController } from './hunts.controller';
import { HuntsService } from './hunts.service';

@Module({
  imports: [DesiredStateModule, SchedulerModule],
  controllers: [HuntsController],
  providers: [HuntEngine, HuntsService],
  exports: [HuntEngine],
})
export class HuntsModule {}
