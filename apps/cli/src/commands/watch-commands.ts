/** `physwatch watch create|get|list|describe|stop`. */
import type { ListView, WatchDetailView, WatchView } from '@physwatch/core';
import { Command, Option } from 'commander';
import type { CliIo } from '../io';
import { describeWatch, watchesTable } from '../output/watch-table';
import { commandContext } from './global-options';
import { addWatchCreate } from './watch-create';

const WATCH_STATES = ['active', 'stopped', 'expired', 'exhausted'];

const watchPath = (id: string) => `/api/v1/watches/${encodeURIComponent(id)}`;

export function addWatchCommands(program: Command, io: CliIo): void {
  const watch = program.command('watch').description('create, inspect and stop watches');
  addWatchCreate(watch, io);

  watch
    .command('get')
    .description('one watch, with its counts of armed, pending and failed hosts')
    .argument('<id>', 'watch id')
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const w = await ctx.client.get<WatchDetailView>(watchPath(id));
      ctx.print(w, () => watchesTable([w]));
    });

  watch
    .command('list')
    .description('watches, newest first')
    .addOption(new Option('--state <state>', 'only watches in this state').choices(WATCH_STATES))
    .action(async (flags: { state?: string }, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const { items } = await ctx.client.get<ListView<WatchView>>('/api/v1/watches', { query: { state: flags.state } });
      ctx.print(items, () => (items.length === 0 ? 'No watches.\n' : watchesTable(items)));
    });

  watch
    .command('describe')
    .description('a watch in full: spec, per-host states and reasons, counts')
    .argument('<id>', 'watch id')
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const w = await ctx.client.get<WatchDetailView>(watchPath(id));
      ctx.print(w, () => describeWatch(w));
    });

  watch
    .command('stop')
    .description('stop a watch on every host (an ended watch is left as it is)')
    .argument('<id>', 'watch id')
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const w = await ctx.client.post<WatchView>(`${watchPath(id)}/stop`);
      ctx.print(w, () => watchesTable([w]));
    });
}
