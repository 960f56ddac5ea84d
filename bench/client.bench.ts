// The internal client (client/, on @platformatic/kafka) against kafkajs, same broker,
// same run: produce (batches of 1000 records of 100 bytes, acks=all, idempotent) and
// read back from the beginning (client/: PartitionReader by assignment; kafkajs: a
// consumer group), uncompressed and per codec (kafkajs has no lz4/zstd built in).
// BENCH_COUNT scales the runs (default 200000 records).
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import { KafkaAdmin, KafkaProducer, PartitionReader, type Codec } from '../client/index.ts';
import { startBroker } from '../test/helpers/broker.ts';

const COUNT = Number(process.env.BENCH_COUNT ?? 200000);
const BATCH = 1000;
const value = Buffer.alloc(100, 'x');
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en-US');

const b = await startBroker();
try {
  const admin = new KafkaAdmin({ bootstrap: b.bootstrap, clientId: 'bench' });
  const kafka = new Kafka({ clientId: 'bench', brokers: [b.bootstrap], logLevel: logLevel.NOTHING });

  async function ours(codec: Codec) {
    const topic = `ours-${codec}`;
    await admin.createTopics([{ topic, partitions: 1, replicationFactor: 1 }]);
    const p = new KafkaProducer({ bootstrap: b.bootstrap, clientId: 'bench', compression: codec });
    let t = performance.now();
    for (let i = 0; i < COUNT; i += BATCH) await p.send(Array.from({ length: Math.min(BATCH, COUNT - i) }, (_, j) => ({ topic, partition: 0, key: null, value })));
    const prodMs = performance.now() - t;
    await p.close();
    const r = new PartitionReader({ bootstrap: b.bootstrap, clientId: 'bench', maxWaitMs: 100, partitionMaxBytes: 4 << 20 });
    await r.assign([{ topic, partition: 0, offset: 0 }]);
    t = performance.now();
    let n = 0;
    while (n < COUNT) for (const x of await r.poll()) n += x.records.length;
    const consMs = performance.now() - t;
    await r.close();
    console.log(`client/ (@platformatic/kafka) ${codec}: produce ${rate(COUNT, prodMs)} rec/s, read back ${rate(COUNT, consMs)} rec/s`);
  }

  async function kjs(codec: 'none' | 'gzip') {
    const topic = `kafkajs-${codec}`;
    await admin.createTopics([{ topic, partitions: 1, replicationFactor: 1 }]);
    const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await p.connect();
    let t = performance.now();
    for (let i = 0; i < COUNT; i += BATCH) await p.send({ topic, acks: -1, compression: codec === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None, messages: Array.from({ length: Math.min(BATCH, COUNT - i) }, () => ({ key: null, value, partition: 0 })) });
    const prodMs = performance.now() - t;
    await p.disconnect();
    const c = kafka.consumer({ groupId: `bench-${codec}`, maxWaitTimeInMs: 100, maxBytesPerPartition: 4 << 20 });
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    let n = 0;
    t = performance.now();
    await new Promise<void>((resolve) => { void c.run({ eachBatch: async ({ batch }) => { n += batch.messages.length; if (n >= COUNT) resolve(); } }); });
    const consMs = performance.now() - t;
    await c.disconnect();
    console.log(`kafkajs ${codec}: produce ${rate(COUNT, prodMs)} rec/s, read back (group join included) ${rate(COUNT, consMs)} rec/s`);
  }

  for (const codec of ['none', 'gzip'] as const) { await kjs(codec); await ours(codec); }
  for (const codec of ['snappy', 'lz4', 'zstd'] as const) await ours(codec);
  console.log('kafkajs snappy/lz4/zstd: not built in (KafkaJSNotImplemented without extra codec packages)');
  await admin.close();
} finally {
  await b.stop();
}
