/**
 * `physwatch hunt start|list|describe|pause|resume|advance|hold|stop`. A hunt spec comes from
 * -f (YAML/JSON, the REST body) or from --template, with the fleet from flags; it is checked
 * here with the server's own parser, so a mistake is named by its field before anything is
 * sent (exit 2). A hunt with a stage that takes hosts down needs --yes (and an admin token).
 */
import { HUNT_TEMPLATES, huntTemplate, HuntTemplateName, parseHuntSpec, ValidationError } from '@physwatch/core';
import type { HuntDetailView, HuntSpec, HuntView, ListView } from '@physwatch/core';
import { Command, Option } from 'commander';
import { BadInputError } from '../cli-error';
import { countFlag } from '../flag-values';
import type { CliIo } from '../io';
import { renderTable } from '../output/table';
import { readSpecFile } from '../watch/spec-file';
import { commandContext } from './global-options';

const huntPath = (id: string) => `/api/v1/hunts/${encodeURIComponent(id)}`;

interface StartFlags {
  filename?: string;
  template?: HuntTemplateName;
  selector?: string;
  hosts?: string;
  cohort?: string;
  budgetPpm?: string;
  name?: string;
  yes?: boolean;
}

function huntIdArgument(text: string): string {
  if (!/^[0-9]{1,18}$/.test(text)) throw new BadInputError(`<id>: ${JSON.stringify(text)} is not a hunt id (a whole number, as hunt list shows)`);
  return text;
}

