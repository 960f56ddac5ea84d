// Static group membership (KIP-345) with python confluent-kafka (librdkafka 2.0.2):
// a restarted static leader, and fencing of a duplicate instance id (librdkafka test 0102).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startBroker } from './helpers/broker.ts';
import { kcat, python } from './helpers/clients.ts';

const SCRIPT = path.join(import.meta.dirname, 'py/static_member.py');

async function py(args: string[]): Promise<any> {
  const r = await python([SCRIPT, ...args], 90000);
  if (r.status !== 0) throw new Error(`static_member.py ${args.slice(1, 2)} exited with ${r.status}${r.status === null ? ' (killed by a signal)' : ''}:\n${r.stderr.slice(-2000)}\n${r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => `m${from + i}`).join('\n') + '\n';

for (const strategy of ["cooperative-sticky"]) {
  test(`${strategy}: a static group leader that restarts rejoins and consumes on (no leader answer with an empty member list)`, async (t) => {
    const b = await startBroker({ config: { 'num.partitions': '2' } });
    t.after(() => b.stop());
    const topic = `static-${strategy}`;
    await kcat(['-b', b.bootstrap, '-P', '-t', topic, '-p', '0'], lines(0, 5));
    const first = await py([b.bootstrap, 'consume', 'g-static', topic, 'inst-1', strategy, '5']);
    assert.deepEqual(first.got.sort(), ['m0', 'm1', 'm2', 'm3', 'm4']);
    // The same instance id again, in a new process, while the group still holds the old member (no LeaveGroup for static members).
    await kcat(['-b', b.bootstrap, '-P', '-t', topic, '-p', '0'], lines(5, 5));
    const second = await py([b.bootstrap, 'consume', 'g-static', topic, 'inst-1', strategy, '5']);
    assert.deepEqual(second.got.sort(), ['m5', 'm6', 'm7', 'm8', 'm9']);
    const g = b.broker.groups!.groups.get('g-static')!;
    assert.equal(g.members.size, 1, 'the restarted instance replaced its old member');
  });
}

test('librdkafka 0102: a second consumer with the same group.instance.id fences the first (FENCED_INSTANCE_ID, fatal)', async (t) => {
  const b = await startBroker({ config: { 'num.partitions': '3' } });
  t.after(() => b.stop());
  await kcat(['-b', b.bootstrap, '-P', '-t', 'fence'], 'x\n');
  const out = await py([b.bootstrap, 'fence', 'g-fence', 'fence']);
  assert.ok(out.initial.c1?.length && out.initial.c2a?.length, `initial assignments ${JSON.stringify(out.initial)}`);
  // librdkafka's text for FENCED_INSTANCE_ID (82), raised as a fatal error (ERR__FATAL)
  assert.match(out.fatal_msg ?? `no fatal error; errors ${JSON.stringify(out.errors.c2a)}`, /^Fatal error: .*Static consumer fenced by other consumer with same group\.instance\.id/);
  assert.deepEqual(out.errors.c1.filter((e: any) => e.fatal), []);
  assert.deepEqual(out.errors.c2b.filter((e: any) => e.fatal), []);
  // consumer1 and consumer2b end up sharing the three partitions
  assert.deepEqual([...(out.after.c1 ?? []), ...(out.after.c2b ?? [])].sort(), [0, 1, 2], JSON.stringify(out.after));
});
