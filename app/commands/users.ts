// tributary users set|list|delete — SCRAM users over Kafka's KIP-554 APIs (what
// kafka-configs --entity-type users --alter --add-config 'SCRAM-SHA-512=[password=…]' does).
import fs from 'node:fs';
import { ScramAdmin } from '../../client/scram-admin.ts';
import { UsageError } from '../errors.ts';
import { CommandError, EXIT, clientConfig, parse, print, runCommand } from './common.ts';

const HELP = `usage: tributary users <set|list|delete> [NAME] [options]

  set NAME --password-file F [--mechanism SCRAM-SHA-512|SCRAM-SHA-256] [--iterations 4096]
                              create or change a SCRAM user (the password is salted and hashed
                              here; the broker stores only the salted form)
  list [NAME…]                users and their SCRAM mechanisms
  delete NAME [--mechanism M] remove a user's credential (default: every mechanism it has)

The first users can be made over a listener whose principal is a super user, as in Kafka
(e.g. a loopback PLAINTEXT listener with super.users=User:ANONYMOUS); later ones with an
admin's own credentials in --command-config.

example:
  printf 's3cret' > alice.pw
  tributary users set alice --password-file alice.pw --bootstrap 127.0.0.1:9092
  tributary users list --bootstrap broker:9093 --command-config admin.properties`;

const FLAGS = { '--password-file': { value: true }, '--mechanism': { value: true }, '--iterations': { value: true } };
type Mechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

function mechanismOf(v: string | undefined): Mechanism | undefined {
  if (v === undefined) return undefined;
  const m = v.toUpperCase();
  if (m !== 'SCRAM-SHA-256' && m !== 'SCRAM-SHA-512') throw new UsageError(`--mechanism expects SCRAM-SHA-256 or SCRAM-SHA-512, got ${JSON.stringify(v)}`);
  return m;
}

/** Kafka's errors for these APIs, to exit codes. */
function failure(e: unknown): never {
  const c = (e as { errorCode?: number }).errorCode;
  if (c === 91) throw new CommandError((e as Error).message, EXIT.NOT_FOUND);
  if (c !== undefined) throw new CommandError((e as Error).message, EXIT.FAILED);
  throw e;
}

export async function run(argv: string[]): Promise<void> {
  await runCommand(argv, async () => {
    const p = parse(argv, FLAGS, HELP);
    const [sub, ...names] = p.positional;
    if (!sub) throw new UsageError('users needs a subcommand: set, list, delete (see --help)');
    const admin = new ScramAdmin(clientConfig(p));
    try {
      switch (sub) {
        case 'set': {
          if (names.length !== 1) throw new UsageError('users set needs one NAME');
          const file = p.get('--password-file');
          if (!file) throw new UsageError('users set needs --password-file FILE (the password, one line)');
          let password: string;
          try { password = fs.readFileSync(file, 'utf8').replace(/\r?\n$/, ''); } catch (e) { throw new UsageError(`cannot read --password-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
          if (!password) throw new UsageError(`--password-file ${file} is empty`);
          const mechanism = mechanismOf(p.get('--mechanism')) ?? 'SCRAM-SHA-512';
          await admin.set(names[0], password, mechanism, p.int('--iterations') ?? 4096).catch(failure);
          process.stdout.write(`user ${names[0]}: ${mechanism} credential set\n`);
          return;
        }
        case 'list': case 'ls': {
          const users = await admin.list(names).catch(failure);
          print(p, users.flatMap((u) => u.credentials.map((c) => ({ user: u.user, mechanism: c.mechanism, iterations: c.iterations }))), ['user', 'mechanism', 'iterations'], users);
          return;
        }
        case 'delete': {
          if (names.length !== 1) throw new UsageError('users delete needs one NAME');
          const only = mechanismOf(p.get('--mechanism'));
          const mechanisms = only ? [only] : (await admin.list(names).catch(failure))[0]?.credentials.map((c) => c.mechanism as Mechanism) ?? [];
          for (const m of mechanisms) await admin.delete(names[0], m).catch(failure);
          process.stdout.write(`user ${names[0]}: ${mechanisms.join(', ')} deleted\n`);
          return;
        }
        default: throw new UsageError(`unknown users subcommand ${JSON.stringify(sub)} (see --help)`);
      }
    } finally {
      await admin.close();
    }
  });
}
