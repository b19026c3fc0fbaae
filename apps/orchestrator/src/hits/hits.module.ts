import { Module } from '@nestjs/common';
import { WatchesModule } from '../watches/watches.module';
import { HitIngestService } from './hit-ingest.service';
import { HitsController } from './hits.controller';

@Module({ imports: [WatchesModule], controllers: [HitsController], providers: [HitIngestService], exports: [HitIngestService] })
export class HitsModule {}
