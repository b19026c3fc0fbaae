import { ApiProperty } from '@nestjs/swagger';

export class HitBucketDto {
  @ApiProperty({ format: 'date-time', description: 'bucket start, aligned to multiples of the bucket size since the Unix epoch' }) t!: string;
  @ApiProperty() watch_id!: string;
  @ApiProperty() hits!: number;
}

export class OverviewDto {
  @ApiProperty({ format: 'date-time', description: 'as asked (default: until - 24 h); the first bucket starts at since rounded down' }) since!: string;
  @ApiProperty({ format: 'date-time', description: 'as asked (default: now)' }) until!: string;
  @ApiProperty({ example: '1h' }) bucket!: string;
  @ApiProperty({ example: 3600 }) bucket_seconds!: number;
  @ApiProperty({ type: [HitBucketDto], description: 'non-zero buckets only, by time then watch' }) buckets!: HitBucketDto[];
  @ApiProperty() hits_total!: number;
  @ApiProperty() watches_active!: number;
  @ApiProperty() hosts_online!: number;
  @ApiProperty() hosts_offline!: number;
}

export class HitGroupDto {
  @ApiProperty({ type: String, nullable: true, description: "the label's value; null for hosts without it" }) value!: string | null;
  @ApiProperty({ description: 'hosts of the group the watch was placed on' }) hosts!: number;
  @ApiProperty({ description: 'of those, hosts with at least one hit' }) hit_hosts!: number;
  @ApiProperty() hits!: number;
  @ApiProperty({ description: 'hit_hosts / hosts' }) hit_rate!: number;
  @ApiProperty({ description: 'hits / hosts' }) hits_per_host!: number;
}

export class HitGroupHostDto {
  @ApiProperty() host_id!: string;
  @ApiProperty({ type: String, nullable: true }) value!: string | null;
  @ApiProperty() hits!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_hit_at!: string | null;
}

export class HitGroupsDto {
  @ApiProperty() watch_id!: string;
  @ApiProperty({ example: 'dmi.bios.version' }) by!: string;
  @ApiProperty({ type: [HitGroupDto], description: 'highest hit_rate first' }) groups!: HitGroupDto[];
  @ApiProperty({ type: [HitGroupHostDto] }) hosts!: HitGroupHostDto[];
  @ApiProperty({ type: [String], description: 'label keys set on the hosts the watch was placed on' }) keys!: string[];
}

export class CulpritValueDto {
  @ApiProperty() key!: string;
  @ApiProperty() value!: string;
}

export class CulpritDto {
  @ApiProperty({ example: 'dmi.bios.version' }) key!: string;
  @ApiProperty({ example: '2.1.3' }) value!: string;
  @ApiProperty({ description: 'hosts with the value that have a hit' }) hit_with!: number;
  @ApiProperty({ description: 'hosts with the value and no hit' }) clean_with!: number;
  @ApiProperty({ description: 'hosts without the value (another value or no such label) that have a hit' }) hit_without!: number;
  @ApiProperty({ description: 'hosts without the value and no hit' }) clean_without!: number;
  @ApiProperty({ description: 'hits stored from the hosts with the value' }) hits!: number;
  @ApiProperty({ description: 'one-sided Fisher exact test: P(at least hit_with hit hosts among the hosts with the value), margins fixed' }) p!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'hit rate with the value / hit rate without; null when infinite (hit_without = 0) or undefined' }) rate_ratio!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: '(hit_with·clean_without)/(clean_with·hit_without); null when infinite or undefined' }) odds_ratio!: number | null;
  @ApiProperty({ type: CulpritValueDto, nullable: true, description: 'a value ranked above that this one is over-represented only alongside' }) explained_by!: CulpritValueDto | null;
  @ApiProperty({ type: Number, nullable: true, description: 'the same test among the hosts lacking every leader ranked above' }) p_without_leaders!: number | null;
}

export class CulpritsDto {
  @ApiProperty({ enum: ['watch', 'hunt'] }) scope!: 'watch' | 'hunt';
  @ApiProperty() id!: string;
  @ApiProperty() hosts!: number;
  @ApiProperty() hit_hosts!: number;
  @ApiProperty({ description: 'values tested: the Bonferroni divisor' }) values_tested!: number;
  @ApiProperty({ example: 0.05 }) alpha!: number;
  @ApiProperty({ type: [CulpritDto], description: 'smallest p first, then the larger rate ratio; at most limit' }) culprits!: CulpritDto[];
}
