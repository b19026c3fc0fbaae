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
