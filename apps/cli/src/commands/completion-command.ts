/** `physwatch completion bash|zsh`: prints the completion script for the commands this build has. */
import { Argument, Command } from 'commander';
import { COMPLETION_SHELLS, CompletionShell, completionScript } from '../completion/completion-script';
import type { CliIo } from '../io';

export function addCompletionCommand(program: Command, io: CliIo): void {
  program
    .command('completion')
    .description('print a shell completion script (subcommands, options, option values, files)')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(COMPLETION_SHELLS))
    .addHelpText(
      'after',
      [
        '',
        'Install:',
        '  bash: physwatch completion bash > /etc/bash_completion.d/physwatch',
        '        (or, for one user: echo \'source <(physwatch completion bash)\' >> ~/.bashrc)',
        '  zsh:  physwatch completion zsh > "${fpath[1]}/_physwatch"   # any directory in $fpath, before compinit',
        '        (or: echo \'source <(physwatch completion zsh)\' >> ~/.zshrc, after compinit)',
        'Regenerate after upgrading physwatch: the script is written from this version\'s commands.',
      ].join('\n'),
    )
    .action((shell: CompletionShell, _flags: unknown, cmd: Command) => {
      let root = cmd;
      while (root.parent) root = root.parent;
      io.out(completionScript(shell, root));
    });
}
