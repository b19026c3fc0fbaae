import { Module } from '@nestjs/common';
import { KdumpModule } from '../kdump/kdump.module';
import { WatchesModule } from '../watches/watches.module';
import { HitIngestService } from './hit-ingest.service';
import { HitsController } from './hits.controller';

@Module({ imports: [WatchesModule, KdumpModule], controllers: [HitsController], providers: [HitIngestService], exports: [HitIngestService] })
export class HitsModule {}
