// The runtime's Kafka clients all come from client/ (the platform's one client):
// this is where the worker's client settings are made, and topics created.
import type { Logger } from 'pino';
import type { ClientConfig, KafkaAdmin } from '../client/index.ts';

export function connectClient(bootstrap: string, clientId: string, logger?: Logger): ClientConfig {
  return { bootstrap, clientId, logger };
}

/** Creates a topic if missing; replication factor capped at the number of brokers. */
export async function ensureTopic(admin: KafkaAdmin, topic: string, opts: { partitions: number; replicationFactor: number; configs?: Record<string, string> }): Promise<void> {
  await admin.ensureTopic({ topic, ...opts });
}
