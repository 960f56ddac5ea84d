// Rebalance time: from a member leaving (graceful LeaveGroup, or kill -9 and its
// session timing out) to the remaining member consuming from every partition.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startBroker } from '../test/helpers/broker.ts';
import { kcat, PYTHON } from '../test/helpers/clients.ts';
import { ROOT } from '../test/helpers/process.ts';

const PARTITIONS = 6;
const SESSION_MS = 6000;
const b = await startBroker({ config: { 'num.partitions': String(PARTITIONS) } });

function member(group: string, topic: string) {
  const child: ChildProcess = spawn(PYTHON, [path.join(ROOT, 'test/py/group_client.py'), b.bootstrap, group, topic, 'range', '-', String(SESSION_MS)], { stdio: ['ignore', 'pipe', 'ignore'] });
  const state = { assigned: [] as number[], lastMsgAt: new Map<number, number>() };
  let buf = '';
  child.stdout!.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const e = JSON.parse(buf.slice(0, i)); buf = buf.slice(i + 1);
      if (e.assigned) state.assigned = e.assigned;
      if (e.msg !== undefined) state.lastMsgAt.set(e.p, Date.now());
    }
  });
  return { child, state };
}

async function until(cond: () => boolean, ms = 60000) {
  const end = Date.now() + ms;
  while (!cond()) { if (Date.now() > end) throw new Error('timeout'); await new Promise((r) => setTimeout(r, 10)); }
}

async function measure(kind: 'leave' | 'kill'): Promise<number> {
  const topic = `reb-${kind}`; const group = `g-${kind}`;
  await kcat(['-b', b.bootstrap, '-t', topic, '-P'], 'seed\n');
  const a = member(group, topic); const c = member(group, topic);
  await until(() => a.state.assigned.length + c.state.assigned.length === PARTITIONS && a.state.assigned.length > 0 && c.state.assigned.length > 0);
  // keep every partition busy so "consuming" is observable
  const feeder = setInterval(() => { void kcat(['-b', b.bootstrap, '-t', topic, '-P', '-K:'], Array.from({ length: 60 }, (_, i) => `k${i}:v`).join('\n') + '\n').catch(() => undefined); }, 50);
  await new Promise((r) => setTimeout(r, 500));
  const t0 = Date.now();
  c.child.kill(kind === 'leave' ? 'SIGTERM' : 'SIGKILL');
  await until(() => a.state.assigned.length === PARTITIONS && [...Array(PARTITIONS).keys()].every((p) => (a.state.lastMsgAt.get(p) ?? 0) > t0));
  const dt = Date.now() - t0;
  clearInterval(feeder);
  a.child.kill('SIGKILL');
  return dt;
}

try {
  const leave = await measure('leave');
  const kill = await measure('kill');
  console.log(`rebalance, ${PARTITIONS} partitions, 2 librdkafka members (range):`);
  console.log(`  graceful leave -> survivor consuming all partitions: ${leave} ms`);
  console.log(`  kill -9 (session.timeout.ms=${SESSION_MS}) -> survivor consuming all partitions: ${kill} ms (${kill - SESSION_MS} ms after the session timeout)`);
} finally {
  await b.stop();
}
