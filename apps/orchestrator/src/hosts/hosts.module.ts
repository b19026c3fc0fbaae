import { Module } from '@nestjs/common';
import { HostsController } from './hosts.controller';

@Module({ controllers: [HostsController] })
export class HostsModule {}
