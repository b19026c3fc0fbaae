import { ApiProperty } from '@nestjs/swagger';
import { AssignmentDto } from '../watches/watch.openapi';

export class HostWatchDto extends AssignmentDto {
  @ApiProperty() watch_id!: string;
}

export class HostKdumpDto {
  @ApiProperty({ description: 'a crash kernel is loaded (kexec_crash_loaded is 1)' }) crash_kernel_loaded!: boolean;
  @ApiProperty({ description: "the agent's local policy (kdump.allowCrash) lets the orchestrator crash the host" }) crash_allowed!: boolean;
  @ApiProperty({ example: '/etc/physwatch/agent.json' }) policy_source!: string;
}

export class HostDto {
  @ApiProperty() id!: string;
  @ApiProperty() hostname!: string;
  @ApiProperty() boot_id!: string;
  @ApiProperty() kernel_release!: string;
  @ApiProperty() arch!: string;
  @ApiProperty() agent_version!: string;
  @ApiProperty({
    type: 'object', additionalProperties: { type: 'string' }, example: { rack: 'r12', env: 'prod' },
    description: "what placement matches: host_labels and operator_labels merged, the operator's value winning on a key both set",
  })
  labels!: Record<string, string>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { rack: 'r12' }, description: "source host: as the host's last Hello reported them" })
  host_labels!: Record<string, string>;
  @ApiProperty({
    type: 'object', additionalProperties: { type: 'string' }, example: { env: 'prod' },
    description: 'source operator: set with PUT /api/v1/hosts/{id}/labels or by the enrollment token the host joined with',
  })
  operator_labels!: Record<string, string>;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'as the agent reported them in Hello' }) capabilities!: object;
  @ApiProperty({ type: HostKdumpDto, nullable: true, description: 'kdump readiness from the last Hello; null when the agent sent none' })
  kdump!: HostKdumpDto | null;
  @ApiProperty({ description: 'connected, and heard from within HOST_OFFLINE_AFTER_MS' }) online!: boolean;
  @ApiProperty() connected!: boolean;
  @ApiProperty({ format: 'date-time' }) first_seen_at!: string;
  @ApiProperty({ format: 'date-time' }) last_seen_at!: string;
  @ApiProperty() desired_generation!: string;
  @ApiProperty() applied_generation!: string;
  @ApiProperty({ type: [HostWatchDto] }) watches!: HostWatchDto[];
}

export class HostLabelsBodyDto {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { env: 'prod', pool: 'db' }, description: "replaces the host's operator labels; {} clears them" })
  labels!: Record<string, string>;
}

export class HostListDto {
  @ApiProperty({ type: [HostDto] }) items!: HostDto[];
}
