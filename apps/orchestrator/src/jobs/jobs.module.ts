import { DynamicModule, Global, Module } from '@nestjs/common';
import type { JobDefinition } from './job-definition';
import { JOB_DEFINITIONS, JobsService } from './jobs.service';

@Global()
@Module({})
export class JobsModule {
  /** `definitions`: every job type the app runs; JobsService checks each has exactly one handler. */
  static forRoot(definitions: ReadonlyArray<JobDefinition<never>>): DynamicModule {
    return {
      module: JobsModule,
      providers: [{ provide: JOB_DEFINITIONS, useValue: definitions }, JobsService],
      exports: [JobsService],
    };
  }
}
