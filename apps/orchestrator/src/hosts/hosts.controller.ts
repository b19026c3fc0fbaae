import { Body, Controller, Get, Inject, Param, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { HostView, ListView } from '@physwatch/core';
import { AssignmentsRepository, HostsRepository } from '@physwatch/db';
import { Access } from '../auth/access';
import { Audit, AuditTrail } from '../auth/audit-entry';
import { NotFoundError } from '../common/errors';
import { ErrorDto } from '../common/openapi-errors';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { readHostLabels } from './host-labels-input';
import { HostDto, HostLabelsBodyDto, HostListDto } from './host.openapi';
import { hostJson } from './host.view';
import { HostsService } from './hosts.service';

@ApiTags('hosts')
@Controller('api/v1/hosts')
export class HostsController {
  constructor(
    private readonly hosts: HostsRepository,
    private readonly assignments: AssignmentsRepository,
    private readonly service: HostsService,
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

  @Put(':id/labels')
  @Access({ role: 'operator', action: 'host.labels', what: "setting a host's operator labels" })
  @ApiBody({ type: HostLabelsBodyDto })
  @ApiOkResponse({ type: HostDto, description: 'the host, with its labels from both sources' })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  setLabels(@Param('id') id: string, @Body() body: unknown, @Audit() audit: AuditTrail): Promise<HostView> {
    return this.service.setOperatorLabels(id, readHostLabels(body), audit);
  }
}
