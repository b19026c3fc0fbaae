/** `physwatch hosts list|get|revoke`. */
import { matchesSelector, parseSelector, Requirement, SelectorSyntaxError } from '@physwatch/core';
import type { HostRevocationView, HostView, ListView } from '@physwatch/core';
import { Command } from 'commander';
import { BadInputError } from '../cli-error';
import type { CliIo } from '../io';
import { assignmentsTable } from '../output/assignment-table';
import { revocationText } from '../output/enrollment-table';
import { hostsTable } from '../output/host-table';
import { commandContext } from './global-options';

export function addHostsCommands(program: Command, io: CliIo): void {
  const hosts = program.command('hosts').description('hosts that have connected, their labels and watches');

  hosts
    .command('list')
    .description('hosts, optionally only those whose labels match a selector')
    .option('--selector <sel>', 'label selector with Kubernetes semantics, e.g. "rack=r12,platform!=x86"')
    .action(async (flags: { selector?: string }, cmd: Command) => {
      // Parsed before the request so a bad selector is exit 2 whatever the server's state.
      const requirements = flags.selector === undefined ? null : selectorFlag(flags.selector);
      const ctx = commandContext(cmd, io);
      const { items } = await ctx.client.get<ListView<HostView>>('/api/v1/hosts');
      // The API has no selector query yet; matching here uses the same rules as placement.
      const shown = requirements ? items.filter((h) => matchesSelector(requirements, h.labels)) : items;
      ctx.print(shown, () => (shown.length === 0 ? 'No hosts.\n' : hostsTable(shown)));
    });

  hosts
    .command('get')
    .description('one host, with the watches it holds')
    .argument('<id>', 'host id')
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const host = await ctx.client.get<HostView>(`/api/v1/hosts/${encodeURIComponent(id)}`);
      ctx.print(host, () => {
        if (host.watches.length === 0) return hostsTable([host]);
        return `${hostsTable([host])}\n${assignmentsTable('WATCH', host.watches.map((w) => [w.watch_id, w] as const))}`;
      });
    });

  hosts
    .command('revoke')
    .description('revoke a host (admin): its stream closes at once and it cannot connect or renew until it enrolls again')
    .argument('<id>', 'host id')
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const revoked = await ctx.client.post<HostRevocationView>(`/api/v1/hosts/${encodeURIComponent(id)}/revoke`, {});
      ctx.print(revoked, () => revocationText(revoked));
    });
}

function selectorFlag(text: string): Requirement[] {
  try {
    return parseSelector(text);
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw new BadInputError(`--selector: ${err.message}`);
    throw err;
  }
}
