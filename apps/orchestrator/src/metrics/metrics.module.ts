import { Global, Module } from '@nestjs/common';
import { FleetGauges } from './fleet-gauges';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Global()
@Module({ controllers: [MetricsController], providers: [MetricsService, FleetGauges], exports: [MetricsService] })
export class MetricsModule {}
