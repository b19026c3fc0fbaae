/** `physwatch tokens create|list|revoke` and `physwatch audit list` (admin tokens only). */
import { ROLES } from '@physwatch/core';
import type { AuditEntryView, ListView, NewTokenView, TokenView } from '@physwatch/core';
import { Command, Option } from 'commander';
import { listPages } from '../api/pages';
import { countFlag, timeFlag } from '../flag-values';
import type { CliIo } from '../io';
import { auditTable, tokensTable } from '../output/auth-table';
import { commandContext } from './global-options';

export function addAuthCommands(program: Command, io: CliIo): void {
  const tokens = program.command('tokens').description('API tokens and their roles: viewer reads, operator runs report/stack watches, admin the rest');

  tokens
    .command('create')
    .description('a new token; its secret is printed this once')
    .requiredOption('--name <name>', 'who or what uses it, e.g. alice or ci-deploy')
    .addOption(new Option('--role <role>', 'viewer, operator or admin').choices(ROLES).makeOptionMandatory())
    .action(async (flags: { name: string; role: string }, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const created = await ctx.client.post<NewTokenView>('/api/v1/tokens', { body: { name: flags.name, role: flags.role } });
      ctx.print(created, () => `${tokensTable([created])}\ntoken (shown this once; store it now):\n${created.token}\n`);
    });

  tokens
    .command('list')
    .description('every token, newest first, revoked ones included; never a secret')
    .action(async (_flags: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const { items } = await ctx.client.get<ListView<TokenView>>('/api/v1/tokens');
      ctx.print(items, () => (items.length === 0 ? 'No tokens.\n' : tokensTable(items)));
    });

  tokens
    .command('revoke')
    .description('revoke a token: every request with it is refused from now on')
    .argument('<id>', 'token id (from tokens list)')
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const revoked = await ctx.client.delete<TokenView>(`/api/v1/tokens/${encodeURIComponent(id)}`);
      ctx.print(revoked, () => tokensTable([revoked]));
    });

  program
    .command('audit')
    .description('the audit log: every change and every refused attempt, who, what, when, from where')
    .command('list')
    .description('audit entries, newest first, following pages up to --limit')
    .option('--since <time>', 'at or after this time: ISO 8601, or a duration ago (15m, 2h, 1d)')
    .option('--until <time>', 'before this time: ISO 8601, or a duration ago')
    .option('--action <action>', 'only this action, e.g. watch.create, watch.stop, token.create, token.revoke')
    .option('--token-id <id>', 'only requests made with this token (its id from tokens list)')
    .option('--limit <n>', 'at most this many', '100')
    .action(async (flags: { since?: string; until?: string; action?: string; tokenId?: string; limit?: string }, cmd: Command) => {
      const now = new Date();
      const limit = countFlag('--limit', flags.limit ?? '100');
      const query = {
        since: flags.since === undefined ? undefined : timeFlag('--since', flags.since, now),
        until: flags.until === undefined ? undefined : timeFlag('--until', flags.until, now),
        action: flags.action,
        token_id: flags.tokenId,
      };
      const ctx = commandContext(cmd, io);
      const items = await listPages<AuditEntryView>(ctx.client, '/api/v1/audit', query, limit);
      ctx.print(items, () => (items.length === 0 ? 'No audit entries.\n' : auditTable(items)));
    });
}
