import { Module } from '@nestjs/common';
import { DesiredStateBus } from './desired-state.bus';

@Module({ providers: [DesiredStateBus], exports: [DesiredStateBus] })
export class DesiredStateModule {}
