import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HUNT_STATES } from '@physwatch/db';

/** OpenAPI description only: bodies are validated by parseHuntSpec, which names every bad field. */
export class HuntSpecDto {
  @ApiPropertyOptional({ nullable: true, maxLength: 160 }) name?: string | null;
  @ApiProperty({ description: 'as a watch: exactly one of paddr or symbol', example: { symbol: 'empty_zero_page' } }) target!: object;
  @ApiProperty({ example: 8 }) width!: number;
  @ApiPropertyOptional() len?: number;
  @ApiProperty({ example: 'any_change' }) condition!: string;
  @ApiPropertyOptional() value?: string;
  @ApiPropertyOptional() mask?: string;
  @ApiProperty({ description: 'the fleet: ids or selector, as a watch', example: { selector: 'pool=arm64' } }) hosts!: object;
  @ApiPropertyOptional({ type: [String], description: 'host label keys: a host that advances pulls every host sharing its values', example: ['dmi.bios.version'] })
  cohort?: string[];
  @ApiPropertyOptional({ default: 10000, description: 'per host, the most the hunt\'s polling may cost, millionths of a CPU (from the module\'s poll_ns_avg)' })
  budget_ppm?: number;
  @ApiPropertyOptional({ type: [String], description: 'default ladder only: functions its ftrace stage checks at entry' }) funcs?: string[];
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object' },
    description: 'the ladder; each stage: interval, mode, funcs, rate, action, kdump_on_hit, rollout (as a watch), advance {after_hits, bracket_stalled}. Default: 30ms → 1ms → 100us → [ftrace on funcs] → stack → one kdump',
  })
  stages?: object[];
}

export class HuntChoiceDto {
  @ApiPropertyOptional({ type: [String] }) host_ids?: string[];
  @ApiPropertyOptional({ description: 'every host of the hunt with these label values', example: { 'dmi.bios.version': '1.2' } }) cohort?: Record<string, string>;
}

export class HuntHoldDto extends HuntChoiceDto {
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'hold the whole hunt at this stage (null releases)' }) stage?: number | null;
  @ApiPropertyOptional({ default: false, description: 'release the named hosts (or the hunt) instead of holding' }) release?: boolean;
}

export class HuntDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: HUNT_STATES }) state!: string;
  @ApiProperty({ nullable: true, type: Number }) held_stage!: number | null;
  @ApiProperty({ nullable: true, type: String }) created_by!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) ended_at!: string | null;
  @ApiProperty({ type: HuntSpecDto }) spec!: HuntSpecDto;
  @ApiProperty({ type: [Number], description: 'hosts standing at each stage' }) stage_counts!: number[];
}

export class HuntDetailDto extends HuntDto {
  @ApiProperty({ type: [String] }) cohort!: string[];
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'index, spec, watch_id (the active one), watch_ids (every one it has had, oldest first), hosts' }) stages!: object[];
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'host_id, stage, held, entered_at, hits_at_stage, bracket_median_ns, poll_ns_avg, cohort' }) hosts!: object[];
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'at, kind, host_id, from_stage, to_stage, reason, actor' }) timeline!: object[];
}

export class HuntListDto {
  @ApiProperty({ type: [HuntDto] }) items!: HuntDto[];
}
