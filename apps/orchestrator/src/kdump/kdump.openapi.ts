import { ApiProperty } from '@nestjs/swagger';
import { KDUMP_STATES } from '@physwatch/db';

export class VmcoreDto {
  @ApiProperty({ example: '3' }) id!: string;
  @ApiProperty() host_id!: string;
  @ApiProperty({ description: 'the boot the dump is from; empty when the agent could not tell' }) crashed_boot_id!: string;
  @ApiProperty({ type: String, nullable: true }) watch_id!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'the hit the crash is about' }) hit_id!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'the kdump job that crashed the host, if one did' }) kdump_job_id!: string | null;
  @ApiProperty({ example: '/var/crash/202611261200/dump.202611261200' }) path!: string;
  @ApiProperty({ enum: ['kdump-tools', 'rhel'] }) layout!: string;
  @ApiProperty({ enum: ['kdump-compressed', 'elf', 'unknown'] }) format!: string;
  @ApiProperty({ description: 'decimal string' }) size_bytes!: string;
  @ApiProperty() sha256!: string;
  @ApiProperty({ description: 'makedumpfile -d; -1 when the file does not record it' }) dump_level!: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) crash_time!: string | null;
  @ApiProperty() kernel_release!: string;
  @ApiProperty() dmesg_path!: string;
  @ApiProperty({ description: 'the tail of the saved dmesg' }) dmesg_excerpt!: string;
  @ApiProperty({ type: String, nullable: true }) crash_request_id!: string | null;
  @ApiProperty({ format: 'date-time' }) received_at!: string;
}

export class VmcorePageDto {
  @ApiProperty({ type: [VmcoreDto] }) items!: VmcoreDto[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as cursor for the next (older) page; null on the last page' })
  next_cursor!: string | null;
}

export class KdumpJobDto {
  @ApiProperty({ example: 'kdump-1042', description: 'kdump-<hit id>; also the CrashRequest id' }) id!: string;
  @ApiProperty() hit_id!: string;
  @ApiProperty() watch_id!: string;
  @ApiProperty() host_id!: string;
  @ApiProperty({ enum: KDUMP_STATES }) state!: string;
  @ApiProperty({ description: 'why it is deferred, denied, expired or failed' }) reason!: string;
  @ApiProperty({ type: String, nullable: true }) boot_before!: string | null;
  @ApiProperty({ type: String, nullable: true }) boot_after!: string | null;
  @ApiProperty({ type: String, nullable: true }) vmcore_id!: string | null;
  @ApiProperty({ description: 'CrashRequests sent' }) attempts!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) triggered_at!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) rebooted_at!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) finished_at!: string | null;
  @ApiProperty({ format: 'date-time', description: 'still deferred at this time: expired' }) defer_until!: string;
}

export class KdumpJobListDto {
  @ApiProperty({ type: [KdumpJobDto] }) items!: KdumpJobDto[];
}
