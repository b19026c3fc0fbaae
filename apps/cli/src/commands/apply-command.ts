/**
 * `physwatch apply -f FILE`: make the server hold the watches of a file, each found by its
 * name among the active watches. A missing one is created, an identical one left alone, one
 * that differs only in being paused is paused or resumed; a watch's spec cannot change, so
 * one that differs otherwise is replaced (stopped, then created again) only with --replace.
 * Running it twice changes nothing the second time. Every document is checked before
 * anything is sent, and every server-side conflict is found before anything changes.
 */
import { parseWatchSpec, ValidationError, watchSpecToJson, WatchSpec } from '@physwatch/core';
import type { ListView, WatchPreviewView, WatchSpecJson, WatchView } from '@physwatch/core';
import { Command } from 'commander';
import { BadInputError, CommandFailedError } from '../cli-error';
import { durationFlag } from '../flag-values';
import type { CliIo } from '../io';
import { previewText } from '../output/watch-preview';
import { confirmDestructive, confirmResume } from '../watch/destructive';
import { readSpecDocuments } from '../watch/spec-file';
import { commandContext } from './global-options';
import { typedTarget, waitAfterCreate } from './watch-create';

interface ApplyFlags {
  filename: string;
  dryRun?: boolean;
  replace?: boolean;
  yes?: boolean;
  wait?: boolean;
  timeout?: string;
}

interface Desired {
  name: string;
  raw: unknown;
  spec: WatchSpec;
  describeField: (field: string) => string;
}

type Step =
  | { kind: 'create'; want: Desired }
  | { kind: 'unchanged'; want: Desired; have: WatchView }
  | { kind: 'pause'; want: Desired; have: WatchView }
  | { kind: 'resume'; want: Desired; have: WatchView }
  | { kind: 'replace'; want: Desired; have: WatchView; differs: string[] };

/** What the user sees and what -o json prints, one per document. */
interface Outcome {
  name: string;
  result: 'created' | 'unchanged' | 'paused' | 'resumed' | 'replaced';
  id: string | null;
  replaced_id?: string;
  differs?: string[];
  dry_run?: boolean;
  preview?: WatchPreviewView;
}

const WATCH_VIEW_ONLY = ['id', 'state', 'created_at', 'ended_at', 'counts', 'assignments'];

export function addApplyCommand(program: Command, io: CliIo): void {
  program
    .command('apply')
    .description('create, keep, pause/resume or (with --replace) replace the watches of a file so the server holds exactly them, found by name')
    .requiredOption('-f, --filename <file>', 'watch specs as YAML documents (---) or a JSON object/array; each needs a name; - for stdin')
    .option('--dry-run', 'say what would change and where new watches would be placed; change nothing')
    .option('--replace', 'stop an active watch of the same name whose spec differs, and create the file\'s one')
    .option('--yes', 'do not ask before creating or resuming a watch that takes hosts down (panic, hang, kdump_on_hit)')
    .option('--wait', 'wait until every created watch is armed on its hosts or failed')
    .option('--timeout <dur>', 'with --wait: give up after this long (default 60s)')
    .action(async (flags: ApplyFlags, cmd: Command) => {
      const wanted = readDesired(flags.filename);
      if (flags.timeout !== undefined && !flags.wait) throw new BadInputError('--timeout: only used with --wait');
      if (flags.dryRun && flags.wait) throw new BadInputError('--wait: nothing is created with --dry-run, so there is nothing to wait for');
      const timeoutMs = durationFlag('--timeout', flags.timeout ?? '60s');
      const ctx = commandContext(cmd, io);
      const { items } = await ctx.client.get<ListView<WatchView>>('/api/v1/watches', { query: { state: 'active' } });
      const steps = plan(wanted, items);
      const blocked = steps.filter((s): s is Extract<Step, { kind: 'replace' }> => s.kind === 'replace');
      if (blocked.length > 0 && !flags.replace && !flags.dryRun) {
        throw new CommandFailedError(
          'a watch\'s spec cannot change; nothing was changed. These differ from the active watch of the same name (--replace stops it and creates the file\'s):',
          blocked.map((s) => `${s.want.name}: watch ${s.have.id} differs in ${s.differs.join(', ')}`),
        );
      }

      const outcomes: Outcome[] = [];
      if (flags.dryRun) {
        for (const step of steps) outcomes.push(await dryRun(step, ctx.client));
        ctx.print(outcomes, () => outcomes.map(outcomeText).join(''));
        return;
      }
      for (const step of steps) {
        if (step.kind === 'create' || step.kind === 'replace') await confirmDestructive(step.want.spec, typedTarget(step.want.raw), flags.yes === true, io);
        if (step.kind === 'resume' && !flags.yes) await confirmResume(step.have, io);
      }
      const created: WatchView[] = [];
      for (const step of steps) {
        const outcome = await execute(step, ctx.client);
        if (outcome.created) created.push(outcome.created);
        outcomes.push(outcome.outcome);
      }
      ctx.print(outcomes, () => outcomes.map(outcomeText).join(''));
      for (const watch of flags.wait ? created : []) await waitAfterCreate(ctx.client, watch, timeoutMs, io);
    });
}

