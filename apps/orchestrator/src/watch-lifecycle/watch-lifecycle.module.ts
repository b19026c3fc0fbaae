import { Module } from '@nestjs/common';
import { DesiredStateModule } from '../desired-state/desired-state.module';
import { WatchLifecycleService } from './watch-lifecycle.service';

/** Ending watches: below watches, scheduler, hunts and hits, which all end them and none of which it needs. */
@Module({ imports: [DesiredStateModule], providers: [WatchLifecycleService], exports: [WatchLifecycleService] })
export class WatchLifecycleModule {}
