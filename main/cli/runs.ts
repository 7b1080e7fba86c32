/**
 * `lafite runs remove` and `lafite runs rename`: tidy the Training view. Thin over
 * `runs.remove` (files and rows of a run, refused while it runs) and `runs.rename`.
 *
 * @example
 *   lafite runs rename 974df643 emoji-first-try
 *   lafite runs remove emoji-first-try --yes
 */
import type { Command } from 'commander';
import { invalidInput } from '../contract/errors.ts';
import type { CliContext } from './context.ts';
import { printResult } from './output.ts';

/** Bytes in words: 1.2 GB, 340 MB, 12 kB. */
export const formatBytes = (bytes: number): string =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(0)} MB` : bytes >= 1e3 ? `${(bytes / 1e3).toFixed(0)} kB` : `${bytes} B`;

export function registerRunAdminCommands(program: Command, cli: CliContext): void {
  const { withService, output } = cli;
  const runs = program.commands.find((command) => command.name() === 'runs');
  if (!runs) throw new Error('the runs command group is registered first (cli/train.ts)');
  runs
    .command('remove <id>')
    .description('delete a training run: its checkpoint, snapshots, sample grids, generations and evaluations (refused while it or one of its jobs runs); needs --yes')
    .option('--yes', 'really delete it (there is no undo)')
    .action(
      withService(async (service, id: string, options: { yes?: boolean }) => {
        const run = await service.call('runs.get', { id, maxPoints: 10 });
        if (!options.yes) {
          throw invalidInput(
            `this deletes run ${run.id}${run.name ? ` (${run.name})` : ''} and its files (${formatBytes(run.diskBytes ?? 0)}): say \`lafite runs remove ${id} --yes\``,
            'yes',
          );
        }
        printResult(await service.call('runs.remove', { id: run.id }), output(), (r) => `removed run ${r.id} (${r.removedJobs} jobs, ${formatBytes(r.freedBytes)} freed)`);
      }),
    );
  runs
    .command('rename <id> <name>')
    .description('name a training run: the name is shown beside its id and accepted wherever the id is')
    .action(
      withService(async (service, id: string, name: string) => {
        printResult(await service.call('runs.rename', { id, name }), output(), (r) => `run ${r.id} is now named ${r.name}`);
      }),
    );
}
