import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { KdumpJobView, ListView } from '@physwatch/core';
import { KDUMP_STATES, KdumpJobsRepository } from '@physwatch/db';
import { NotFoundError } from '../common/errors';
import { ErrorDto } from '../common/openapi-errors';
import { KdumpJobDto, KdumpJobListDto } from './kdump.openapi';
import { MAX_LIMIT, parseKdumpJobsQuery } from './kdump-query';
import { kdumpJobJson } from './kdump.view';

@ApiTags('kdump')
@Controller('api/v1/kdump-jobs')
export class KdumpJobsController {
  constructor(private readonly kdumpJobs: KdumpJobsRepository) {}

  @Get()
  @ApiQuery({ name: 'state', required: false, enum: KDUMP_STATES })
  @ApiQuery({ name: 'host_id', required: false, type: String })
  @ApiQuery({ name: 'watch_id', required: false, type: String })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: `1 to ${MAX_LIMIT}, default 100` })
  @ApiOkResponse({ type: KdumpJobListDto, description: 'newest first' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_query, with every bad parameter' })
  async list(@Query() query: Record<string, unknown>): Promise<ListView<KdumpJobView>> {
    const rows = await this.kdumpJobs.list(parseKdumpJobsQuery(query));
    return { items: rows.map(kdumpJobJson) };
  }

  @Get(':id')
  @ApiOkResponse({ type: KdumpJobDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  async get(@Param('id') id: string): Promise<KdumpJobView> {
    const row = await this.kdumpJobs.get(id);
    if (!row) throw new NotFoundError('kdump job', id);
    return kdumpJobJson(row);
  }
}
