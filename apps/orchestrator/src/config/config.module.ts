import { DynamicModule, Global, Module } from '@nestjs/common';
import { CONFIG, OrchestratorConfig } from './config';
import { Logger, LOGGER } from './logger';

/** The validated configuration and the logger, available everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: OrchestratorConfig, logger: Logger): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
      ],
      exports: [CONFIG, LOGGER],
    };
  }
}
