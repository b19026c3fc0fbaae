/** `physwatch hits list|tail|describe|culprits`. */
import type { CulpritsView, HitView } from '@physwatch/core';
import { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { BadInputError, CommandFailedError } from '../cli-error';
import { countFlag, durationFlag, timeFlag } from '../flag-values';
import { HitFollower } from '../hits/hit-follower';
import { fetchHitPage, HitFilter, listHits } from '../hits/hit-query';
import type { CliIo } from '../io';
import { culpritsTable } from '../output/culprit-table';
import { describeHit, hitLine, hitsTable } from '../output/hit-table';
import type { OutputFormat } from '../output/output-format';
import { commandContext } from './global-options';

const TAIL_PAGE = 100;

interface HitFlags {
  watch?: string;
  host?: string;
  writer?: string;
  since?: string;
  until?: string;
  limit?: string;
  interval?: string;
}

export function addHitsCommands(program: Command, io: CliIo): void {
  const hits = program.command('hits').description('hits recorded by watches, newest first');

  hits
    .command('list')
    .description('stored hits, newest first, following pages up to --limit')
    .option('--watch <id>', 'only hits of this watch')
    .option('--host <id>', 'only hits on this host')
    .option('--writer <who>', 'only hits whose writer is cpu, no_cpu_via_kernel_map or unknown')
    .option('--since <time>', 'only hits at or after this time: ISO 8601, or a duration ago (15m, 2h, 1d)')
    .option('--until <time>', 'only hits before this time: ISO 8601, or a duration ago')
    .option('--limit <n>', 'at most this many hits', '100')
    .action(async (flags: HitFlags, cmd: Command) => {
      const now = new Date();
      const filter: HitFilter = {
        watch_id: flags.watch,
        host_id: flags.host,
        writer: flags.writer,
        since: flags.since === undefined ? undefined : timeFlag('--since', flags.since, now),
        until: flags.until === undefined ? undefined : timeFlag('--until', flags.until, now),
      };
      const limit = countFlag('--limit', flags.limit ?? '100');
      const ctx = commandContext(cmd, io);
      const items = await listHits(ctx.client, filter, limit);
      ctx.print(items, () => (items.length === 0 ? 'No hits.\n' : hitsTable(items)));
    });

  hits
    .command('tail')
    .description('follow new hits as they are stored, oldest first, until Ctrl-C')
    .option('--watch <id>', 'only hits of this watch')
    .option('--host <id>', 'only hits on this host')
    .option('--writer <who>', 'only hits whose writer is cpu, no_cpu_via_kernel_map or unknown')
    .option('--interval <dur>', 'how often to ask the server', '1s')
    .action(async (flags: HitFlags, cmd: Command) => {
      const pollMs = durationFlag('--interval', flags.interval ?? '1s');
      const ctx = commandContext(cmd, io);
      const filter: HitFilter = { watch_id: flags.watch, host_id: flags.host, writer: flags.writer };
      const follower = new HitFollower((cursor) => fetchHitPage(ctx.client, filter, TAIL_PAGE, cursor));
      const follow = async (): Promise<void> => {
        await follower.start();
        io.err(`following hits on ${ctx.client.server}; Ctrl-C to stop\n`);
        let outage: string | null = null;
        for (;;) {
          try {
            for (const hit of await follower.poll()) io.out(streamLine(ctx.format, hit));
            if (outage) io.err('the server answers again\n');
            outage = null;
          } catch (err) {
            // A restarting server should not end the tail an on-call engineer is watching.
            if (!(err instanceof CommandFailedError)) throw err;
            if (outage !== err.message) io.err(`${err.message}; retrying\n`);
            outage = err.message;
          }
          await new Promise((resolve) => setTimeout(resolve, pollMs));
        }
      };
      // Ctrl-C is the normal end (exit 0), even in the middle of a request.
      await Promise.race([follow(), io.interrupted()]);
    });

  hits
    .command('describe')
    .description('a hit in full: who wrote it, the SMIs in its bracket, its stack')
    .argument('<id>', 'hit id')
    .action(async (text: string, _flags: unknown, cmd: Command) => {
      const id = hitIdArgument(text);
      const ctx = commandContext(cmd, io);
      const hit = await ctx.client.get<HitView>(`/api/v1/hits/${id}`);
      ctx.print(hit, () => describeHit(hit));
    });

  hits
    .command('culprits')
    .description('host label values ranked by how over-represented they are among the hosts a watch or hunt hit (one-sided Fisher exact test)')
    .option('--watch <id>', 'the watch whose hosts to test')
    .option('--hunt <id>', "the hunt whose hosts to test (hits of all its stage watches)")
    .option('--keys <k1,k2>', 'only these label keys, comma-separated')
    .option('--limit <n>', 'at most this many values', '20')
    .action(async (flags: { watch?: string; hunt?: string; keys?: string; limit?: string }, cmd: Command) => {
      const path = culpritsPath(flags);
      const limit = countFlag('--limit', flags.limit ?? '20');
      const ctx = commandContext(cmd, io);
      const view = await ctx.client.get<CulpritsView>(path, { query: { limit: String(limit), keys: flags.keys } });
      ctx.print(view, () => culpritsTable(view));
    });
}

function hitIdArgument(text: string): string {
  if (!/^[0-9]{1,18}$/.test(text)) throw new BadInputError(`<id>: ${JSON.stringify(text)} is not a hit id (a whole number, as hits list shows)`);
  return text;
}

function culpritsPath(flags: { watch?: string; hunt?: string }): string {
  if ((flags.watch === undefined) === (flags.hunt === undefined)) throw new BadInputError('give exactly one of --watch <id> or --hunt <id>');
  const [flag, id, kind] = flags.watch !== undefined ? ['--watch', flags.watch, 'watches'] : ['--hunt', flags.hunt!, 'hunts'];
  if (!/^[1-9][0-9]{0,17}$/.test(id)) throw new BadInputError(`${flag}: ${JSON.stringify(id)} is not an id (a whole number from 1 up)`);
  return `/api/v1/${kind}/${id}/culprits`;
}

/** One hit per line (NDJSON for json, a document each for yaml), so a pipe sees it at once. */
function streamLine(format: OutputFormat, hit: HitView): string {
  if (format === 'json') return JSON.stringify(hit) + '\n';
  if (format === 'yaml') return `---\n${toYaml(hit)}`;
  return hitLine(hit);
}
