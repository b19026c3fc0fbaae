import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiForbiddenResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { AuditEntryView, PageView } from '@physwatch/core';
import { AuditRepository } from '@physwatch/db';
import { ErrorDto } from '../common/openapi-errors';
import { keysetPage } from '../common/query-reader';
import { Access } from './access';
import { AuditPageDto } from './auth.openapi';
import { AUDIT_CURSOR, MAX_LIMIT, parseAuditQuery } from './audit-query';
import { auditJson } from './audit.view';

@ApiTags('audit')
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditRepository) {}

  @Get()
  @Access({ role: 'admin', what: 'reading the audit log' })
  @ApiQuery({ name: 'since', required: false, type: String, format: 'date-time', description: 'ISO 8601, inclusive, on at' })
  @ApiQuery({ name: 'until', required: false, type: String, format: 'date-time', description: 'ISO 8601, exclusive, on at' })
  @ApiQuery({ name: 'action', required: false, type: String, description: 'e.g. watch.create, token.revoke' })
  @ApiQuery({ name: 'token_id', required: false, type: String })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: `1 to ${MAX_LIMIT}, default 100` })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: 'next_cursor of the previous page' })
  @ApiOkResponse({ type: AuditPageDto, description: 'newest first' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_query, with every bad parameter' })
  @ApiForbiddenResponse({ type: ErrorDto, description: 'admin only' })
  async list(@Query() query: Record<string, unknown>): Promise<PageView<AuditEntryView>> {
    const filter = parseAuditQuery(query);
    const rows = await this.audit.list({ ...filter, limit: filter.limit + 1 });
    return keysetPage(rows, filter.limit, AUDIT_CURSOR, auditJson);
  }
}
