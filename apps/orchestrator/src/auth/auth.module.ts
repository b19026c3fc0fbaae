import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessGuard } from './access.guard';
import { AuditController } from './audit.controller';
import { TokensController } from './tokens.controller';
import { TokensService } from './tokens.service';

/** Tokens, roles (the global AccessGuard) and the audit log; the Fastify hooks are in auth-hooks.ts. */
@Module({
  controllers: [TokensController, AuditController],
  providers: [TokensService, { provide: APP_GUARD, useClass: AccessGuard }],
  exports: [TokensService],
})
export class AuthModule {}
