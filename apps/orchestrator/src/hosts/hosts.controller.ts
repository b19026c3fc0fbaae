import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { HostView, ListView } from '@physwatch/core';
import { AssignmentsRepository, HostsRepository } from '@physwatch/db';
import { NotFoundError } from '../common/errors';
import { ErrorDto } from '../common/openapi-errors';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { HostDto, HostListDto } from './host.openapi';
import { hostJson } from './host.view';

@ApiTags('hosts')
@Controller('api/v1/hosts')
export class HostsController {
  constructor(
    private readonly hosts: HostsRepository,
    private readonly assignments: AssignmentsRepository,
    @Inject(CONFIG) private readonly config: OrchestratorConfig,
  ) {}

  @Get()
  @ApiOkResponse({ type: HostListDto })
  async list(): Promise<ListView<HostView>> {
    const rows = await this.hosts.list(this.config.hostOfflineAfterMs);
    const assignments = await this.assignments.listForHosts(rows.map((r) => r.id));
    return { items: rows.map((row) => hostJson(row, assignments.filter((a) => a.hostId === row.id))) };
  }

  @Get(':id')
  @ApiOkResponse({ type: HostDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  async get(@Param('id') id: string): Promise<HostView> {
    const row = await this.hosts.get(id, this.config.hostOfflineAfterMs);
    if (!row) throw new NotFoundError('host', id);
    return hostJson(row, await this.assignments.listForHosts([id]));
  }
}
