// `tributary` command line: finds the subcommand in the table (commands.ts), runs it,
// and turns what it throws into a one-line reason and an exit code.
import { COMMON_OPTIONS, VALUE_FLAGS } from './args.ts';
import { COMMANDS, command } from './commands.ts';
import { exitCodeOf, reasonOf, UsageError } from './errors.ts';

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const list = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`).join('\n');
  return `usage: tributary <${Object.keys(COMMANDS).join('|')}> [options]\n\n${list}\n\n${COMMON_OPTIONS}`;
}

/** Splits argv into the command name (the first word that is not a flag or a flag's value) and the rest. */
export function splitCommand(argv: string[]): { name: string | null; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('-')) { if (VALUE_FLAGS.has(a)) i++; continue; }
    return { name: a, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { name: null, rest: argv };
}

export async function main(argv: string[]): Promise<void> {
  try {
    const { name, rest } = splitCommand(argv);
    if (!name) throw new UsageError(argv.some((a) => a === '-h' || a === '--help') ? '' : 'missing command');
    await command(name).run(rest);
  } catch (e) {
    if (e instanceof UsageError && !e.message) { process.stdout.write(usage() + '\n'); process.exit(0); }
    process.stderr.write(`tributary: ${reasonOf(e)}\n`);
    process.exit(exitCodeOf(e));
  }
}
