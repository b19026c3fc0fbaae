import { Module } from '@nestjs/common';
import { Database, StatsRepository } from '@physwatch/db';
import { StatsController } from './stats.controller';

@Module({
  controllers: [StatsController],
  providers: [{ provide: StatsRepository, inject: [Database], useFactory: (db: Database) => new StatsRepository(db.queryable) }],
})
export class StatsModule {}
