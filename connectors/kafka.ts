// kafkajs clients for the runtime: one place that builds them, logs through pino.
import { Kafka, logLevel, type LogEntry, type Admin } from 'kafkajs';
import type { Logger } from 'pino';

export function kafkajsLogCreator(logger?: Logger) {
  return () => ({ level, log }: LogEntry) => {
    if (!logger) return;
    const { message, ...extra } = log;
    if (level <= logLevel.ERROR) logger.warn({ kafkajs: extra }, message);
    else logger.debug({ kafkajs: extra }, message);
  };
}

export function makeKafka(bootstrap: string, clientId: string, logger?: Logger): Kafka {
  return new Kafka({
    clientId,
    brokers: bootstrap.split(',').map((s) => s.trim()).filter(Boolean),
    logCreator: kafkajsLogCreator(logger),
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 },
  });
}

/** Creates a topic if missing; replication factor capped at the number of brokers. */
export async function ensureTopic(admin: Admin, topic: string, opts: { partitions: number; replicationFactor: number; configs?: Record<string, string> }): Promise<void> {
  const existing = await admin.listTopics();
  if (existing.includes(topic)) return;
  const cluster = await admin.describeCluster();
  const rf = Math.max(1, Math.min(opts.replicationFactor, cluster.brokers.length));
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: opts.partitions, replicationFactor: rf, configEntries: Object.entries(opts.configs ?? {}).map(([name, value]) => ({ name, value })) }],
    });
  } catch (e) {
    if (!/already exists/i.test(String((e as Error).message)) && (e as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw e;
  }
}
