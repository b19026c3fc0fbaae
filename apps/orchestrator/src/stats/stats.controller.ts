import { applyDecorators, Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { findCulprits, type CulpritsView, type HitGroupsView, type OverviewView } from '@physwatch/core';
import { HuntsRepository, StatsRepository, WatchesRepository } from '@physwatch/db';
import { NotFoundError } from '../common/errors';
import { ErrorDto } from '../common/openapi-errors';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { culpritsView } from './culprits.view';
import { groupHits } from './hit-groups';
import { CulpritsDto, HitGroupsDto, OverviewDto } from './stats.openapi';
import { CULPRIT_LIMITS, MAX_BUCKETS, parseCulpritsQuery, parseHitGroupsQuery, parseOverviewQuery } from './stats-query';

/** Aggregates for the dashboard, read from the rollups of migration 0005. */
@ApiTags('stats')
@Controller('api/v1')
export class StatsController {
  constructor(
    private readonly stats: StatsRepository,
    private readonly watches: WatchesRepository,
    private readonly hunts: HuntsRepository,
    @Inject(CONFIG) private readonly config: OrchestratorConfig,
  ) {}

  @Get('stats/overview')
  @ApiQuery({ name: 'since', required: false, type: String, format: 'date-time', description: 'default: until - 24 h' })
  @ApiQuery({ name: 'until', required: false, type: String, format: 'date-time', description: 'default: now' })
  @ApiQuery({ name: 'bucket', required: false, type: String, description: `e.g. 1m, 5m, 1h, 1d (at most ${MAX_BUCKETS} buckets); default: about 40 over the range` })
  @ApiQuery({ name: 'watch_id', required: false, type: String, description: "only this watch's hits" })
  @ApiOkResponse({ type: OverviewDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_query, with every bad parameter' })
  async overview(@Query() query: Record<string, unknown>): Promise<OverviewView> {
    const q = parseOverviewQuery(query);
    const [buckets, fleet] = await Promise.all([this.stats.hitBuckets(q), this.stats.fleetCounts(this.config.hostOfflineAfterMs)]);
    return {
      since: q.since.toISOString(),
      until: q.until.toISOString(),
      bucket: q.bucket,
      bucket_seconds: q.bucketSeconds,
      buckets: buckets.map((b) => ({ t: b.t.toISOString(), watch_id: b.watchId, hits: b.hits })),
      hits_total: buckets.reduce((n, b) => n + b.hits, 0),
      watches_active: fleet.watchesActive,
      hosts_online: fleet.hostsOnline,
      hosts_offline: fleet.hostsOffline,
    };
  }

  @Get('watches/:id/hit-groups')
  @ApiQuery({ name: 'by', required: true, type: String, description: 'host label key, e.g. dmi.bios.version, nic.eth0.firmware, dmi.system.product, cpu.microcode' })
  @ApiOkResponse({ type: HitGroupsDto, description: 'every host the watch was placed on, grouped by the label' })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  async hitGroups(@Param('id') id: string, @Query() query: Record<string, unknown>): Promise<HitGroupsView> {
    const { by } = parseHitGroupsQuery(query);
    const watch = ID.test(id) ? await this.watches.get(id) : null;
    if (!watch) throw new NotFoundError('watch', id);
    const [hosts, keys] = await Promise.all([this.stats.watchHostHits(id, by), this.stats.watchLabelKeys(id)]);
    return {
      watch_id: id,
      by,
      groups: groupHits(hosts),
      hosts: hosts.map((h) => ({ host_id: h.hostId, value: h.value, hits: h.hits, last_hit_at: h.lastHitAt?.toISOString() ?? null })),
      keys,
    };
  }

  @Get('watches/:id/culprits')
  @CulpritQueries()
  @ApiOkResponse({ type: CulpritsDto, description: "every label value of the watch's hosts, ranked by over-representation among the hit hosts" })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_query, with every bad parameter' })
  @ApiNotFoundResponse({ type: ErrorDto })
  async watchCulprits(@Param('id') id: string, @Query() query: Record<string, unknown>): Promise<CulpritsView> {
    const q = parseCulpritsQuery(query);
    const watch = ID.test(id) ? await this.watches.get(id) : null;
    if (!watch) throw new NotFoundError('watch', id);
    return culpritsView('watch', id, findCulprits(await this.stats.culpritHosts({ watchId: id }), q), q.limit, q.alpha);
  }

  /** Beside the watch's so both share one reader; the hunt counts the hits of all its stage watches. */
  @Get('hunts/:id/culprits')
  @ApiTags('hunts')
  @CulpritQueries()
  @ApiOkResponse({ type: CulpritsDto, description: "every label value of the hunt's hosts, hits of all its stage watches, ranked" })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_query, with every bad parameter' })
  @ApiNotFoundResponse({ type: ErrorDto })
  async huntCulprits(@Param('id') id: string, @Query() query: Record<string, unknown>): Promise<CulpritsView> {
    const q = parseCulpritsQuery(query);
    const hunt = ID.test(id) ? await this.hunts.get(id) : null;
    if (!hunt) throw new NotFoundError('hunt', id);
    return culpritsView('hunt', id, findCulprits(await this.stats.culpritHosts({ huntId: id }), q), q.limit, q.alpha);
  }
}

const ID = /^[1-9][0-9]{0,17}$/;

function CulpritQueries(): MethodDecorator {
  return applyDecorators(
    ApiQuery({ name: 'keys', required: false, type: String, description: 'only these label keys, comma-separated, e.g. dmi.bios.version,dmi.system.product' }),
    ApiQuery({ name: 'limit', required: false, type: Number, description: `values returned, 1 to ${CULPRIT_LIMITS.maxLimit}; default ${CULPRIT_LIMITS.defaultLimit}` }),
    ApiQuery({ name: 'alpha', required: false, type: Number, description: 'significance level of the explained_by check, between 0 and 1; default 0.05' }),
  );
}
