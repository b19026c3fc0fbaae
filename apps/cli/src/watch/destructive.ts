/**
 * Watches that take a production host down ask first: a typo in a selector must not panic
 * a rack. Each entry says how to recognise one and what it does, so a new kind joins with
 * one line.
 */
import { formatTarget, WatchSpec } from '@physwatch/core';
import { BadInputError, CommandFailedError } from '../cli-error';

interface Destructive {
  /** As the user set it, e.g. "--action panic". */
  setting: string;
  consequence: string;
  applies(spec: WatchSpec): boolean;
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

/** Returns when creating the watch may go ahead; throws otherwise. */
export async function confirmDestructive(spec: WatchSpec, typedTarget: string, yes: boolean, io: ConfirmIo): Promise<void> {
  const found = DESTRUCTIVE.filter((d) => d.applies(spec));
  if (found.length === 0 || yes) return;
  const hosts = spec.hosts.kind === 'ids' ? `${spec.hosts.ids.length} host(s): ${spec.hosts.ids.join(', ')}` : `every host matching "${spec.hosts.selector}"`;
  const what = `${found.map((d) => `${d.setting} ${d.consequence}`).join('; ')}, on ${hosts}`;
  if (!io.interactive) throw new BadInputError(`${what}; pass --yes to create it without a terminal to confirm on`);
  const canonical = formatTarget(spec.target);
  const answer = (await io.ask(`${what}.\nType the watch's target (${canonical}) to confirm: `)).trim();
  if (answer !== canonical && answer !== typedTarget.trim()) {
    throw new CommandFailedError(`not confirmed (${JSON.stringify(answer)} is not ${canonical}): no watch created`);
  }
}
