import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { HitView, PageView } from '@physwatch/core';
import { HIT_WRITERS } from '@physwatch/core';
import { HitsRepository } from '@physwatch/db';
import { NotFoundError } from '../common/errors';
import { ErrorDto } from '../common/openapi-errors';
import { HitDto, HitPageDto } from './hit.openapi';
import { hitJson } from './hit.view';
import { keysetPage } from '../common/query-reader';
import { MAX_LIMIT, parseHitsQuery } from './hits-query';

@ApiTags('hits')
@Controller('api/v1/hits')
export class HitsController {
  constructor(private readonly hits: HitsRepository) {}

  @Get()
  @ApiQuery({ name: 'watch_id', required: false, type: String })
  @ApiQuery({ name: 'host_id', required: false, type: String })
  @ApiQuery({ name: 'writer', required: false, enum: HIT_WRITERS, description: 'only hits whose writer is this one' })
  @ApiQuery({ name: 'since', required: false, type: String, format: 'date-time', description: 'ISO 8601, inclusive, on occurred_at' })
  @ApiQuery({ name: 'until', required: false, type: String, format: 'date-time', description: 'ISO 8601, exclusive, on occurred_at' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: `1 to ${MAX_LIMIT}, default 100` })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: 'next_cursor of the previous page' })
  @ApiOkResponse({ type: HitPageDto, description: 'newest first' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_query, with every bad parameter' })
  async list(@Query() query: Record<string, unknown>): Promise<PageView<HitView>> {
    const filter = parseHitsQuery(query);
    const rows = await this.hits.list({ ...filter, limit: filter.limit + 1 });
    return keysetPage(rows, filter.limit, 'hit', hitJson);
  }

  @Get(':id')
  @ApiOkResponse({ type: HitDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  async get(@Param('id') id: string): Promise<HitView> {
    const row = /^[1-9][0-9]{0,17}$/.test(id) ? await this.hits.get(id) : null;
    if (!row) throw new NotFoundError('hit', id);
    return hitJson(row);
  }
}
