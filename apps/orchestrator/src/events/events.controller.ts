import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { EventsService } from './events.service';

@ApiTags('events')
@Controller('api/v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      'Server-sent events, one JSON object per `data:` line: {"kind":"hits","count","watch_ids","host_ids"}, {"kind":"watch","watch_ids"}, ' +
      '{"kind":"host","host_ids"}, {"kind":"resync"} (ids null = too many to name). Bursts are folded every 200 ms; refetch what changed.',
  })
  stream(@Res() reply: FastifyReply): void {
    // The answer outlives this handler: Fastify must neither send nor time it out.
    reply.hijack();
    this.events.attach(reply.raw);
  }
}
