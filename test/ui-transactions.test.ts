// The message browser reads committed records only: an aborted transaction's
// records, the transaction markers and an open transaction's records never show,
// and a scan still reaches the end of the topic (the UI API over HTTP, which the
// browser pages call).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KafkaProducer } from '../client/producer.ts';
import { ClusterAdmin } from '../client/admin-cluster.ts';
import { startUi } from '../ui/server/index.ts';
import { startBroker } from './helpers/broker.ts';

interface Ev { type: string; reason?: string; message?: { offset: string; value: { text: string } } }

async function browse(url: string): Promise<Ev[]> {
  const res = await fetch(url);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as Ev);
}

test('ui: the message browser shows committed records only', async (t) => {
  const broker = await startBroker();
  t.after(() => broker.stop());
  const admin = new ClusterAdmin({ bootstrap: broker.bootstrap, clientId: 'ui-txn-test' });
  t.after(() => admin.close());
  await admin.createTopic({ topic: 'payments' });
  const ui = await startUi({ bootstrap: broker.bootstrap, host: '127.0.0.1', port: 0 });
  t.after(() => ui.close());
  const producer = new KafkaProducer({ bootstrap: broker.bootstrap, clientId: 'ui-txn-test', transactionalId: 'ui-txn-test' });
  t.after(() => producer.close());
  await producer.initTransactions();

  const send = async (values: string[], end: 'commit' | 'abort') => {
    const tx = await producer.beginTransaction();
    await tx.send(values.map((value) => ({ topic: 'payments', key: value, value })));
    await tx[end]();
  };
  await send(['paid-1', 'paid-2'], 'commit');
  await send(['void-1', 'void-2', 'void-3'], 'abort');
  await send(['paid-3'], 'commit');

  const oldest = await browse(`${ui.url}/api/topics/payments/browse?mode=oldest&limit=100`);
  assert.deepEqual(oldest.filter((e) => e.type === 'message').map((e) => e.message!.value.text), ['paid-1', 'paid-2', 'paid-3']);
  assert.equal(oldest.at(-1)!.reason, 'end');
  const newest = await browse(`${ui.url}/api/topics/payments/browse?mode=newest&limit=100`);
  assert.deepEqual(newest.filter((e) => e.type === 'message').map((e) => e.message!.value.text).sort(), ['paid-1', 'paid-2', 'paid-3']);

  // An aborted record asked for by its offset is not there.
  const abortedOffset = 3; // paid-1, paid-2, marker, then void-1
  const one = await fetch(`${ui.url}/api/topics/payments/messages/0/${abortedOffset}`);
  assert.equal(one.status, 404);
  assert.equal(((await one.json()) as { code: string }).code, 'message_not_found');

  // An open transaction's records stay hidden until it commits.
  const open = await producer.beginTransaction();
  t.after(() => open.abort().catch(() => undefined));
  await open.send([{ topic: 'payments', key: 'pending', value: 'pending-1' }]);
  const during = await browse(`${ui.url}/api/topics/payments/browse?mode=oldest&limit=100`);
  assert.deepEqual(during.filter((e) => e.type === 'message').map((e) => e.message!.value.text), ['paid-1', 'paid-2', 'paid-3']);
  assert.equal(during.at(-1)!.reason, 'end');
  await open.commit();
  const after = await browse(`${ui.url}/api/topics/payments/browse?mode=oldest&limit=100`);
  assert.deepEqual(after.filter((e) => e.type === 'message').map((e) => e.message!.value.text), ['paid-1', 'paid-2', 'paid-3', 'pending-1']);
});
