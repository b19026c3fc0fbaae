/** `physwatch enrollment-tokens create|list|revoke` (admin tokens only). */
import type { EnrollmentTokenView, ListView, NewEnrollmentTokenView } from '@physwatch/core';
import { Command } from 'commander';
import { BadInputError } from '../cli-error';
import { countFlag } from '../flag-values';
import type { CliIo } from '../io';
import { enrollmentTokensTable } from '../output/enrollment-table';
import { commandContext } from './global-options';

/** "env=prod,pool=db" -> {env: "prod", pool: "db"}; the server checks each label further. */
export function labelsFlag(flag: string, text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) throw new BadInputError(`${flag}: ${JSON.stringify(pair)} is not key=value (e.g. env=prod,pool=db)`);
    labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return labels;
}

export function addEnrollmentCommands(program: Command, io: CliIo): void {
  const tokens = program.command('enrollment-tokens').description('tokens that let new hosts enroll (get their certificate); admin only');

  tokens
    .command('create')
    .description('a new enrollment token; its secret is printed this once (give it to the agents as enrollment.token or tokenFile)')
    .requiredOption('--name <name>', 'what it is for, e.g. rack-12 or db-pool-rollout')
    .option('--expires <duration>', 'how long it enrolls hosts: <n>s, <n>m, <n>h or <n>d', '24h')
    .option('--uses <n>', 'how many hosts it may enroll', '1')
    .option('--labels <k=v,...>', 'operator labels every host enrolled with it gets, e.g. env=prod,pool=db')
    .action(async (flags: { name: string; expires: string; uses: string; labels?: string }, cmd: Command) => {
      const body = {
        name: flags.name,
        expires_in: flags.expires,
        max_uses: countFlag('--uses', flags.uses),
        labels: flags.labels === undefined ? {} : labelsFlag('--labels', flags.labels),
      };
      const ctx = commandContext(cmd, io);
      const created = await ctx.client.post<NewEnrollmentTokenView>('/api/v1/enrollment-tokens', { body });
      ctx.print(created, () => `${enrollmentTokensTable([created])}\nenrollment token (shown this once; store it now):\n${created.token}\n`);
    });

  tokens
    .command('list')
    .description('every enrollment token, newest first, with its state (active, expired, used_up, revoked); never a secret')
    .action(async (_flags: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const { items } = await ctx.client.get<ListView<EnrollmentTokenView>>('/api/v1/enrollment-tokens');
      ctx.print(items, () => (items.length === 0 ? 'No enrollment tokens.\n' : enrollmentTokensTable(items)));
    });

  tokens
    .command('revoke')
    .description('revoke an enrollment token: it enrolls no more hosts (hosts it enrolled keep their certificates: revoke those with hosts revoke)')
    .argument('<id>', 'enrollment token id (from enrollment-tokens list)')
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const revoked = await ctx.client.delete<EnrollmentTokenView>(`/api/v1/enrollment-tokens/${encodeURIComponent(id)}`);
      ctx.print(revoked, () => enrollmentTokensTable([revoked]));
    });
}
