/** `physwatch hosts list|get|label|revoke`. */
import { matchesSelector, parseSelector, Requirement, SelectorSyntaxError } from '@physwatch/core';
import type { HostRevocationView, HostView, ListView } from '@physwatch/core';
import { Command } from 'commander';
import { BadInputError } from '../cli-error';
import type { CliIo } from '../io';
import { assignmentsTable } from '../output/assignment-table';
import { revocationText } from '../output/enrollment-table';
import { hostLabelsTable, hostsTable } from '../output/host-table';
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
        const head = `${hostsTable([host])}\n${hostLabelsTable(host)}`;
        if (host.watches.length === 0) return head;
        return `${head}\n${assignmentsTable('WATCH', host.watches.map((w) => [w.watch_id, w] as const))}`;
      });
    });

  hosts
    .command('label')
    .description("set a host's operator labels (operator role, audited); they win over the host's own labels with the same key")
    .argument('<id>', 'host id')
    .argument('[labels...]', 'key=value to set, key- to remove')
    .option('--replace', 'replace every operator label with the ones given (none given: clear them)')
    .action(async (id: string, pairs: string[], flags: { replace?: boolean }, cmd: Command) => {
      // Checked before any request: a bad pair is exit 2 and nothing changes.
      const changes = labelChanges(pairs, flags.replace === true);
      const ctx = commandContext(cmd, io);
      const path = `/api/v1/hosts/${encodeURIComponent(id)}`;
      const current = flags.replace ? {} : (await ctx.client.get<HostView>(path)).operator_labels;
      const labels: Record<string, string> = { ...current, ...changes.set };
      for (const key of changes.remove) delete labels[key];
      const host = await ctx.client.put<HostView>(`${path}/labels`, { body: { labels }, describeField: (f) => f.replace(/^labels\["?([^"\]]*)"?\]$/, '$1') });
      ctx.print(host, () => hostLabelsTable(host));
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

/** `key=value` sets, `key-` removes; each must be one label a selector can name. */
export function labelChanges(pairs: readonly string[], replace: boolean): { set: Record<string, string>; remove: string[] } {
  if (pairs.length === 0 && !replace) throw new BadInputError('labels: give at least one key=value or key- (or --replace to clear them all)');
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const pair of pairs) {
    const removal = /^(.+)-$/.exec(pair);
    if (removal && !pair.includes('=')) {
      remove.push(removal[1]);
      continue;
    }
    let req: Requirement | undefined;
    try {
      const parsed = parseSelector(pair);
      req = parsed.length === 1 ? parsed[0] : undefined;
    } catch (err) {
      if (!(err instanceof SelectorSyntaxError)) throw err;
    }
    if (!req || req.op !== 'eq' || `${req.key}=${req.value}` !== pair) {
      throw new BadInputError(`labels: "${pair}" is not key=value or key- (key: letters, digits, "._/-"; value: no spaces, commas, parentheses, "=" or "!")`);
    }
    set[req.key] = req.value;
  }
  return { set, remove };
}

function selectorFlag(text: string): Requirement[] {
  try {
    return parseSelector(text);
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw new BadInputError(`--selector: ${err.message}`);
    throw err;
  }
}
