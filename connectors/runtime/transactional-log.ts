// Exactly-once sources write connect-offsets inside transactions, so that topic now
// holds transaction markers (control records) and aborted records. kafkajs never hands
// those to eachBatch, and the internal-topic reader (storage/kafka-based-log.ts) counts
// a partition as read once it applied the record at the end offset − 1: a marker there
// would keep "read to end" waiting forever (a worker could not start again).
//
// This wraps the Kafka client given to ConnectState: its consumers' eachBatch also
// receives, after the real records, a keyless placeholder at the batch's last offset
// (control/aborted records included), and batches made only of such records (which
// kafkajs does not hand to eachBatch) are reported through the same placeholder. The
// reader skips keyless records, so only its position moves. Without transactional
// records this changes nothing: the placeholder is only added past the last real record.
// It also tracks each partition's position, so the runtime can wait until the offsets
// topic was read to its end before an exactly-once task reads its offsets.
import type { Admin, Consumer, ConsumerRunConfig, EachBatchPayload, Kafka } from 'kafkajs';

export class TransactionalLogTracker {
  /** topic:partition → last offset the internal reader went past */
  private readonly position = new Map<string, number>();
  readonly kafka: Kafka;

  constructor(private readonly inner: Kafka) {
    const self = this;
    this.kafka = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'consumer') return (cfg: Parameters<Kafka['consumer']>[0]) => self.wrapConsumer(target.consumer(cfg));
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  }

  private note(topic: string, partition: number, offset: number): void {
    const k = `${topic}:${partition}`;
    if (offset > (this.position.get(k) ?? -1)) this.position.set(k, offset);
  }

  private wrapConsumer(c: Consumer): Consumer {
    const self = this;
    const run = c.run.bind(c);
    c.run = async (cfg?: ConsumerRunConfig) => {
      const eachBatch = cfg?.eachBatch;
      if (!eachBatch) return run(cfg);
      const placeholder = (p: Pick<EachBatchPayload, 'heartbeat'> & Partial<EachBatchPayload>, topic: string, partition: number, offset: string) =>
        eachBatch({ ...p, batch: { topic, partition, messages: [{ offset, key: null, value: null, timestamp: '0', attributes: 0, headers: {} }] } } as unknown as EachBatchPayload);
      // batches of control/aborted records only: kafkajs skips eachBatch but reports them here
      c.on(c.events.END_BATCH_PROCESS, (ev) => {
        const p = ev.payload as { topic: string; partition: number; batchSize: number; lastOffset: string };
        if (p.batchSize !== 0) return;
        void placeholder({ heartbeat: async () => undefined }, p.topic, p.partition, p.lastOffset)
          .then(() => self.note(p.topic, p.partition, Number(p.lastOffset)), () => undefined);
      });
      return run({
        ...cfg,
        eachBatch: async (payload) => {
          await eachBatch(payload);
          const { batch } = payload;
          const lastReal = batch.messages.length ? Number(batch.messages[batch.messages.length - 1].offset) : -1;
          const last = Number(batch.lastOffset());
          if (last > lastReal) await placeholder(payload, batch.topic, batch.partition, String(last));
          self.note(batch.topic, batch.partition, Math.max(last, lastReal));
        },
      });
    };
    return c;
  }

  /** Waits until the internal reader went past every record of `topic` present now (open transactions: until they end). */
  async readToEnd(admin: Admin, topic: string, timeoutMs = 30000): Promise<void> {
    const ends = (await admin.fetchTopicOffsets(topic)).filter((p) => Number(p.high) > Number(p.low)).map((p) => [`${topic}:${p.partition}`, Number(p.high) - 1] as const);
    const deadline = Date.now() + timeoutMs;
    while (!ends.every(([k, last]) => (this.position.get(k) ?? -1) >= last)) {
      if (Date.now() > deadline) throw new Error(`reading ${topic} to its end took longer than ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
