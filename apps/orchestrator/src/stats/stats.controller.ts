import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { HitGroupsView, OverviewView } from '@physwatch/core';
import { StatsRepository, WatchesRepository } from '@physwatch/db';
import { NotFoundError } from '../common/errors';
import { ErrorDto } from '../common/openapi-errors';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { groupHits } from './hit-groups';
import { HitGroupsDto, OverviewDto } from './stats.openapi';
import { MAX_BUCKETS, parseHitGroupsQuery, parseOverviewQuery } from './stats-query';

/** Aggregates for the dashboard, read from the rollups of migration 0005. */
@ApiTags('stats')
@Controller('api/v1')
export class StatsController {
  constructor(
    private readonly stats: StatsRepository,
    private readonly watches: WatchesRepository,
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
    const watch = /^[1-9][0-9]{0,17}$/.test(id) ? await this.watches.get(id) : null;
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
}
