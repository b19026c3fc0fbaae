/** `physwatch watch create|get|list|describe|stop|pause|resume|hosts`. */
import type { ListView, WatchDetailView, WatchHostsView, WatchView } from '@physwatch/core';
import { Command, Option } from 'commander';
import { watchIdArgument } from '../flag-values';
import type { CliIo } from '../io';
import { watchHostsTable } from '../output/watch-hosts-table';
import { describeWatch, watchesTable } from '../output/watch-table';
import { confirmResume } from '../watch/destructive';
import { commandContext } from './global-options';
import { addWatchCreate } from './watch-create';

const WATCH_STATES = ['active', 'stopped', 'expired', 'exhausted'];

const watchPath = (id: string) => `/api/v1/watches/${encodeURIComponent(id)}`;

export function addWatchCommands(program: Command, io: CliIo): void {
  const watch = program.command('watch').description('create, inspect, pause, resume and stop watches');
  addWatchCreate(watch, io);

  watch
    .command('get')
    .description('one watch, with its counts of armed, pending and failed hosts')
    .argument('<id>', 'watch id')
    .action(async (text: string, _flags: unknown, cmd: Command) => {
      const id = watchIdArgument(text);
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
    .action(async (text: string, _flags: unknown, cmd: Command) => {
      const id = watchIdArgument(text);
      const ctx = commandContext(cmd, io);
      const w = await ctx.client.get<WatchDetailView>(watchPath(id));
      ctx.print(w, () => describeWatch(w));
    });

  watch
    .command('stop')
    .description('stop a watch on every host (an ended watch is left as it is)')
    .argument('<id>', 'watch id')
    .action(async (text: string, _flags: unknown, cmd: Command) => {
      const id = watchIdArgument(text);
      const ctx = commandContext(cmd, io);
      const w = await ctx.client.post<WatchView>(`${watchPath(id)}/stop`);
      ctx.print(w, () => watchesTable([w]));
    });

  watch
    .command('pause')
    .description('pause a watch\'s rollout: hosts that have it keep it, no host is added')
    .argument('<id>', 'watch id')
    .action(async (text: string, _flags: unknown, cmd: Command) => {
      const id = watchIdArgument(text);
      const ctx = commandContext(cmd, io);
      const w = await ctx.client.post<WatchView>(`${watchPath(id)}/pause`);
      ctx.print(w, () => watchesTable([w]));
    });

  watch
    .command('resume')
    .description('resume a paused rollout (a panic/hang/kdump-on-hit watch asks first, and needs an admin token)')
    .argument('<id>', 'watch id')
    .option('--yes', 'do not ask before resuming a watch that takes hosts down (panic, hang, kdump_on_hit)')
    .action(async (text: string, flags: { yes?: boolean }, cmd: Command) => {
      const id = watchIdArgument(text);
      const ctx = commandContext(cmd, io);
      // Without --yes the watch is read first: only a paused destructive one asks.
      if (!flags.yes) await confirmResume(await ctx.client.get<WatchView>(watchPath(id)), io);
      const w = await ctx.client.post<WatchView>(`${watchPath(id)}/resume`);
      ctx.print(w, () => watchesTable([w]));
    });

  watch
    .command('hosts')
    .description('where a watch stands on each host it selects: armed (paddr), failed (reason), pending (reason), offline')
    .argument('<id>', 'watch id')
    .action(async (text: string, _flags: unknown, cmd: Command) => {
      const id = watchIdArgument(text);
      const ctx = commandContext(cmd, io);
      const view = await ctx.client.get<WatchHostsView>(`${watchPath(id)}/hosts`);
      ctx.print(view, () => watchHostsTable(view));
    });
}
