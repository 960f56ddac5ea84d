// One GroupConsumer member in its own process (test/client-group-session-timeout): handles
// what poll() gives (prints it), commits after every batch, and on "block MS" from stdin
// blocks its event loop for MS (no heartbeats, no I/O), as a long GC pause or a stuck put() would.
// argv: bootstrap groupId topic sessionTimeoutMs heartbeatIntervalMs
import readline from 'node:readline';
import { GroupConsumer } from '../../client/index.ts';

const [bootstrap, groupId, topic, session, heartbeat] = process.argv.slice(2);
const say = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
let blockFor = 0;
let stopping = false;
readline.createInterface({ input: process.stdin }).on('line', (l) => {
  const [cmd, arg] = l.split(' ');
  if (cmd === 'block') blockFor = Number(arg);
  if (cmd === 'stop') stopping = true;
});

const c = new GroupConsumer({
  bootstrap, clientId: 'child', groupId, topics: [topic], sessionTimeoutMs: Number(session), heartbeatIntervalMs: Number(heartbeat), maxWaitMs: 200,
  onAssigned: (tps) => { say({ assigned: tps.map((tp) => tp.partition), generation: c.generationId }); },
  onRevoked: (tps) => { say({ revoked: tps.map((tp) => tp.partition) }); },
});
await c.start();
while (!stopping) {
  const batches = await c.poll();
  const handled: string[] = [];
  const next: { topic: string; partition: number; offset: number }[] = [];
  for (const b of batches) {
    if (!b.records.length || !c.owns(b)) continue;
    for (const r of b.records) handled.push(`${r.partition}/${r.offset}`);
    next.push({ topic, partition: b.partition, offset: b.records[b.records.length - 1].offset + 1 });
  }
  if (handled.length) { say({ handled }); await c.commit(next).catch((e) => say({ commitError: String(e?.message ?? e) })); }
  if (blockFor) {
    const ms = blockFor;
    blockFor = 0;
    say({ blocking: ms });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    say({ unblocked: true });
  }
}
await c.close();
say({ closed: true });
process.exit(0); // stdin stays open
