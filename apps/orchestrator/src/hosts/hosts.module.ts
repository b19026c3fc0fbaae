import { Module } from '@nestjs/common';
import { WatchesModule } from '../watches/watches.module';
import { HostsController } from './hosts.controller';
import { HostsService } from './hosts.service';

@Module({ imports: [WatchesModule], controllers: [HostsController], providers: [HostsService] })
export class HostsModule {}
