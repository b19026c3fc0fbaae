/**
 * What shell completion needs to know, read from the commander tree at run time, so a new
 * command or option completes without anyone keeping a word list in step with it.
 */
import type { Command, Option } from 'commander';

/**
 * What an option or argument takes: one of its choices(), a file name, a context of the
 * config file (named `<context>`; the script asks `config get-contexts --names`), or any value.
 */
export type OptionValue = { kind: 'choices'; values: string[] } | { kind: 'file' } | { kind: 'context' } | { kind: 'value' };

export interface CompletionNode {
  /** Subcommand names from the root, space separated; "" for the program itself. */
  path: string;
  subcommands: string[];
  /** Every option that can be typed here: the command's own, then its ancestors' (commander parses those after a subcommand too). */
  options: string[];
  /** Options defined on this command that take a value; they apply below it too. */
  optionValues: Array<{ flags: string[]; value: OptionValue }>;
  /** What each positional argument takes, by position. */
  argumentValues: OptionValue[];
}

/** Value names that mean a path, in the option's `<…>` placeholder or at the end of its long name. */
const FILE_VALUE = /^(file|filename|path|dir)$/i;
const FILE_OPTION = /-(file|filename)$/;

export function completionTree(program: Command): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const visit = (cmd: Command, path: string, inherited: string[]) => {
    const help = cmd.createHelp();
    const own = help.visibleOptions(cmd);
    const options = unique([...own.flatMap(optionNames), ...inherited]);
    const subs = help.visibleCommands(cmd);
    nodes.push({
      path,
      subcommands: subs.map((sub) => sub.name()),
      options,
      optionValues: own.flatMap((opt) => {
        const value = optionValue(opt);
        return value === null ? [] : [{ flags: optionNames(opt), value }];
      }),
      argumentValues: cmd.registeredArguments.map((arg) => valueOf(arg.name(), arg.argChoices)),
    });
    // --help and --version belong to the command they are shown on.
    const passedDown = unique([...own.filter((o) => !isHelpOrVersion(o)).flatMap(optionNames), ...inherited]);
    for (const sub of subs) visit(sub, path === '' ? sub.name() : `${path} ${sub.name()}`, passedDown);
  };
  visit(program, '', []);
  return nodes;
}

function optionValue(opt: Option): OptionValue | null {
  if (!opt.required && !opt.optional) return null;
  if (FILE_OPTION.test(opt.long ?? '')) return { kind: 'file' };
  return valueOf(/[<[]([^>\]]+)[>\]]/.exec(opt.flags)?.[1] ?? '', opt.argChoices);
}

function valueOf(placeholder: string, choices: string[] | undefined): OptionValue {
  if (choices) return { kind: 'choices', values: [...choices] };
  if (FILE_VALUE.test(placeholder)) return { kind: 'file' };
  if (placeholder === 'context') return { kind: 'context' };
  return { kind: 'value' };
}

function optionNames(opt: Option): string[] {
  return [opt.short, opt.long].filter((n): n is string => n !== undefined);
}

function isHelpOrVersion(opt: Option): boolean {
  return opt.long === '--help' || opt.long === '--version';
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
