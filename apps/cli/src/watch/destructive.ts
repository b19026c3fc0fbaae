/**
 * Actions that take a production host down ask first: a typo in a selector must not
 * panic a rack. More join the list as they land (kdump_on_hit with the kdump work).
 */
import { formatTarget, WatchSpec } from '@physwatch/core';
import { BadInputError, CommandFailedError } from '../cli-error';

export const DESTRUCTIVE_ACTIONS: Readonly<Record<string, string>> = {
  panic: 'panics the host (into kdump) on the first hit',
  hang: 'freezes the CPU of the host on the first hit, for a hardware debugger',
};

export interface ConfirmIo {
  /** True only when someone can answer: stdin and stderr are both terminals. */
  interactive: boolean;
  ask(question: string): Promise<string>;
}

/** Returns when creating the watch may go ahead; throws otherwise. */
export async function confirmDestructive(spec: WatchSpec, typedTarget: string, yes: boolean, io: ConfirmIo): Promise<void> {
  const consequence = DESTRUCTIVE_ACTIONS[spec.action];
  if (consequence === undefined || yes) return;
  const hosts = spec.hosts.kind === 'ids' ? `${spec.hosts.ids.length} host(s): ${spec.hosts.ids.join(', ')}` : `every host matching "${spec.hosts.selector}"`;
  if (!io.interactive) {
    throw new BadInputError(`--action ${spec.action} ${consequence}, on ${hosts}; pass --yes to create it without a terminal to confirm on`);
  }
  const canonical = formatTarget(spec.target);
  const answer = await io.ask(`action ${spec.action} ${consequence}, on ${hosts}.\nType the watch's target (${canonical}) to confirm: `);
  if (answer.trim() !== canonical && answer.trim() !== typedTarget.trim()) {
    throw new CommandFailedError(`not confirmed (${JSON.stringify(answer.trim())} is not ${canonical}): no watch created`);
  }
}
