import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { destructiveKind, isDestructive, parseWatchSpec } from '@physwatch/core';
import type { ListView, WatchDetailView, WatchHostsView, WatchPreviewView, WatchView } from '@physwatch/core';
import { WATCH_STATES, WatchState } from '@physwatch/db';
import { Access, Caller, Principal, requireRole } from '../auth/access';
import { Audit, AuditTrail } from '../auth/audit-entry';
import { InvalidQueryError } from '../common/errors';
import { ErrorDto } from '../common/openapi-errors';
import { WatchDetailDto, WatchDto, WatchListDto, WatchPreviewDto, WatchSpecDto } from './watch.openapi';
import { WatchesService } from './watches.service';

@ApiTags('watches')
@Controller('api/v1/watches')
export class WatchesController {
  constructor(private readonly watches: WatchesService) {}

  /** operator for report/stack watches; a destructive one (panic, hang, kdump_on_hit) needs admin, checked once the spec is parsed. */
  @Post()
  @Access({ role: 'operator', action: 'watch.create', what: 'creating a watch' })
  @ApiBody({ type: WatchSpecDto })
  @ApiCreatedResponse({ type: WatchDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_watch_spec, with every bad field' })
  @ApiForbiddenResponse({ type: ErrorDto, description: 'operator for report/stack watches, admin for panic, hang or kdump_on_hit' })
  create(@Body() body: unknown, @Caller() caller: Principal, @Audit() audit: AuditTrail): Promise<WatchView> {
    const spec = parseWatchSpec(body);
    if (isDestructive(spec)) requireRole(caller, 'admin', `creating a ${destructiveKind(spec)} watch`);
    return this.watches.create(spec, audit);
  }

  /** The same checks as create, destructive role included: a preview tells what a create would do. */
  @Post('preview')
  @HttpCode(200)
  @Access({ role: 'operator', action: 'watch.preview', what: 'previewing a watch' })
  @ApiBody({ type: WatchSpecDto })
  @ApiOkResponse({ type: WatchPreviewDto, description: 'where the watch would go if created now; nothing is stored' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_watch_spec, with every bad field' })
  @ApiForbiddenResponse({ type: ErrorDto, description: 'operator for report/stack watches, admin for panic, hang or kdump_on_hit' })
  preview(@Body() body: unknown, @Caller() caller: Principal): Promise<WatchPreviewView> {
    const spec = parseWatchSpec(body);
    if (isDestructive(spec)) requireRole(caller, 'admin', `previewing a ${destructiveKind(spec)} watch`);
    return this.watches.preview(spec);
  }

  @Get()
  @ApiQuery({ name: 'state', required: false, enum: WATCH_STATES })
  @ApiOkResponse({ type: WatchListDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  async list(@Query('state') state?: string): Promise<ListView<WatchView>> {
    if (state !== undefined && !WATCH_STATES.includes(state as WatchState)) {
      throw new InvalidQueryError([{ field: 'state', reason: `${JSON.stringify(state)} is not one of ${WATCH_STATES.join(', ')}` }]);
    }
    return { items: await this.watches.list(state as WatchState | undefined) };
  }

  @Get(':id')
  @ApiOkResponse({ type: WatchDetailDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  get(@Param('id') id: string): Promise<WatchDetailView> {
    return this.watches.get(id);
  }

  @Get(':id/hosts')
  @ApiOkResponse({ description: 'hosts grouped armed / failed (reason) / pending (reason) / offline' })
  @ApiNotFoundResponse({ type: ErrorDto })
  hosts(@Param('id') id: string): Promise<WatchHostsView> {
    return this.watches.hosts(id);
  }

  // Pausing and stopping are the safe direction: operator may do both to any watch, destructive ones included.
  @Post(':id/pause')
  @HttpCode(200)
  @Access({ role: 'operator', action: 'watch.pause', what: 'pausing a watch' })
  @ApiOkResponse({ type: WatchDto, description: 'the watch, its rollout paused (placed hosts keep it)' })
  @ApiNotFoundResponse({ type: ErrorDto })
  pause(@Param('id') id: string, @Audit() audit: AuditTrail): Promise<WatchView> {
    return this.watches.setPaused(id, true, audit);
  }

  /** Resuming lets a rollout reach more hosts: a destructive watch needs admin for it. */
  @Post(':id/resume')
  @HttpCode(200)
  @Access({ role: 'operator', action: 'watch.resume', what: 'resuming a watch' })
  @ApiOkResponse({ type: WatchDto, description: 'the watch, its rollout going on' })
  @ApiNotFoundResponse({ type: ErrorDto })
  async resume(@Param('id') id: string, @Caller() caller: Principal, @Audit() audit: AuditTrail): Promise<WatchView> {
    const kind = await this.watches.destructiveKindOf(id);
    if (kind !== null) requireRole(caller, 'admin', `resuming a ${kind} watch`);
    return this.watches.setPaused(id, false, audit);
  }

  @Post(':id/stop')
  @HttpCode(200)
  @Access({ role: 'operator', action: 'watch.stop', what: 'stopping a watch' })
  @ApiOkResponse({ type: WatchDto, description: 'the watch, stopped; an ended watch is returned unchanged' })
  @ApiNotFoundResponse({ type: ErrorDto })
  stop(@Param('id') id: string, @Audit() audit: AuditTrail): Promise<WatchView> {
    return this.watches.stop(id, audit);
  }
}
