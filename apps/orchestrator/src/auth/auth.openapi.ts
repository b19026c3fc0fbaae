import { ApiProperty } from '@nestjs/swagger';
import { ROLES } from '@physwatch/core';

export class NewTokenDto {
  @ApiProperty({ example: 'alice', description: '1 to 128 characters' }) name!: string;
  @ApiProperty({ enum: ROLES, description: 'viewer: reads; operator: report/stack watches; admin: destructive watches and tokens' }) role!: string;
}

export class TokenDto {
  @ApiProperty({ example: '4' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiProperty({ example: 'pw_3f9a2b1c', description: "the token's public part; empty for the bootstrap token" }) prefix!: string;
  @ApiProperty({ description: 'set from PHYSWATCH_ADMIN_TOKEN at start' }) bootstrap!: boolean;
  @ApiProperty({ type: String, nullable: true }) created_by_token_id!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'recorded at most once a minute' }) last_used_at!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) revoked_at!: string | null;
}

export class TokenWithSecretDto extends TokenDto {
  @ApiProperty({ example: 'pw_3f9a2b1c_…', description: 'the secret: shown in this answer only, never again' }) token!: string;
}

export class TokenListDto {
  @ApiProperty({ type: [TokenDto] }) items!: TokenDto[];
}

export class AuditEntryDto {
  @ApiProperty({ example: '17' }) id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: String, nullable: true, description: 'null when the request carried no accepted token' }) token_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) token_name!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ROLES }) token_role!: string | null;
  @ApiProperty({ example: 'watch.create' }) action!: string;
  @ApiProperty({ type: String, nullable: true, description: 'the id acted on (watch, token)' }) target!: string | null;
  @ApiProperty({ example: '10.0.0.7' }) source_ip!: string;
  @ApiProperty({ example: 'POST' }) method!: string;
  @ApiProperty({ example: '/api/v1/watches' }) path!: string;
  @ApiProperty({ type: Object, nullable: true, description: 'the request body, secrets redacted' }) request_body!: unknown;
  @ApiProperty({ example: 201 }) status!: number;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items!: AuditEntryDto[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as cursor for the next (older) page; null on the last page' })
  next_cursor!: string | null;
}
