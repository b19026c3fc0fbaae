import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { EnrollmentTokenView, ListView, NewEnrollmentTokenView } from '@physwatch/core';
import { ErrorDto } from '../common/openapi-errors';
import { Access, Caller, Principal } from '../auth/access';
import { Audit, AuditTrail } from '../auth/audit-entry';
import { EnrollmentTokenDto, EnrollmentTokenListDto, EnrollmentTokenWithSecretDto, NewEnrollmentTokenDto } from './enrollment.openapi';
import { EnrollmentTokensService } from './enrollment-tokens.service';

@ApiTags('enrollment')
@ApiForbiddenResponse({ type: ErrorDto, description: 'admin only' })
@Controller('api/v1/enrollment-tokens')
export class EnrollmentTokensController {
  constructor(private readonly tokens: EnrollmentTokensService) {}

  @Post()
  @Access({ role: 'admin', action: 'enrollment_token.create', what: 'creating an enrollment token' })
  @ApiBody({ type: NewEnrollmentTokenDto })
  @ApiCreatedResponse({ type: EnrollmentTokenWithSecretDto, description: 'the token, with its secret shown this once' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_request, with every bad field' })
  create(@Body() body: unknown, @Caller() caller: Principal, @Audit() audit: AuditTrail): Promise<NewEnrollmentTokenView> {
    return this.tokens.create(body, caller, audit);
  }

  @Get()
  @Access({ role: 'admin', what: 'listing enrollment tokens' })
  @ApiOkResponse({ type: EnrollmentTokenListDto, description: 'newest first, revoked, expired and used-up ones included; never a secret' })
  async list(): Promise<ListView<EnrollmentTokenView>> {
    return { items: await this.tokens.list() };
  }

  @Delete(':id')
  @HttpCode(200)
  @Access({ role: 'admin', action: 'enrollment_token.revoke', what: 'revoking an enrollment token' })
  @ApiOkResponse({ type: EnrollmentTokenDto, description: 'the token, revoked (hosts it enrolled keep their certificates)' })
  @ApiNotFoundResponse({ type: ErrorDto })
  revoke(@Param('id') id: string, @Caller() caller: Principal, @Audit() audit: AuditTrail): Promise<EnrollmentTokenView> {
    return this.tokens.revoke(id, caller, audit);
  }
}
