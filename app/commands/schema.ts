// tributary schema … — the schema registry's REST API (Confluent's), in one vocabulary.
import fs from 'node:fs';
import { UsageError } from '../errors.ts';
import { http, parse, print, runCommand, type Parsed } from './common.ts';

const HELP = `usage: tributary schema <list|get|register|check|delete|compatibility> [SUBJECT] [options]

  list                                   subjects
  get SUBJECT [--version N|latest]       a version's id, type and schema (--id N: by id)
  register SUBJECT --file F [--type AVRO|PROTOBUF|JSON]
  check SUBJECT --file F [--type …]      is it compatible with the subject (exit 1 when not)?
  delete SUBJECT [--version N] [--permanent]
  compatibility [SUBJECT] [--set LEVEL]  show or set the level (BACKWARD, FULL_TRANSITIVE, NONE, …)

example:
  tributary schema register orders-value --file order.avsc
  tributary schema check orders-value --file order-v2.avsc --registry http://localhost:8081`;

const FLAGS = { '--version': { value: true }, '--id': { value: true }, '--file': { value: true }, '--type': { value: true }, '--permanent': {}, '--set': { value: true } };
const enc = encodeURIComponent;

export async function run(argv: string[]): Promise<void> {
  await runCommand(argv, async () => {
    const p = parse(argv, FLAGS, HELP);
    const [sub, subject] = p.positional;
    const call = (method: string, path: string, body?: unknown) => http(p.registry, method, path, body, 'schema registry');
    const need = () => { if (!subject) throw new UsageError('missing SUBJECT'); return subject; };
    switch (sub) {
      case 'list': case 'ls': {
        const subjects: string[] = (await call('GET', '/subjects')).body;
        print(p, subjects.sort().map((s) => ({ subject: s })), ['subject'], subjects);
        return;
      }
      case 'get': {
        if (p.has('--id')) {
          const r = (await call('GET', `/schemas/ids/${enc(p.get('--id')!)}`)).body;
          return show(p, { id: Number(p.get('--id')), schemaType: r.schemaType ?? 'AVRO', schema: r.schema });
        }
        const r = (await call('GET', `/subjects/${enc(need())}/versions/${enc(p.get('--version') ?? 'latest')}`)).body;
        return show(p, r);
      }
      case 'register': {
        const r = (await call('POST', `/subjects/${enc(need())}/versions`, body(p))).body;
        print(p, [{ subject, id: r.id }]);
        return;
      }
      case 'check': {
        const r = (await call('POST', `/compatibility/subjects/${enc(need())}/versions/latest?verbose=true`, body(p))).body;
        print(p, [{ subject, compatible: r.is_compatible, reasons: (r.messages ?? []).join('; ') || null }], ['subject', 'compatible', 'reasons'], r);
        if (!r.is_compatible) process.exitCode = 1;
        return;
      }
      case 'delete': {
        const v = p.get('--version');
        const q = p.has('--permanent') ? '?permanent=true' : '';
        if (p.has('--permanent')) {
          // Confluent's rule: soft delete first, then permanent
          await call('DELETE', v ? `/subjects/${enc(need())}/versions/${enc(v)}` : `/subjects/${enc(need())}`).catch(() => undefined);
        }
        const r = (await call('DELETE', (v ? `/subjects/${enc(need())}/versions/${enc(v)}` : `/subjects/${enc(need())}`) + q)).body;
        print(p, [{ subject, deleted: Array.isArray(r) ? r.join(',') : r }]);
        return;
      }
      case 'compatibility': {
        const path = subject ? `/config/${enc(subject)}` : '/config';
        if (p.has('--set')) {
          const r = (await call('PUT', path, { compatibility: p.get('--set')!.toUpperCase() })).body;
          print(p, [{ subject: subject ?? '(global)', compatibility: r.compatibility }]);
        } else {
          const r = (await call('GET', subject ? `${path}?defaultToGlobal=true` : path)).body;
          print(p, [{ subject: subject ?? '(global)', compatibility: r.compatibilityLevel ?? r.compatibility }]);
        }
        return;
      }
      default: throw new UsageError(sub ? `unknown schema subcommand ${JSON.stringify(sub)} (see --help)` : 'schema needs a subcommand: list, get, register, check, delete, compatibility (see --help)');
    }
  });
}

function body(p: Parsed): { schema: string; schemaType?: string } {
  const f = p.get('--file');
  if (!f) throw new UsageError('--file F is required (the schema text)');
  let schema: string;
  try { schema = fs.readFileSync(f, 'utf8'); } catch (e) { throw new UsageError(`cannot read --file ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  const type = p.get('--type')?.toUpperCase() ?? (f.endsWith('.proto') ? 'PROTOBUF' : f.endsWith('.json') && !/"type"\s*:\s*"record"/.test(schema) ? 'JSON' : 'AVRO');
  if (!['AVRO', 'PROTOBUF', 'JSON'].includes(type)) throw new UsageError('--type expects AVRO, PROTOBUF or JSON');
  return type === 'AVRO' ? { schema } : { schema, schemaType: type };
}

function show(p: Parsed, r: { subject?: string; version?: number; id: number; schemaType?: string; schema: string }): void {
  if (p.json) { print(p, [], undefined, r); return; }
  process.stdout.write(`${r.subject ? `subject ${r.subject}  version ${r.version}  ` : ''}id ${r.id}  type ${r.schemaType ?? 'AVRO'}\n${r.schema}\n`);
}
