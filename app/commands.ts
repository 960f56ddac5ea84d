// The table of `tributary` subcommands: the one place a new subcommand registers.
// Add an entry whose `run` imports its module on demand (a literal import() is typed
// and keeps `tributary topic …` from loading the broker, Connect and the UI).
import { parseArgs } from './args.ts';
import { UsageError } from './errors.ts';

export interface Command {
  /** one line in `tributary --help` */
  summary: string;
  /**
   * Runs the command. `argv` is the command line without the command name. Throw a
   * UsageError for a bad flag (exit 2; empty message = print usage, exit 0); any error
   * with a numeric `exitCode` ends the process with it, others with 1.
   */
  run(argv: string[]): Promise<void>;
}

// Flags are checked before the components load, so a bad flag answers at once.
const platform = (name: string) => async (argv: string[]) => {
  const o = parseArgs(name, argv);
  await (await import('./platform.ts')).runPlatform(o);
};

export const COMMANDS: Record<string, Command> = {
  start: { summary: 'everything in one process: broker + registry + connect + UI', run: platform('start') },
  broker: { summary: 'a broker only', run: platform('broker') },
  registry: { summary: 'a schema registry (--bootstrap HOST:PORT)', run: platform('registry') },
  connect: { summary: 'a Connect worker (--bootstrap HOST:PORT; --redis URL for distributed mode)', run: platform('connect') },
  ui: { summary: 'the admin UI (--bootstrap, --registry, --connect, --admin-urls)', run: platform('ui') },
  mirror: { summary: 'MirrorMaker 2 flows from Kafka\'s mm2.properties (--config FILE [--data-dir D] [--connect-port P])', run: async (argv) => (await import('./commands/mirror.ts')).run(argv) },
  topic: { summary: 'create, list, describe, alter-config, delete, add-partitions (Kafka protocol)', run: async (argv) => (await import('./commands/topic.ts')).run(argv) },
  group: { summary: 'list, describe, reset-offsets (dry run unless --execute), delete consumer groups', run: async (argv) => (await import('./commands/group.ts')).run(argv) },
  produce: { summary: 'produce TOPIC: stdin lines as records (--key K)', run: async (argv) => (await import('./commands/produce.ts')).run(argv) },
  consume: { summary: 'consume TOPIC: print records (--from-beginning, --max-messages N, --group G)', run: async (argv) => (await import('./commands/consume.ts')).run(argv) },
  schema: { summary: 'schema registry: list, get, register, check, delete, compatibility', run: async (argv) => (await import('./commands/schema.ts')).run(argv) },
  partitions: { summary: 'reassign (Kafka\'s reassignment JSON, waits until done), list-reassignments, elect-leaders', run: async (argv) => (await import('./commands/partitions.ts')).run(argv) },
  cluster: { summary: 'describe the brokers; balance replicas and leaders (--drain N, --execute)', run: async (argv) => (await import('./commands/cluster.ts')).run(argv) },
  users: { summary: 'SCRAM users: set NAME --password-file F, list, delete (KIP-554 APIs)', run: async (argv) => (await import('./commands/users.ts')).run(argv) },
  acls: { summary: 'ACLs: add, list, remove with kafka-acls\' flags (--allow-principal, --operation, --topic, --group)', run: async (argv) => (await import('./commands/acls.ts')).run(argv) },
  connector: { summary: 'Connect: list, status, create, config, delete, pause, resume, restart, plugins', run: async (argv) => (await import('./commands/connector.ts')).run(argv) },
};

export function command(name: string): Command {
  const c = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!c) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  return c;
}
