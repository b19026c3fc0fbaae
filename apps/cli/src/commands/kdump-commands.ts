/** `physwatch vmcores list` and `physwatch kdump list`. */
import type { KdumpJobView, ListView, VmcoreView } from '@physwatch/core';
import { Command } from 'commander';
import { listPages } from '../api/pages';
import { countFlag } from '../flag-values';
import type { CliIo } from '../io';
import { kdumpJobsTable, vmcoresTable } from '../output/kdump-table';
import { commandContext } from './global-options';

/** The states the server knows (docs/contracts.md, Kdump); checked there, named here for --help. */
const KDUMP_STATES = 'queued, deferred, triggering, awaiting_reboot, collecting, done, denied, expired, failed';

export function addKdumpCommands(program: Command, io: CliIo): void {
  program
    .command('vmcores')
    .description('crash dumps agents found, linked to host, watch and hit')
    .command('list')
    .description('stored vmcores, newest first')
    .option('--host <id>', 'only dumps of this host')
    .option('--watch <id>', 'only dumps linked to this watch')
    .option('--hit <id>', 'only dumps linked to this hit')
    .option('--limit <n>', 'at most this many', '100')
    .action(async (flags: { host?: string; watch?: string; hit?: string; limit?: string }, cmd: Command) => {
      const limit = countFlag('--limit', flags.limit ?? '100');
      const ctx = commandContext(cmd, io);
      const items = await listPages<VmcoreView>(ctx.client, '/api/v1/vmcores', { host_id: flags.host, watch_id: flags.watch, hit_id: flags.hit }, limit);
      ctx.print(items, () => (items.length === 0 ? 'No vmcores.\n' : vmcoresTable(items)));
    });

  program
    .command('kdump')
    .description('kdump jobs: hosts crashed on purpose for watches with kdump_on_hit')
    .command('list')
    .description('kdump jobs, newest first, with their state and why')
    .option('--state <state>', `one of ${KDUMP_STATES}`)
    .option('--host <id>', 'only jobs of this host')
    .option('--watch <id>', 'only jobs of this watch')
    .action(async (flags: { state?: string; host?: string; watch?: string }, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const { items } = await ctx.client.get<ListView<KdumpJobView>>('/api/v1/kdump-jobs', {
        query: { state: flags.state, host_id: flags.host, watch_id: flags.watch },
      });
      ctx.print(items, () => (items.length === 0 ? 'No kdump jobs.\n' : kdumpJobsTable(items)));
    });
}
