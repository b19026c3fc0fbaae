import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { ListView, NewTokenView, TokenView } from '@physwatch/core';
import { ErrorDto } from '../common/openapi-errors';
import { Access, Caller, Principal } from './access';
import { Audit, AuditTrail } from './audit-entry';
import { NewTokenDto, TokenDto, TokenListDto, TokenWithSecretDto } from './auth.openapi';
import { TokensService } from './tokens.service';

@ApiTags('tokens')
@ApiForbiddenResponse({ type: ErrorDto, description: 'admin only' })
@Controller('api/v1/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @Access({ role: 'admin', action: 'token.create', what: 'creating a token' })
  @ApiBody({ type: NewTokenDto })
  @ApiCreatedResponse({ type: TokenWithSecretDto, description: 'the token, with its secret shown this once' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_request, with every bad field' })
  create(@Body() body: unknown, @Caller() caller: Principal, @Audit() audit: AuditTrail): Promise<NewTokenView> {
    return this.tokens.create(body, caller, audit);
  }

  @Get()
  @Access({ role: 'admin', what: 'listing tokens' })
  @ApiOkResponse({ type: TokenListDto, description: 'newest first, revoked ones included; never a secret or a hash' })
  async list(): Promise<ListView<TokenView>> {
    return { items: await this.tokens.list() };
  }

  @Delete(':id')
  @HttpCode(200)
  @Access({ role: 'admin', action: 'token.revoke', what: 'revoking a token' })
  @ApiOkResponse({ type: TokenDto, description: 'the token, revoked (revoking it again returns it unchanged)' })
  @ApiNotFoundResponse({ type: ErrorDto })
  revoke(@Param('id') id: string, @Caller() caller: Principal, @Audit() audit: AuditTrail): Promise<TokenView> {
    return this.tokens.revoke(id, caller, audit);
  }
}
