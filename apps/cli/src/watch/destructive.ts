/**
 * Watches that take a production host down ask first: a typo in a selector must not panic
 * a rack, and resuming a paused one lets it reach hosts again. Each entry says how to
 * recognise one and what it does, so a new kind joins with one line.
 */
import { formatTarget, targetJsonText, WatchSpec } from '@physwatch/core';
import type { DestructiveFields, WatchView } from '@physwatch/core';
import { BadInputError, CommandFailedError } from '../cli-error';

interface Destructive {
  /** As the user set it, e.g. "--action panic". */
  setting: string;
  consequence: string;
  applies(watch: DestructiveFields): boolean;
}

export const DESTRUCTIVE: readonly Destructive[] = [
  { setting: '--action panic', consequence: 'panics the host (into kdump) on the first hit', applies: (s) => s.action === 'panic' },
  { setting: '--action hang', consequence: 'freezes the CPU of the host on the first hit, for a hardware debugger', applies: (s) => s.action === 'hang' },
  {
    setting: '--kdump-on-hit',
    consequence: 'crashes the host into kdump after its first hit (within the fleet crash budget, where the agent allows it)',
    applies: (s) => s.kdumpOnHit,
  },
];

export interface ConfirmIo {
  /** True only when someone can answer: stdin and stderr are both terminals. */
  interactive: boolean;
  ask(question: string): Promise<string>;
}

/** What is being confirmed, and how the messages name doing it and not doing it. */
interface Confirmation {
  found: readonly Destructive[];
  hosts: string;
  /** The watch's target as the server prints it; what the user types (or `alsoAccepted`). */
  target: string;
  alsoAccepted: string;
  /** E.g. "", or "resuming watch 12 lets it reach more hosts: ". */
  lead: string;
  /** "create it", "resume it". */
  doIt: string;
  /** "no watch created", "watch 12 left paused". */
  notDone: string;
}

/** `watch create`: returns when creating the watch may go ahead; throws otherwise. */
export async function confirmDestructive(spec: WatchSpec, typedTarget: string, yes: boolean, io: ConfirmIo): Promise<void> {
  const found = DESTRUCTIVE.filter((d) => d.applies(spec));
  if (found.length === 0 || yes) return;
  const hosts = spec.hosts.kind === 'ids' ? `${spec.hosts.ids.length} host(s): ${spec.hosts.ids.join(', ')}` : `every host matching "${spec.hosts.selector}"`;
  await confirm({ found, hosts, target: formatTarget(spec.target), alsoAccepted: typedTarget, lead: '', doIt: 'create it', notDone: 'no watch created' }, io);
}

/**
 * `watch resume` without --yes: returns when resuming `watch` (as the server printed it) may
 * go ahead; only a paused, active destructive watch asks, since resuming anything else
 * changes nothing.
 */
export async function confirmResume(watch: WatchView, io: ConfirmIo): Promise<void> {
  const found = DESTRUCTIVE.filter((d) => d.applies({ action: watch.action ?? 'report', kdumpOnHit: watch.kdump_on_hit === true }));
  if (found.length === 0 || watch.state !== 'active' || watch.rollout?.paused !== true) return;
  const hosts = 'ids' in watch.hosts ? `${watch.hosts.ids.length} host(s): ${watch.hosts.ids.join(', ')}` : `every host matching "${watch.hosts.selector}"`;
  const target = targetJsonText(watch.target);
  const lead = `resuming watch ${watch.id} lets it reach more hosts: `;
  await confirm({ found, hosts, target, alsoAccepted: target, lead, doIt: 'resume it', notDone: `watch ${watch.id} left paused` }, io);
}

async function confirm(c: Confirmation, io: ConfirmIo): Promise<void> {
  const what = `${c.lead}${c.found.map((d) => `${d.setting} ${d.consequence}`).join('; ')}, on ${c.hosts}`;
  if (!io.interactive) throw new BadInputError(`${what}; pass --yes to ${c.doIt} without a terminal to confirm on`);
  const answer = (await io.ask(`${what}.\nType the watch's target (${c.target}) to confirm: `)).trim();
  // An empty alsoAccepted (a target typed as several parts, e.g. --pci-bar or --sentinel) accepts nothing.
  const accepted = c.alsoAccepted.trim();
  if (answer !== c.target && (accepted === '' || answer !== accepted)) {
    throw new CommandFailedError(`not confirmed (${JSON.stringify(answer)} is not ${c.target}): ${c.notDone}`);
  }
}
