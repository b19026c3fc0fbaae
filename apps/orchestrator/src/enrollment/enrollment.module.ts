import { Module } from '@nestjs/common';
import { DesiredStateModule } from '../desired-state/desired-state.module';
import { AgentIdentityService } from './agent-identity.service';
import { BootstrapEnrollment } from './bootstrap-enrollment';
import { EnrollmentTokensController } from './enrollment-tokens.controller';
import { EnrollmentTokensService } from './enrollment-tokens.service';
import { EnrollmentService } from './enrollment.service';
import { HostRevocationController } from './host-revocation.controller';
import { agentPkiProvider, AGENT_PKI } from './pki.provider';

/** Agent identity: the agent CA, enrollment tokens, issuing and renewing certificates, revoking hosts. */
@Module({
  imports: [DesiredStateModule],
  controllers: [EnrollmentTokensController, HostRevocationController],
  providers: [agentPkiProvider, EnrollmentService, EnrollmentTokensService, AgentIdentityService, BootstrapEnrollment],
  exports: [AGENT_PKI, EnrollmentService, AgentIdentityService],
})
export class EnrollmentModule {}
