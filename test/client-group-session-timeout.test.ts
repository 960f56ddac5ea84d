// A member whose session times out (its event loop blocked longer than session.timeout.ms:
// no heartbeats) is dropped by the coordinator, its partitions go to the others, and once it
// runs again it notices (a heartbeat answers UNKNOWN_MEMBER_ID), revokes, rejoins, and the
// group rebalances back — without handing out records of partitions another member reads
// meanwhile: every record handled, none twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { GroupConsumer, KafkaAdmin, KafkaProducer } from '../client/index.ts';
import { startBroker } from './helpers/broker.ts';
import { assertEachHandledOnce, noteHandled, startWriter, until, type HandledBy } from './helpers/group-members.ts';

const PARTITIONS = 4;
const SESSION = 6000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ROOT = path.resolve(import.meta.dirname, '..');


test('client: a member whose session timed out rejoins, the group rebalances, no record handled twice', async (t) => {
  const b = await startBroker();
  const cfg = { bootstrap: b.bootstrap, clientId: 'st-test' };
  const admin = new KafkaAdmin(cfg);
  const producer = new KafkaProducer(cfg);
  await admin.createTopics([{ topic: 'st', partitions: PARTITIONS, replicationFactor: 1 }]);
  const handledBy: HandledBy = new Map();
  const handle = (k: string, by: string) => noteHandled(handledBy, k, by);

  // member "child": its own process, so blocking its event loop stops only its heartbeats
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/helpers/group-consumer-child.ts'), b.bootstrap, 'st-group', 'st', String(SESSION), '300'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const childEvents: Record<string, unknown>[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (l) => {
    let e: Record<string, unknown>;
    try { e = JSON.parse(l); } catch { return; }
    childEvents.push(e);
    for (const k of (e.handled as string[] | undefined) ?? []) handle(k, 'child');
  });
  const childExited = new Promise((r) => child.on('exit', r));

  // member "main": in this process
  const main = new GroupConsumer({ ...cfg, clientId: 'main', groupId: 'st-group', topics: ['st'], sessionTimeoutMs: SESSION, heartbeatIntervalMs: 300, maxWaitMs: 200 });
  let stopping = false;
  const mainLoop = (async () => {
    await main.start();
    while (!stopping) {
      const batches = await main.poll();
      const next = [];
      for (const batch of batches) {
        if (!batch.records.length || !main.owns(batch)) continue;
        for (const r of batch.records) handle(`${r.partition}/${r.offset}`, 'main');
        next.push({ topic: 'st', partition: batch.partition, offset: batch.records[batch.records.length - 1].offset + 1 });
      }
      await main.commit(next);
    }
  })();

  const writer = startWriter(producer, 'st', PARTITIONS, 20);
  t.after(async () => {
    stopping = true;
    await writer.stop().catch(() => undefined);
    if (child.exitCode === null) child.kill('SIGKILL');
    await mainLoop.catch(() => undefined);
    await main.close().catch(() => undefined);
    await Promise.all([admin.close(), producer.close()]);
    await b.stop();
  });

  const childShare = () => [...childEvents].reverse().find((e) => e.assigned || e.revoked);
  await until('both members to hold partitions', () => main.assignment().length > 0 && main.assignment().length < PARTITIONS && !!(childShare()?.assigned as number[] | undefined)?.length);
  const generationBefore = main.generationId;
  await sleep(500);

  child.stdin!.write(`block ${SESSION * 2 + 2000}\n`);
  await until('the child to block', () => childEvents.some((e) => e.blocking));
  // its session expires: the coordinator drops it and "main" gets every partition
  await until('main to get every partition', () => main.assignment().length === PARTITIONS);
  const generationAlone = main.generationId;
  assert.ok(generationAlone > generationBefore);
  await sleep(1000);
  assert.ok(!childEvents.some((e) => e.unblocked), 'the child is still blocked while main reads its partitions');

  // it runs again: it must find out it was dropped, rejoin, and get partitions back
  await until('the child to run again', () => childEvents.some((e) => e.unblocked));
  const resumedAt = childEvents.findIndex((e) => e.unblocked);
  await until('the child to rejoin with partitions', () => childEvents.slice(resumedAt).some((e) => (e.assigned as number[] | undefined)?.length), 30000);
  await until('main to give partitions back', () => main.assignment().length < PARTITIONS);
  assert.ok(main.generationId > generationAlone);
  await sleep(1500);

  const sent = await writer.stop();
  await assertEachHandledOnce(admin, 'st', sent, handledBy, 20000);
  child.stdin!.write('stop\n');
  await childExited;
});
