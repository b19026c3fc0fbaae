import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Listener, Repositories } from '@physwatch/db';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { Logger, LOGGER } from '../config/logger';
import { decodeDesiredEvent, DESIRED_CHANNEL, DesiredEvent, encodeDesiredEvent } from './desired-event';

export type DesiredEventHandler = (event: DesiredEvent) => void;

/**
 * Desired-state changes between replicas, over Postgres LISTEN/NOTIFY. Publishing inside
 * the transaction that made the change means the event is delivered only if it committed.
 * The channel is per schema, so test runs sharing a database do not hear each other.
 */
@Injectable()
export class DesiredStateBus implements OnModuleInit, OnApplicationShutdown {
  private readonly channel: string;
  private readonly handlers: DesiredEventHandler[] = [];
  private readonly resyncHandlers: Array<() => void> = [];
  private listener: Listener | null = null;

  constructor(@Inject(CONFIG) private readonly config: OrchestratorConfig, @Inject(LOGGER) private readonly logger: Logger) {
    this.channel = config.databaseSchema === 'public' ? DESIRED_CHANNEL : `${DESIRED_CHANNEL}_${config.databaseSchema}`.slice(0, 63);
  }

  async publish(db: Pick<Repositories, 'notify'>, event: DesiredEvent): Promise<void> {
    await db.notify(this.channel, encodeDesiredEvent(event));
  }

  subscribe(handler: DesiredEventHandler): void {
    this.handlers.push(handler);
  }

  /** Called after the LISTEN connection came back: events may have been missed. */
  onResync(handler: () => void): void {
    this.resyncHandlers.push(handler);
  }

  async onModuleInit(): Promise<void> {
    this.listener = new Listener({
      url: this.config.databaseUrl,
      channel: this.channel,
      onNotification: (payload) => {
        const event = decodeDesiredEvent(payload);
        if (!event) {
          this.logger.warn({ payload }, 'ignored a desired-state event that does not parse');
          return;
        }
        for (const handler of this.handlers) handler(event);
      },
      onReconnect: () => {
        this.logger.info({ channel: this.channel }, 'desired-state listener reconnected; resending desired state');
        for (const handler of this.resyncHandlers) handler();
      },
      onError: (err) => this.logger.warn({ err: err.message, channel: this.channel }, 'desired-state listener lost its connection'),
    });
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.close();
  }
}
