import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { HitView, PageView } from '@physwatch/core';
import { HitsRepository } from '@physwatch/db';
import { ErrorDto } from '../common/openapi-errors';
import { HitPageDto } from './hit.openapi';
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
}
