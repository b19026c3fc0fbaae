import type { ServerResponse } from 'node:http';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { LiveEvent } from '@physwatch/core';
import { Listener } from '@physwatch/db';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { Logger, LOGGER } from '../config/logger';
import { decodeLiveEvent, eventsChannel, mergeLiveEvents } from './live-event';

const FLUSH_MS = 200;
// Proxies and load balancers drop a connection that stays silent; a comment line keeps it open.
const KEEPALIVE_MS = 15_000;

/**
 * Fans the events channel (NOTIFYs from migration 0005's triggers, through the same
 * Listener the desired-state bus uses) out to every open GET /api/v1/events stream, in
 * bursts folded every FLUSH_MS. Each replica listens for itself, so a browser on any
 * replica hears changes made through all of them.
 */
@Injectable()
export class EventsService implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly streams = new Set<ServerResponse>();
  private readonly channel: string;
  private listener: Listener | null = null;
  private pending: LiveEvent[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private keepalive: NodeJS.Timeout | null = null;

  constructor(@Inject(CONFIG) private readonly config: OrchestratorConfig, @Inject(LOGGER) private readonly logger: Logger) {
    this.channel = eventsChannel(config.databaseSchema);
  }

  async onModuleInit(): Promise<void> {
    this.listener = new Listener({
      url: this.config.databaseUrl,
      channel: this.channel,
      onNotification: (payload) => {
        const event = decodeLiveEvent(payload);
        if (event) this.queue(event);
        else this.logger.warn({ payload }, 'ignored a live event that does not parse');
      },
      onReconnect: () => this.queue({ kind: 'resync' }),
      onError: (err) => this.logger.warn({ err: err.message, channel: this.channel }, 'live events listener lost its connection'),
    });
    await this.listener.start();
    this.keepalive = setInterval(() => this.write(': keepalive\n\n'), KEEPALIVE_MS);
  }

  /** Starts streaming to an open response; it leaves the set when the client goes away. */
  attach(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n: connected\n\n');
    this.streams.add(res);
    res.on('close', () => this.streams.delete(res));
  }

  get streamCount(): number {
    return this.streams.size;
  }

  private queue(event: LiveEvent): void {
    this.pending.push(event);
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    this.flushTimer = null;
    const events = mergeLiveEvents(this.pending);
    this.pending = [];
    for (const event of events) this.write(`data: ${JSON.stringify(event)}\n\n`);
  }

  private write(chunk: string): void {
    for (const res of this.streams) res.write(chunk);
  }

  /** Before the HTTP server closes: it would otherwise wait for these never-ending answers. */
  beforeApplicationShutdown(): void {
    for (const res of this.streams) res.end();
    this.streams.clear();
    if (this.keepalive) clearInterval(this.keepalive);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.keepalive = this.flushTimer = null;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.close();
  }
}