function list(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** "k=v,k2=v2" -> {k: v, k2: v2}. */
function labelValues(flag: string, text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of list(text)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new BadInputError(`${flag}: ${JSON.stringify(part)} is not key=value`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  if (Object.keys(out).length === 0) throw new BadInputError(`${flag}: give at least one key=value`);
  return out;
}

function startBody(flags: StartFlags): { raw: Record<string, unknown>; describeField: (field: string) => string } {
  if ((flags.filename === undefined) === (flags.template === undefined)) throw new BadInputError('give exactly one of -f FILE or --template NAME');
  const fromFile = flags.filename !== undefined;
  const base = fromFile ? readSpecFile(flags.filename!) : huntTemplate(flags.template!);
  if (typeof base !== 'object' || base === null || Array.isArray(base)) throw new BadInputError(`-f ${flags.filename}: must hold one hunt spec object`);
  const raw: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  if (flags.selector !== undefined && flags.hosts !== undefined) throw new BadInputError('--selector and --hosts: give one, not both');
  if (flags.selector !== undefined) raw.hosts = { selector: flags.selector };
  if (flags.hosts !== undefined) raw.hosts = { ids: list(flags.hosts) };
  if (flags.cohort !== undefined) raw.cohort = list(flags.cohort);
  if (flags.budgetPpm !== undefined) raw.budget_ppm = countFlag('--budget-ppm', flags.budgetPpm);
  if (flags.name !== undefined) raw.name = flags.name;
  if (!fromFile && raw.hosts === undefined) throw new BadInputError('--selector or --hosts: required with --template (which hosts the hunt starts on)');
  // A field the user set by flag is named by that flag; the rest by where the spec came from.
  const flagOf: Record<string, string | undefined> = {
    hosts: flags.selector !== undefined ? '--selector' : flags.hosts !== undefined ? '--hosts' : undefined,
    cohort: flags.cohort !== undefined ? '--cohort' : undefined,
    budget_ppm: flags.budgetPpm !== undefined ? '--budget-ppm' : undefined,
    name: flags.name !== undefined ? '--name' : undefined,
  };
  const describeField = (field: string): string => {
    const flag = flagOf[field.split(/[.[]/, 1)[0]];
    if (flag) return `${flag} (${field})`;
    return fromFile ? `${flags.filename}: ${field}` : `template ${flags.template}: ${field}`;
  };
  return { raw, describeField };
}

function validate(raw: unknown, describeField: (field: string) => string): HuntSpec {
  try {
    return parseHuntSpec(raw);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    throw new BadInputError('the hunt is not valid; nothing was sent:', err.errors.map((e) => `${describeField(e.field)}: ${e.reason}`));
  }
}

function stageText(s: HuntDetailView['stages'][number]['spec']): string {
  const what = s.kdump_on_hit ? 'kdump_on_hit' : (s.action ?? 'report');
  const mode = s.mode && s.mode !== 'timer' ? ` ${s.mode}${s.funcs ? `(${s.funcs.join(',')})` : ''}` : '';
  const adv = s.advance ? Object.entries(s.advance).map(([k, v]) => (typeof v === 'object' ? `${k}(window ${(v as { window: number }).window})` : `${k} ${v}`)).join(' or ') : '-';
  return `${[s.interval, mode.trim()].filter(Boolean).join(' ')} ${what}; advance: ${adv}`;
}

export function huntsTable(items: readonly HuntView[]): string {
  if (items.length === 0) return 'No hunts.\n';
  return renderTable(['ID', 'NAME', 'STATE', 'HOSTS PER STAGE', 'CREATED'], items.map((h) => [h.id, h.spec.name ?? '', h.state + (h.held_stage === null ? '' : ` (held at ${h.held_stage})`), h.stage_counts.join(' / '), h.created_at]));
}

export function describeHunt(h: HuntDetailView): string {
  const lines = [`Hunt ${h.id}${h.spec.name ? ` (${h.spec.name})` : ''}: ${h.state}${h.held_stage === null ? '' : `, held at stage ${h.held_stage}`}`];
  lines.push(`Cohort: ${h.cohort.length ? h.cohort.join(', ') : 'none'}   Budget: ${h.spec.budget_ppm} ppm of a CPU per host`, '', 'Stages:');
  lines.push(renderTable(['#', 'STAGE', 'WATCH', 'HOSTS'], h.stages.map((s) => [String(s.index), stageText(s.spec), s.watch_id ?? '-', String(s.hosts.length)])).trimEnd());
  lines.push('', 'Hosts:');
  lines.push(renderTable(['HOST', 'STAGE', 'HITS', 'BRACKET (median)', 'POLL', 'COHORT'], h.hosts.map((x) => [
    x.host_id + (x.held ? ' (held)' : ''), String(x.stage), String(x.hits_at_stage),
    x.bracket_median_ns === null ? '-' : `${Math.round(x.bracket_median_ns / 1000)} us`, x.poll_ns_avg ? `${x.poll_ns_avg} ns` : '-', x.cohort ?? '-',
  ])).trimEnd());
  lines.push('', 'Timeline:');
  for (const t of h.timeline) {
    const move = t.kind === 'transition' ? ` ${t.host_id}: ${t.from_stage} -> ${t.to_stage}` : `${t.host_id ? ` ${t.host_id}` : ''}`;
    lines.push(`  ${t.at}  ${t.kind}${move}  ${t.reason}`);
  }
  return lines.join('\n') + '\n';
}

function choiceBody(flags: { hosts?: string; cohort?: string }): Record<string, unknown> | null {
  if (flags.hosts !== undefined && flags.cohort !== undefined) throw new BadInputError('--hosts and --cohort: give one, not both');
  if (flags.hosts !== undefined) return { host_ids: list(flags.hosts) };
  if (flags.cohort !== undefined) return { cohort: labelValues('--cohort', flags.cohort) };
  return null;
}

const choiceField = (field: string) => (field.startsWith('host_ids') ? `--hosts (${field})` : field === 'cohort' ? '--cohort' : field === 'stage' ? '--stage' : field);

export function addHuntCommands(program: Command, io: CliIo): void {
  const hunt = program.command('hunt').description('hunts: tighten the watch stage by stage on the hosts that hit, and on their cohort');

  hunt
    .command('start')
    .description('start a hunt from -f FILE (the REST body) or --template, on --selector or --hosts')
    .option('-f, --filename <file>', 'hunt spec as YAML or JSON; - for stdin')
    .addOption(new Option('--template <name>', 'a ready ladder (zero-page: empty_zero_page, any change, report -> ... -> hang on one host)').choices(HUNT_TEMPLATES))
    .option('--selector <sel>', 'label selector of the hosts the hunt starts on')
    .option('--hosts <ids>', 'comma-separated host ids the hunt starts on')
    .option('--cohort <keys>', 'comma-separated label keys, e.g. dmi.bios.version: hosts sharing them advance together')
    .option('--budget-ppm <n>', 'per host, the most the hunt\'s polling may cost, millionths of a CPU (default 10000)')
    .option('--name <name>', 'a name people recognise')
    .option('--yes', 'start a hunt with a stage that takes hosts down (panic, hang, kdump_on_hit)')
    .action(async (flags: StartFlags, cmd: Command) => {
      const { raw, describeField } = startBody(flags);
      const spec = validate(raw, describeField);
      const destructive = spec.stages.findIndex((s) => s.destructive);
      if (destructive >= 0 && !flags.yes) {
        const s = spec.stages[destructive];
        throw new BadInputError(`stage ${destructive} ${s.kdumpOnHit ? 'crashes hosts into kdump' : s.action === 'hang' ? 'freezes a host' : 'panics a host'} on a hit (one canary host, within the fleet's rules and the agent's opt-in): add --yes to start it`);
      }
      const ctx = commandContext(cmd, io);
      const created = await ctx.client.post<HuntDetailView>('/api/v1/hunts', { body: raw, describeField });
      ctx.print(created, () => describeHunt(created));
    });

  hunt
    .command('list')
    .description('hunts, newest first, with how many hosts stand at each stage')
    .addOption(new Option('--state <state>', 'only hunts in this state').choices(['active', 'paused', 'stopped']))
    .action(async (flags: { state?: string }, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const { items } = await ctx.client.get<ListView<HuntView>>('/api/v1/hunts', { query: { state: flags.state } });
      ctx.print(items, () => huntsTable(items));
    });

  hunt
    .command('describe')
    .description('a hunt in full: stages with their hosts, each host\'s stage and median bracket, the timeline')
    .argument('<id>', 'hunt id')
    .action(async (text: string, _flags: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const h = await ctx.client.get<HuntDetailView>(huntPath(huntIdArgument(text)));
      ctx.print(h, () => describeHunt(h));
    });

  for (const [name, what] of [['pause', 'no transition while paused; the watches stay'], ['resume', 'let hosts move on again'], ['stop', 'stop the hunt and end its watches']] as const) {
    hunt
      .command(name)
      .description(what)
      .argument('<id>', 'hunt id')
      .action(async (text: string, _flags: unknown, cmd: Command) => {
        const ctx = commandContext(cmd, io);
        const h = await ctx.client.post<HuntDetailView>(`${huntPath(huntIdArgument(text))}/${name}`);
        ctx.print(h, () => describeHunt(h));
      });
  }

  hunt
    .command('advance')
    .description('move hosts up one stage by hand (--hosts or --cohort)')
    .argument('<id>', 'hunt id')
    .option('--hosts <ids>', 'comma-separated host ids')
    .option('--cohort <k=v,...>', 'every host of the hunt with these label values')
    .action(async (text: string, flags: { hosts?: string; cohort?: string }, cmd: Command) => {
      const id = huntIdArgument(text);
      const body = choiceBody(flags);
      if (!body) throw new BadInputError('--hosts or --cohort: required (which hosts to advance)');
      const ctx = commandContext(cmd, io);
      const h = await ctx.client.post<HuntDetailView>(`${huntPath(id)}/advance`, { body, describeField: choiceField });
      ctx.print(h, () => describeHunt(h));
    });

  hunt
    .command('hold')
    .description('hold hosts at their stage (--hosts, --cohort) or the hunt at a stage (--stage); --release undoes it')
    .argument('<id>', 'hunt id')
    .option('--hosts <ids>', 'comma-separated host ids')
    .option('--cohort <k=v,...>', 'every host of the hunt with these label values')
    .option('--stage <n>', 'no host moves past this stage')
    .option('--release', 'release the named hosts, or the hunt\'s stage hold')
    .action(async (text: string, flags: { hosts?: string; cohort?: string; stage?: string; release?: boolean }, cmd: Command) => {
      const id = huntIdArgument(text);
      const body = choiceBody(flags) ?? {};
      if (flags.stage !== undefined) {
        if (!/^\s*[0-9]+\s*$/.test(flags.stage)) throw new BadInputError(`--stage: ${JSON.stringify(flags.stage)} is not a stage number`);
        body.stage = Number(flags.stage);
      } else if (Object.keys(body).length === 0) {
        if (!flags.release) throw new BadInputError('--hosts, --cohort or --stage: required (what to hold)');
        body.stage = null;
      }
      if (flags.release) body.release = true;
      const ctx = commandContext(cmd, io);
      const h = await ctx.client.post<HuntDetailView>(`${huntPath(id)}/hold`, { body, describeField: choiceField });
      ctx.print(h, () => describeHunt(h));
    });
}
