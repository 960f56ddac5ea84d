// tributary connector … — Kafka Connect's REST API in one vocabulary.
import fs from 'node:fs';
import { UsageError } from '../errors.ts';
import { http, pairs, parse, print, runCommand } from './common.ts';

const HELP = `usage: tributary connector <list|status|create|config|delete|pause|resume|restart|plugins> [NAME] [options]

  list                                  connectors with their state and tasks
  status NAME                           connector and task states (a failed task's trace with --output json)
  create NAME --file config.json | --set key=value…   (create, or update an existing one)
  config NAME                           its configuration
  delete NAME · pause NAME · resume NAME
  restart NAME [--include-tasks] [--only-failed]
  plugins                               installed connector plugins

example:
  tributary connector create files --set connector.class=FileStreamSource --set file=/tmp/in.txt --set topic=lines
  tributary connector status files`;

const FLAGS = { '--file': { value: true }, '--set': { value: true, repeat: true }, '--include-tasks': {}, '--only-failed': {} };
const enc = encodeURIComponent;

export async function run(argv: string[]): Promise<void> {
  await runCommand(argv, async () => {
    const p = parse(argv, FLAGS, HELP);
    const [sub, name] = p.positional;
    const call = (method: string, path: string, body?: unknown) => http(p.connect, method, path, body, 'Connect');
    const need = () => { if (!name) throw new UsageError('missing NAME'); return name; };
    switch (sub) {
      case 'list': case 'ls': {
        const all: Record<string, { status: { connector: { state: string }; tasks: { id: number; state: string }[]; type: string } }> = (await call('GET', '/connectors?expand=status')).body;
        const rows = Object.entries(all).sort(([a], [b]) => a.localeCompare(b)).map(([n, v]) => ({ connector: n, type: v.status.type, state: v.status.connector.state, tasks: v.status.tasks.map((t) => `${t.id}:${t.state}`).join(' ') }));
        print(p, rows, ['connector', 'type', 'state', 'tasks'], all);
        return;
      }
      case 'status': {
        const s = (await call('GET', `/connectors/${enc(need())}/status`)).body;
        if (p.json) { print(p, [], undefined, s); return; }
        process.stdout.write(`connector ${s.name}  type ${s.type}  state ${s.connector.state}  worker ${s.connector.worker_id}\n\n`);
        print(p, s.tasks.map((t: { id: number; state: string; worker_id: string; trace?: string }) => ({ task: t.id, state: t.state, worker: t.worker_id, error: t.trace ? t.trace.split('\n')[0] : null })));
        if (s.connector.state === 'FAILED' || s.tasks.some((t: { state: string }) => t.state === 'FAILED')) process.exitCode = 1;
        return;
      }
      case 'create': {
        let config: Record<string, string> = {};
        const f = p.get('--file');
        if (f) {
          let parsed: any;
          try { parsed = JSON.parse(fs.readFileSync(f, 'utf8')); } catch (e) { throw new UsageError(`--file ${f}: ${(e as Error).message}`); }
          config = parsed.config ?? parsed;
        }
        config = { ...config, ...pairs(p, '--set') };
        if (!config['connector.class']) throw new UsageError('create needs connector.class (in --file or --set connector.class=…)');
        const r = await call('PUT', `/connectors/${enc(need())}/config`, config);
        print(p, [{ connector: name, status: r.status === 201 ? 'created' : 'updated', tasks: r.body.tasks?.length ?? 0 }], undefined, r.body);
        return;
      }
      case 'config': {
        const c = (await call('GET', `/connectors/${enc(need())}/config`)).body;
        print(p, Object.entries(c).map(([key, value]) => ({ key, value })), ['key', 'value'], c);
        return;
      }
      case 'delete': await call('DELETE', `/connectors/${enc(need())}`); print(p, [{ connector: name, status: 'deleted' }]); return;
      case 'pause': await call('PUT', `/connectors/${enc(need())}/pause`); print(p, [{ connector: name, status: 'pausing' }]); return;
      case 'resume': await call('PUT', `/connectors/${enc(need())}/resume`); print(p, [{ connector: name, status: 'resuming' }]); return;
      case 'restart': {
        const q = `?includeTasks=${p.has('--include-tasks')}&onlyFailed=${p.has('--only-failed')}`;
        await call('POST', `/connectors/${enc(need())}/restart${q}`);
        print(p, [{ connector: name, status: 'restarting' }]);
        return;
      }
      case 'plugins': {
        const l: { class: string; type: string; version: string }[] = (await call('GET', '/connector-plugins')).body;
        print(p, l.map((x) => ({ class: x.class, type: x.type, version: x.version })), ['class', 'type', 'version'], l);
        return;
      }
      default: throw new UsageError(sub ? `unknown connector subcommand ${JSON.stringify(sub)} (see --help)` : 'connector needs a subcommand: list, status, create, config, delete, pause, resume, restart, plugins (see --help)');
    }
  });
}
