import { Module } from '@nestjs/common';
import { DesiredStateModule } from '../desired-state/desired-state.module';
import { EnrollmentModule } from '../enrollment/enrollment.module';
import { HitsModule } from '../hits/hits.module';
import { KdumpModule } from '../kdump/kdump.module';
import { WatchesModule } from '../watches/watches.module';
import { AgentGatewayService } from './agent-gateway.service';
import { AgentGrpcServer } from './agent-grpc.server';
import { DesiredStateService } from './desired-state.service';
import { StateRecorder } from './state-recorder';

@Module({
  imports: [DesiredStateModule, EnrollmentModule, WatchesModule, HitsModule, KdumpModule],
  providers: [AgentGatewayService, AgentGrpcServer, DesiredStateService, StateRecorder],
  exports: [AgentGrpcServer],
})
export class AgentsModule {}
