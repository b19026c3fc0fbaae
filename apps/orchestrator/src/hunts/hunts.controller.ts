import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { HuntSpec, huntIsDestructive, parseHuntSpec, ValidationError } from '@physwatch/core';
import type { HuntDetailView, HuntView, ListView } from '@physwatch/core';
import { HUNT_STATES, HuntState } from '@physwatch/db';
import { Access, Caller, Principal, requireRole } from '../auth/access';
import { Audit, AuditTrail } from '../auth/audit-entry';
import { InvalidQueryError, InvalidRequestError } from '../common/errors';
import { ErrorDto } from '../common/openapi-errors';
import { parseAdvanceBody, parseHoldBody } from './hunt-input';
import { HuntChoiceDto, HuntDetailDto, HuntHoldDto, HuntListDto, HuntSpecDto } from './hunt.openapi';
import { HuntsService } from './hunts.service';

function parseSpec(body: unknown): HuntSpec {
  try {
    return parseHuntSpec(body);
  } catch (err) {
    if (err instanceof ValidationError) throw new InvalidRequestError(err.errors);
    throw err;
  }
}

@ApiTags('hunts')
@Controller('api/v1/hunts')
export class HuntsController {
  constructor(private readonly hunts: HuntsService) {}

  /** operator; a hunt with a destructive stage (panic, hang, kdump_on_hit) needs admin, as such a watch does. */
  @Post()
  @Access({ role: 'operator', action: 'hunt.create', what: 'starting a hunt' })
  @ApiBody({ type: HuntSpecDto })
  @ApiCreatedResponse({ type: HuntDetailDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_request, with every bad field (a stage\'s as stages[i].field)' })
  @ApiForbiddenResponse({ type: ErrorDto, description: 'operator, admin when a stage is destructive' })
  create(@Body() body: unknown, @Caller() caller: Principal, @Audit() audit: AuditTrail): Promise<HuntDetailView> {
    const spec = parseSpec(body);
    const destructive = spec.stages.findIndex((s) => s.destructive);
    if (huntIsDestructive(spec)) requireRole(caller, 'admin', `starting a hunt whose stage ${destructive} is destructive (${spec.stages[destructive].kdumpOnHit ? 'kdump_on_hit' : spec.stages[destructive].action})`);
    return this.hunts.create(spec, caller.name, audit);
  }

  @Get()
  @ApiQuery({ name: 'state', required: false, enum: HUNT_STATES })
  @ApiOkResponse({ type: HuntListDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  async list(@Query('state') state?: string): Promise<ListView<HuntView>> {
    if (state !== undefined && !HUNT_STATES.includes(state as HuntState)) {
      throw new InvalidQueryError([{ field: 'state', reason: `${JSON.stringify(state)} is not one of ${HUNT_STATES.join(', ')}` }]);
    }
    return { items: await this.hunts.list(state as HuntState | undefined) };
  }

  @Get(':id')
  @ApiOkResponse({ type: HuntDetailDto, description: 'stages with their hosts, each host\'s stage and median bracket, the cohort, the timeline' })
  @ApiNotFoundResponse({ type: ErrorDto })
  get(@Param('id') id: string): Promise<HuntDetailView> {
    return this.hunts.get(id);
  }

  // Pausing, holding and stopping are the safe direction: operator, as for watches.
  @Post(':id/pause')
  @HttpCode(200)
  @Access({ role: 'operator', action: 'hunt.pause', what: 'pausing a hunt' })
  @ApiOkResponse({ type: HuntDetailDto, description: 'no transition while paused; the watches stay' })
  @ApiNotFoundResponse({ type: ErrorDto })
  pause(@Param('id') id: string, @Caller() caller: Principal, @Audit() audit: AuditTrail): Promise<HuntDetailView> {
    return this.hunts.setPaused(id, true, caller.name, audit);
  }

  /** Resuming lets hosts move on again: a hunt with a destructive stage needs admin for it. */
  @Post(':id/resume')
  @HttpCode(200)
  @Access({ role: 'operator', action: 'hunt.resume', what: 'resuming a hunt' })
  @ApiOkResponse({ type: HuntDetailDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  async resume(@Param('id') id: string, @Caller() caller: Principal, @Audit() audit: AuditTrail): Promise<HuntDetailView> {
    if (huntIsDestructive(await this.hunts.spec(id))) requireRole(caller, 'admin', 'resuming a hunt with a destructive stage');
    return this.hunts.setPaused(id, false, caller.name, audit);
  }

  @Post(':id/hold')
  @HttpCode(200)
  @Access({ role: 'operator', action: 'hunt.hold', what: 'holding a hunt' })
  @ApiBody({ type: HuntHoldDto })
  @ApiOkResponse({ type: HuntDetailDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  async hold(@Param('id') id: string, @Body() body: unknown, @Caller() caller: Principal, @Audit() audit: AuditTrail): Promise<HuntDetailView> {
    const parsed = parseHoldBody(body);
    // Releasing lets the engine move hosts on: into a destructive stage only for admin.
    if (parsed.release && huntIsDestructive(await this.hunts.spec(id))) requireRole(caller, 'admin', 'releasing a hold on a hunt with a destructive stage');
    return this.hunts.hold(id, parsed, caller.name, audit);
  }

  /** Moves the named hosts (or a cohort) up one stage by hand; into a destructive stage needs admin. */
  @Post(':id/advance')
  @HttpCode(200)
  @Access({ role: 'operator', action: 'hunt.advance', what: 'advancing a hunt' })
  @ApiBody({ type: HuntChoiceDto })
  @ApiOkResponse({ type: HuntDetailDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiForbiddenResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  async advance(@Param('id') id: string, @Body() body: unknown, @Caller() caller: Principal, @Audit() audit: AuditTrail): Promise<HuntDetailView> {
    const choice = parseAdvanceBody(body);
    const { spec, stage } = await this.hunts.highestStageAfterAdvance(id, choice);
    if (spec.stages.slice(0, stage + 1).some((s) => s.destructive)) requireRole(caller, 'admin', `advancing hosts into a destructive stage`);
    return this.hunts.advance(id, choice, caller.name, audit);
  }

  @Post(':id/stop')
  @HttpCode(200)
  @Access({ role: 'operator', action: 'hunt.stop', what: 'stopping a hunt' })
  @ApiOkResponse({ type: HuntDetailDto, description: 'stopped; its watches ended (state stopped)' })
  @ApiNotFoundResponse({ type: ErrorDto })
  stop(@Param('id') id: string, @Caller() caller: Principal, @Audit() audit: AuditTrail): Promise<HuntDetailView> {
    return this.hunts.stop(id, caller.name, audit);
  }
}
