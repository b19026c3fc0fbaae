import { ApiProperty } from '@nestjs/swagger';

export class NewEnrollmentTokenDto {
  @ApiProperty({ example: 'rack-12', description: '1 to 128 characters' }) name!: string;
  @ApiProperty({ required: false, example: '24h', description: '<n>s, <n>m, <n>h or <n>d, 1s to 366d; default 24h' }) expires_in?: string;
  @ApiProperty({ required: false, example: 10, description: 'hosts it may enroll, 1 to 1000000; default 1' }) max_uses?: number;
  @ApiProperty({ required: false, type: Object, additionalProperties: { type: 'string' }, example: { env: 'prod', pool: 'db' }, description: 'operator labels every host enrolled with it gets' })
  labels?: Record<string, string>;
}

export class EnrollmentTokenDto {
  @ApiProperty({ example: '3' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: 'pwe_3f9a2b1c', description: "the token's public part" }) prefix!: string;
  @ApiProperty({ type: Object, additionalProperties: { type: 'string' } }) labels!: Record<string, string>;
  @ApiProperty() max_uses!: number;
  @ApiProperty() uses!: number;
  @ApiProperty({ format: 'date-time' }) expires_at!: string;
  @ApiProperty({ type: String, nullable: true }) created_by_token_id!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) revoked_at!: string | null;
  @ApiProperty({ enum: ['active', 'expired', 'used_up', 'revoked'] }) state!: string;
}

export class EnrollmentTokenWithSecretDto extends EnrollmentTokenDto {
  @ApiProperty({ example: 'pwe_3f9a2b1c_…', description: 'the secret: shown in this answer only, never again' }) token!: string;
}

export class EnrollmentTokenListDto {
  @ApiProperty({ type: [EnrollmentTokenDto] }) items!: EnrollmentTokenDto[];
}

export class HostRevocationDto {
  @ApiProperty() host_id!: string;
  @ApiProperty({ format: 'date-time' }) revoked_at!: string;
  @ApiProperty({ description: 'certificates of this host that were still valid' }) certificates_revoked!: number;
  @ApiProperty({ format: 'date-time' }) enrolled_at!: string;
}
