/**
 * `physwatch watch create`: a spec from flags or from -f, checked here with the same
 * validation the server runs (so a mistake is named as the flag or file field that holds
 * it, before anything is sent), confirmed when it can take hosts down, then created and,
 * with --wait, followed until every host has armed it or failed.
 */
import { ACTIONS, CONDITIONS, parseWatchSpec, ValidationError, WATCH_MODES, WatchSpec } from '@physwatch/core';
import type { WatchPreviewView, WatchView } from '@physwatch/core';
import { Command } from 'commander';
import type { ApiClient } from '../api/api-client';
import { BadInputError, CommandFailedError } from '../cli-error';
import { durationFlag } from '../flag-values';
import type { CliIo } from '../io';
import { previewText } from '../output/watch-preview';
import { hostsText, watchesTable } from '../output/watch-table';
import { confirmDestructive } from '../watch/destructive';
import { readSpecFile } from '../watch/spec-file';
import { flagForField, givenSpecFlags, specFromFlags, WatchSpecFlags } from '../watch/spec-flags';
import { waitUntilArmed } from '../watch/wait-armed';
import { commandContext } from './global-options';

const DEFAULT_WAIT_TIMEOUT = '60s';

interface CreateFlags extends WatchSpecFlags {
  filename?: string;
  yes?: boolean;
  wait?: boolean;
  timeout?: string;
  dryRun?: boolean;
}

export function addWatchCreate(watch: Command, io: CliIo): void {
  watch
    .command('create')
    .description('create a watch from flags or from a YAML/JSON file (-f)')
    .option('-f, --filename <file>', 'watch spec as YAML or JSON (the REST body); - for stdin')
    .option('--paddr <addr>', 'physical address to watch, e.g. 0x2a0e000')
    .option('--symbol <name[+off]>', 'kernel symbol to watch, e.g. empty_zero_page+0x8')
    .option('--pci-bar <dev/bar[+off]>', 'PCI memory BAR to watch, the module\'s bar= syntax, e.g. 0000:00:04.0/2+0x20')
    .option('--sentinel <pages>', 'watch 1 to 16 pages of 4 KiB that each host\'s module allocates and fills itself (no --len): any change is a stray write')
    .option('--pattern <v>', 'with --sentinel: the fill, fitting --width (default 0x5a5a5a5a5a5a5a5a cut to the width)')
    .option('--width <bytes>', 'word width: 1, 2, 4 or 8')
    .option('--len <bytes>', 'region length in bytes (default: width), up to 65536; none with --sentinel')
    .option('--condition <cond>', `one of ${CONDITIONS.join(', ')}`)
    .option('--value <v>', 'value for equals, changes_from, mask_equals (hex 0x… or decimal)')
    .option('--mask <m>', 'mask for mask_equals')
    .option('--interval <dur>', 'poll interval, 100us to 1h, e.g. 30ms (none with --mode ftrace)')
    .option('--mode <mode>', `${WATCH_MODES.join(', ')} (default timer): poll, check on entry to --funcs, or both`)
    .option('--funcs <names>', 'comma-separated kernel functions to check on entry (--mode ftrace or both), up to 8')
    .option('--rate <n>', 'hits per second each host reports; the rest are counted as suppressed (default no limit)')
    .option('--action <action>', `one of ${ACTIONS.join(', ')} (default report)`)
    .option('--hosts <ids>', 'comma-separated host ids')
    .option('--selector <sel>', 'label selector, e.g. "platform=arm64-x,bios.version in (2.1.3,2.1.4)"')
    .option('--expires-at <time>', 'ISO 8601 time with a zone when the watch ends by itself')
    .option('--max-hits <n>', 'stop the watch after this many hits')
    .option('--starts-at <time>', 'ISO 8601 time with a zone before which the watch is placed nowhere')
    .option('--max-hits-per-host <n>', 'a host drops the watch after this many of its hits')
    .option('--canary <n>', 'run on n hosts first; expand once all are armed and soaked (panic/hang default 1)')
    .option('--soak <dur>', 'how long canaries must stay armed before expanding, e.g. 10m (default 5m)')
    .option('--percent <p>', 'run on this percentage (1-100) of the selected hosts')
    .option('--max-hosts <n>', 'run on at most n hosts')
    .option('--paused', 'create the watch with its rollout paused')
    .option('--allow-wide-destructive', 'let a panic/hang/kdump-on-hit watch go beyond its single canary host')
    .option('--kdump-on-hit', 'report/stack watches: after a hit, crash the host into kdump so a vmcore is saved (asks to confirm)')
    .option('--name <name>', 'a name people recognise')
    .option('--yes', 'do not ask before creating a watch that takes hosts down (panic, hang, --kdump-on-hit)')
    .option('--wait', 'wait until every assigned host has armed the watch or failed to')
    .option('--timeout <dur>', `with --wait: give up after this long (default ${DEFAULT_WAIT_TIMEOUT})`)
    .option('--dry-run', 'check the watch and show the hosts it would be placed on now, and why the others would wait; create nothing')
    .action(async (flags: CreateFlags, cmd: Command) => {
      const { raw, describeField } = specInput(flags);
      const spec = validateSpec(raw, describeField);
      if (flags.timeout !== undefined && !flags.wait) throw new BadInputError('--timeout: only used with --wait');
      const timeoutMs = durationFlag('--timeout', flags.timeout ?? DEFAULT_WAIT_TIMEOUT);
      if (flags.dryRun && flags.wait) throw new BadInputError('--wait: nothing is created with --dry-run, so there is nothing to wait for');
      const ctx = commandContext(cmd, io);
      if (flags.dryRun) {
        const preview = await ctx.client.post<WatchPreviewView>('/api/v1/watches/preview', { body: raw, describeField });
        ctx.print(preview, () => previewText(preview, 'the watch is valid'));
        return;
      }
      await confirmDestructive(spec, typedTarget(raw), flags.yes === true, io);
      const created = await ctx.client.post<WatchView>('/api/v1/watches', { body: raw, describeField });
      ctx.print(created, () => watchesTable([created]));
      if (flags.wait) await waitAfterCreate(ctx.client, created, timeoutMs, io);
    });
}

