import { Module } from '@nestjs/common';
import { Database, HuntsRepository, StatsRepository } from '@physwatch/db';
import { StatsController } from './stats.controller';

@Module({
  controllers: [StatsController],
  providers: [
    { provide: StatsRepository, inject: [Database], useFactory: (db: Database) => new StatsRepository(db.queryable) },
    { provide: HuntsRepository, inject: [Database], useFactory: (db: Database) => db.hunts },
  ],
})
export class StatsModule {}
