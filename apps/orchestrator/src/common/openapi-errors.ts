import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI description of the error bodies HttpErrorFilter writes. */
export class FieldErrorDto {
  @ApiProperty({ example: 'target.paddr' }) field!: string;
  @ApiProperty({ example: '0x2a0e001 is not aligned to width 4' }) reason!: string;
}

export class ErrorDto {
  @ApiProperty({ enum: ['invalid_watch_spec', 'invalid_query', 'invalid_request', 'unauthenticated', 'forbidden', 'not_found', 'bad_request', 'body_too_large', 'unsupported_media_type', 'request_timeout', 'headers_too_large', 'too_many_requests', 'internal'] }) error!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldErrorDto[];
}
