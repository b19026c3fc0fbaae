import { Module } from '@nestjs/common';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';

/** Live updates for the dashboard (server-sent events). */
@Module({ controllers: [EventsController], providers: [EventsService] })
export class EventsModule {}
