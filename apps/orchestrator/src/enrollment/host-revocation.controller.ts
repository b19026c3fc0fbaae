import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { HostRevocationView } from '@physwatch/core';
import { ErrorDto } from '../common/openapi-errors';
import { Access, Caller, Principal } from '../auth/access';
import { Audit, AuditTrail } from '../auth/audit-entry';
import { AgentIdentityService } from './agent-identity.service';
import { HostRevocationDto } from './enrollment.openapi';

@ApiTags('hosts')
@Controller('api/v1/hosts')
export class HostRevocationController {
  constructor(private readonly identity: AgentIdentityService) {}

  @Post(':id/revoke')
  @HttpCode(200)
  @Access({ role: 'admin', action: 'host.revoke', what: 'revoking a host' })
  @ApiOkResponse({ type: HostRevocationDto, description: 'revoked: its stream is closed on whichever replica holds it, and it cannot connect or renew until it enrolls again' })
  @ApiForbiddenResponse({ type: ErrorDto, description: 'admin only' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'no host with this id ever enrolled' })
  revoke(@Param('id') id: string, @Caller() caller: Principal, @Audit() audit: AuditTrail): Promise<HostRevocationView> {
    return this.identity.revokeHost(id, caller, audit);
  }
}
