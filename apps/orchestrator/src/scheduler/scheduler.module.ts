import { Module } from '@nestjs/common';
import { DesiredStateModule } from '../desired-state/desired-state.module';
import { KdumpModule } from '../kdump/kdump.module';
import { WatchLifecycleModule } from '../watch-lifecycle/watch-lifecycle.module';
import { SchedulerLeaderService } from './scheduler-leader.service';
import { SchedulerPass } from './scheduler-pass';

@Module({
  imports: [DesiredStateModule, KdumpModule, WatchLifecycleModule],
  providers: [SchedulerPass, SchedulerLeaderService],
  exports: [SchedulerPass, SchedulerLeaderService],
})
export class SchedulerModule {}
