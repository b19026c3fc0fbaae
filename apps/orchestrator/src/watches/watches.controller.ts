import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { WATCH_STATES, WatchState } from '@physwatch/db';
import { InvalidQueryError } from '../common/errors';
import { ErrorDto } from '../common/openapi-errors';
import { WatchDetailDto, WatchDto, WatchListDto, WatchSpecDto } from './watch.openapi';
import type { WatchHostsJson } from './watch-hosts.view';
import type { WatchDetailJson, WatchJson } from './watch.view';
import { WatchesService } from './watches.service';

@ApiTags('watches')
@Controller('api/v1/watches')
export class WatchesController {
  constructor(private readonly watches: WatchesService) {}

  @Post()
  @ApiBody({ type: WatchSpecDto })
  @ApiCreatedResponse({ type: WatchDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_watch_spec, with every bad field' })
  create(@Body() body: unknown): Promise<WatchJson> {
    return this.watches.create(body);
  }

  @Get()
  @ApiQuery({ name: 'state', required: false, enum: WATCH_STATES })
  @ApiOkResponse({ type: WatchListDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  async list(@Query('state') state?: string): Promise<{ items: WatchJson[] }> {
    if (state !== undefined && !WATCH_STATES.includes(state as WatchState)) {
      throw new InvalidQueryError([{ field: 'state', reason: `${JSON.stringify(state)} is not one of ${WATCH_STATES.join(', ')}` }]);
    }
    return { items: await this.watches.list(state as WatchState | undefined) };
  }

  @Get(':id')
  @ApiOkResponse({ type: WatchDetailDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  get(@Param('id') id: string): Promise<WatchDetailJson> {
    return this.watches.get(id);
  }

  @Get(':id/hosts')
  @ApiOkResponse({ description: 'hosts grouped armed / failed (reason) / pending (reason) / offline' })
  @ApiNotFoundResponse({ type: ErrorDto })
  hosts(@Param('id') id: string): Promise<WatchHostsJson> {
    return this.watches.hosts(id);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOkResponse({ type: WatchDto, description: 'the watch, its rollout paused (placed hosts keep it)' })
  @ApiNotFoundResponse({ type: ErrorDto })
  pause(@Param('id') id: string): Promise<WatchJson> {
    return this.watches.setPaused(id, true);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOkResponse({ type: WatchDto, description: 'the watch, its rollout going on' })
  @ApiNotFoundResponse({ type: ErrorDto })
  resume(@Param('id') id: string): Promise<WatchJson> {
    return this.watches.setPaused(id, false);
  }

  @Post(':id/stop')
  @HttpCode(200)
  @ApiOkResponse({ type: WatchDto, description: 'the watch, stopped; an ended watch is returned unchanged' })
  @ApiNotFoundResponse({ type: ErrorDto })
  stop(@Param('id') id: string): Promise<WatchJson> {
    return this.watches.stop(id);
  }
}
