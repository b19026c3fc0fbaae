import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { PageView, VmcoreView } from '@physwatch/core';
import { VmcoresRepository } from '@physwatch/db';
import { NotFoundError } from '../common/errors';
import { ErrorDto } from '../common/openapi-errors';
import { keysetPage } from '../common/query-reader';
import { VmcoreDto, VmcorePageDto } from './kdump.openapi';
import { MAX_LIMIT, parseVmcoresQuery } from './kdump-query';
import { vmcoreJson } from './kdump.view';

@ApiTags('kdump')
@Controller('api/v1/vmcores')
export class VmcoresController {
  constructor(private readonly vmcores: VmcoresRepository) {}

  @Get()
  @ApiQuery({ name: 'host_id', required: false, type: String })
  @ApiQuery({ name: 'watch_id', required: false, type: String })
  @ApiQuery({ name: 'hit_id', required: false, type: String })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: `1 to ${MAX_LIMIT}, default 100` })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: 'next_cursor of the previous page' })
  @ApiOkResponse({ type: VmcorePageDto, description: 'newest first' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_query, with every bad parameter' })
  async list(@Query() query: Record<string, unknown>): Promise<PageView<VmcoreView>> {
    const filter = parseVmcoresQuery(query);
    const rows = await this.vmcores.list({ ...filter, limit: filter.limit + 1 });
    return keysetPage(rows, filter.limit, 'vmcore', vmcoreJson);
  }

  @Get(':id')
  @ApiOkResponse({ type: VmcoreDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  async get(@Param('id') id: string): Promise<VmcoreView> {
    const row = /^[1-9][0-9]{0,17}$/.test(id) ? await this.vmcores.get(id) : null;
    if (!row) throw new NotFoundError('vmcore', id);
    return vmcoreJson(row);
  }
}