/** Every document parsed and checked; one message with every problem, nothing sent. */
function readDesired(file: string): Desired[] {
  const docs = readSpecDocuments(file);
  if (docs.length === 0) throw new BadInputError(`-f ${file}: holds no watch`);
  const problems: string[] = [];
  const wanted: Desired[] = [];
  const firstWithName = new Map<string, number>();
  docs.forEach((raw, i) => {
    const where = docs.length === 1 ? `${file}` : `${file} document ${i + 1}`;
    const describeField = (field: string) => `${where}: ${field}`;
    let spec: WatchSpec;
    try {
      spec = parseWatchSpec(raw);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      problems.push(...err.errors.map((e) => `${describeField(e.field)}: ${e.reason}`));
      return;
    }
    if (spec.name === null) {
      problems.push(`${describeField('name')}: required by apply, which finds the watch by its name`);
      return;
    }
    const earlier = firstWithName.get(spec.name);
    if (earlier !== undefined) problems.push(`${describeField('name')}: ${JSON.stringify(spec.name)} is also the name of document ${earlier + 1}`);
    else firstWithName.set(spec.name, i);
    wanted.push({ name: spec.name, raw, spec, describeField });
  });
  if (problems.length > 0) throw new BadInputError('the file is not valid; nothing was sent:', problems);
  return wanted;
}

function plan(wanted: readonly Desired[], active: readonly WatchView[]): Step[] {
  const byName = new Map<string, WatchView[]>();
  for (const w of active) if (w.name) byName.set(w.name, [...(byName.get(w.name) ?? []), w]);
  const ambiguous = wanted.filter((d) => (byName.get(d.name)?.length ?? 0) > 1);
  if (ambiguous.length > 0) {
    throw new CommandFailedError(
      'several active watches have the name of a watch in the file, so apply cannot tell which one it is; nothing was changed (stop the extra ones):',
      ambiguous.map((d) => `${d.name}: watches ${byName.get(d.name)!.map((w) => w.id).join(', ')}`),
    );
  }
  return wanted.map((want) => {
    const have = byName.get(want.name)?.[0];
    if (!have) return { kind: 'create', want };
    const differs = differingFields(watchSpecToJson(want.spec), canonicalOf(have));
    if (differs.length === 0) return { kind: 'unchanged', want, have };
    if (differs.length === 1 && differs[0] === 'rollout.paused') return { kind: want.spec.rollout.paused ? 'pause' : 'resume', want, have };
    return { kind: 'replace', want, have, differs };
  });
}

/** The server's re-printed spec, through the same parser, so defaults and forms compare equal. */
function canonicalOf(view: WatchView): WatchSpecJson {
  const spec = Object.fromEntries(Object.entries(view).filter(([key]) => !WATCH_VIEW_ONLY.includes(key)));
  return watchSpecToJson(parseWatchSpec(spec, null));
}

function differingFields(want: WatchSpecJson, have: WatchSpecJson): string[] {
  const a = want as unknown as Record<string, unknown>;
  const b = have as unknown as Record<string, unknown>;
  const out: string[] = [];
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (key === 'rollout') {
      const ra = (a.rollout ?? {}) as Record<string, unknown>;
      const rb = (b.rollout ?? {}) as Record<string, unknown>;
      for (const k of [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort()) if (JSON.stringify(ra[k]) !== JSON.stringify(rb[k])) out.push(`rollout.${k}`);
    } else if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) {
      out.push(key);
    }
  }
  return out;
}

async function dryRun(step: Step, client: ReturnType<typeof commandContext>['client']): Promise<Outcome> {
  const base = { name: step.want.name, dry_run: true };
  if (step.kind === 'unchanged') return { ...base, result: 'unchanged', id: step.have.id };
  if (step.kind === 'pause') return { ...base, result: 'paused', id: step.have.id };
  if (step.kind === 'resume') return { ...base, result: 'resumed', id: step.have.id };
  const preview = await client.post<WatchPreviewView>('/api/v1/watches/preview', { body: step.want.raw, describeField: step.want.describeField });
  if (step.kind === 'create') return { ...base, result: 'created', id: null, preview };
  return { ...base, result: 'replaced', id: null, replaced_id: step.have.id, differs: step.differs, preview };
}

async function execute(step: Step, client: ReturnType<typeof commandContext>['client']): Promise<{ outcome: Outcome; created?: WatchView }> {
  const name = step.want.name;
  const path = (id: string, verb: string) => `/api/v1/watches/${encodeURIComponent(id)}/${verb}`;
  if (step.kind === 'unchanged') return { outcome: { name, result: 'unchanged', id: step.have.id } };
  if (step.kind === 'pause' || step.kind === 'resume') {
    await client.post<WatchView>(path(step.have.id, step.kind));
    return { outcome: { name, result: step.kind === 'pause' ? 'paused' : 'resumed', id: step.have.id } };
  }
  const replaced = step.kind === 'replace' ? step : null;
  // Stopped first: a destructive watch must never run twice over while it is replaced.
  if (replaced) await client.post<WatchView>(path(replaced.have.id, 'stop'));
  let created: WatchView;
  try {
    created = await client.post<WatchView>('/api/v1/watches', { body: step.want.raw, describeField: step.want.describeField });
  } catch (err) {
    if (!replaced || !(err instanceof Error)) throw err;
    throw new CommandFailedError(`${name}: watch ${replaced.have.id} was stopped, but creating its replacement failed: ${err.message}`, [], { cause: err });
  }
  const outcome: Outcome = replaced ? { name, result: 'replaced', id: created.id, replaced_id: replaced.have.id, differs: replaced.differs } : { name, result: 'created', id: created.id };
  return { outcome, created };
}

function outcomeText(o: Outcome): string {
  const would = o.dry_run ? 'would be ' : '';
  const id = o.id ? `watch ${o.id} ` : '';
  let line = `${id}${JSON.stringify(o.name)}: ${would}${o.result}`;
  if (o.result === 'replaced') line += ` (${o.dry_run ? 'stopping' : 'stopped'} watch ${o.replaced_id}; it differed in ${o.differs!.join(', ')})`;
  line += '\n';
  return o.preview ? line + previewText(o.preview, `${JSON.stringify(o.name)} is valid`).replace(/^/gm, '  ') : line;
}