/**
 * --wait: a failure must not hide that the watch exists and stays active (a `hang` watch
 * left armed on a host that arms later is exactly the surprise to avoid), so it says so and
 * how to stop it.
 */
export async function waitAfterCreate(client: ApiClient, created: WatchView, timeoutMs: number, io: CliIo): Promise<void> {
  try {
    const armed = await waitUntilArmed(client, created.id, timeoutMs, {
      write: io.err,
      rewrite: io.stderrIsTTY,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      now: Date.now,
    });
    io.err(`watch ${armed.id} armed on ${armed.assignments.length} of ${armed.assignments.length} host(s)\n`);
  } catch (err) {
    if (!(err instanceof CommandFailedError)) throw err;
    const name = created.name ? ` (${created.name})` : '';
    throw new CommandFailedError(err.summary, [
      ...err.details,
      `watch ${created.id}${name} was created and stays active, action ${created.action ?? 'report'}, on hosts ${hostsText(created)}; hosts that match later still get it`,
      `to stop it: physwatch watch stop ${created.id}`,
    ]);
  }
}

function specInput(flags: CreateFlags): { raw: unknown; describeField: (field: string) => string } {
  const given = givenSpecFlags(flags);
  if (flags.filename === undefined) return { raw: specFromFlags(flags), describeField: flagForField };
  if (given.length > 0) throw new BadInputError(`-f cannot be combined with ${given.join(', ')}: put those fields in the file`);
  const file = flags.filename;
  return { raw: readSpecFile(file), describeField: (field) => `${file}: ${field}` };
}

function validateSpec(raw: unknown, describeField: (field: string) => string): WatchSpec {
  try {
    return parseWatchSpec(raw);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    throw new BadInputError('the watch is not valid; nothing was sent:', err.errors.map((e) => `${describeField(e.field)}: ${e.reason}`));
  }
}

/** The target as the user wrote it, also accepted when confirming. */
export function typedTarget(raw: unknown): string {
  const target = (raw as { target?: { paddr?: unknown; symbol?: unknown } }).target;
  return String(target?.paddr ?? target?.symbol ?? '');
}
