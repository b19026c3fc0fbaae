import { Module } from '@nestjs/common';
import { KdumpModule } from '../kdump/kdump.module';
import { WatchLifecycleModule } from '../watch-lifecycle/watch-lifecycle.module';
import { HitIngestService } from './hit-ingest.service';
import { HitsController } from './hits.controller';

@Module({ imports: [WatchLifecycleModule, KdumpModule], controllers: [HitsController], providers: [HitIngestService], exports: [HitIngestService] })
export class HitsModule {}
