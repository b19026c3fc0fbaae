import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ACTIONS, CONDITIONS, MAX_FUNC_NAME_LENGTH, MAX_FUNCS, MAX_RATE, MAX_SENTINEL_PAGES, SENTINEL_PAGE_SIZE, WAIT_REASONS, WATCH_MODES, WIDTHS } from '@physwatch/core';
import { ASSIGNMENT_PHASES, WATCH_STATES } from '@physwatch/db';

export class PciBarTargetDto {
  @ApiProperty({ description: 'domain:bus:device.function, hex as in /sys/bus/pci/devices (device <= 1f, function 0..7); kept canonical', example: '0000:00:04.0' }) device!: string;
  @ApiProperty({ minimum: 0, maximum: 5, example: 2 }) bar!: number;
  @ApiPropertyOptional({ description: 'bytes from the BAR\'s start, u64 "0x…" or decimal, a multiple of width; offset+len must fit the BAR (checked on the host)', default: '0x0' }) offset?: string;
}

export class SentinelTargetDto {
  @ApiProperty({ minimum: 1, maximum: MAX_SENTINEL_PAGES, example: 4, description: `pages of ${SENTINEL_PAGE_SIZE} bytes each host's module allocates itself; the watch's len is pages × ${SENTINEL_PAGE_SIZE} (len is refused)` }) pages!: number;
  @ApiPropertyOptional({ description: 'each word\'s fill, u64 "0x…" or decimal, fitting width', default: '0x5a5a5a5a5a5a5a5a cut to width' }) pattern?: string;
}

export class RolloutDto {
  @ApiPropertyOptional({ description: 'hosts that run it first; 0: no canary stage (panic/hang: 1, and only 1 without allow_wide_destructive)', default: 0 }) canary?: number;
  @ApiPropertyOptional({ description: 'how long every canary stays armed, none failed, before expanding', default: '5m' }) soak?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 100 }) percent?: number;
  @ApiPropertyOptional({ nullable: true, type: Number }) max_hosts?: number | null;
  @ApiPropertyOptional({ default: false, description: 'placed hosts keep the watch; none is added' }) paused?: boolean;
  @ApiPropertyOptional({ default: false, description: 'lets a panic/hang watch go beyond one host' }) allow_wide_destructive?: boolean;
}

/** OpenAPI description only: bodies are validated by parseWatchSpec, which names every bad field. */
export class WatchSpecDto {
  @ApiPropertyOptional({ nullable: true, example: 'zero page byte 0', maxLength: 200 }) name?: string | null;
  @ApiProperty({
    description:
      'exactly one of paddr (physical address, "0x…" or decimal), symbol ("name" or "name+0xoff"), pci_bar (PciBarTarget: a PCI memory BAR; hosts whose capabilities lack TARGET_KIND_PCI_BAR wait as unsupported) or sentinel (SentinelTarget: pages each host allocates and fills itself, so every host watches its own physical slice; hosts whose capabilities lack TARGET_KIND_SENTINEL wait as unsupported)',
    example: { paddr: '0x2a0e000' },
  })
  target!: { paddr: string } | { symbol: string } | { pci_bar: PciBarTargetDto } | { sentinel: SentinelTargetDto };
  @ApiProperty({ enum: WIDTHS, example: 1 }) width!: number;
  @ApiPropertyOptional({ description: 'bytes covered, a multiple of width; defaults to width; refused with a sentinel target (its pages are the region)', maximum: 65536 }) len?: number;
  @ApiProperty({ enum: CONDITIONS, example: 'equals' }) condition!: string;
  @ApiPropertyOptional({ description: 'u64 as "0x…" or decimal; required unless any_change', example: '0x33' }) value?: string;
  @ApiPropertyOptional({ description: 'only for mask_equals', example: '0xff' }) mask?: string;
  @ApiPropertyOptional({ description: 'poll interval with a unit, 100us to 1h; required unless mode is ftrace, refused with it (no timer runs)', example: '30ms' }) interval?: string;
  @ApiPropertyOptional({ enum: WATCH_MODES, default: 'timer', description: 'timer: poll every interval; ftrace: check on entry to each of funcs; both. Hosts whose capabilities lack the mode wait as unsupported' }) mode?: string;
  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_FUNCS,
    description: `kernel function names (at most ${MAX_FUNC_NAME_LENGTH} characters each, 700 joined); required for mode ftrace or both, refused for timer`,
    example: ['memset'],
  })
  funcs?: string[];
  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 1, maximum: MAX_RATE, description: 'hits per second each host reports; the rest are counted as suppressed. null or absent: no limit' }) rate?: number | null;
  @ApiPropertyOptional({ enum: ACTIONS, default: 'report' }) action?: string;
  @ApiProperty({ description: 'exactly one of ids (host ids) or selector (label selector)', example: { selector: 'rack=r12' } })
  hosts!: { ids: string[] } | { selector: string };
  @ApiPropertyOptional({ nullable: true, format: 'date-time', description: 'ends the watch as expired' }) expires_at?: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'fleet-wide hit budget; ends the watch as exhausted' }) max_hits?: number | null;
  @ApiPropertyOptional({ nullable: true, format: 'date-time', description: 'placed nowhere before this time' }) starts_at?: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'a host that stored this many hits of the watch drops it' }) max_hits_per_host?: number | null;
  @ApiPropertyOptional({
    default: false,
    description: 'report/stack only: after a hit is stored, crash the host into kdump (budgeted; the agent must allow it). Destructive: one canary host unless rollout.allow_wide_destructive',
  })
  kdump_on_hit?: boolean;
  @ApiPropertyOptional({ type: () => RolloutDto }) rollout?: RolloutDto;
}

export class PhaseCountsDto {
  @ApiProperty() pending!: number;
  @ApiProperty() armed!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() disarmed!: number;
}

export class AssignmentDto {
  @ApiProperty() host_id!: string;
  @ApiProperty({ enum: ASSIGNMENT_PHASES }) phase!: string;
  @ApiProperty({ nullable: true, type: String, example: '0x2a0e000' }) resolved_paddr!: string | null;
  @ApiProperty({ nullable: true, enum: ['ram', 'mmio'] }) memory_kind!: string | null;
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class WatchDto extends WatchSpecDto {
  @ApiProperty({ example: '12' }) id!: string;
  @ApiProperty({ enum: WATCH_STATES }) state!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) ended_at!: string | null;
  @ApiProperty({ type: PhaseCountsDto }) counts!: PhaseCountsDto;
}

export class WatchDetailDto extends WatchDto {
  @ApiProperty({ type: [AssignmentDto], description: 'where the watch stands on each host it was placed on' })
  assignments!: AssignmentDto[];
}

export class WatchListDto {
  @ApiProperty({ type: [WatchDto] }) items!: WatchDto[];
}

export class WatchWaitDto {
  @ApiProperty() host_id!: string;
  @ApiProperty({ enum: WAIT_REASONS }) reason!: string;
  @ApiProperty({ example: 'waiting for canaries: 0 of 1 armed' }) message!: string;
}

export class WatchPreviewDto {
  @ApiProperty({ enum: [true] }) dry_run!: true;
  @ApiProperty({ type: () => WatchSpecDto, description: 'the spec as it would be stored, defaults filled in' }) spec!: WatchSpecDto;
  @ApiProperty({ type: [String], description: 'hosts the first pass would place it on (the canary first, when it has one)' }) placed!: string[];
  @ApiProperty({ type: [WatchWaitDto], description: 'every other selected host, with why it would wait' }) waiting!: WatchWaitDto[];
}
