// The runtime's Kafka clients all come from client/ (the platform's one client):
// this is where the worker's client settings are made (topics: KafkaAdmin.ensureTopic).
import type { Logger } from 'pino';
import type { ClientConfig } from '../client/index.ts';

export function connectClient(bootstrap: string, clientId: string, logger?: Logger): ClientConfig {
  return { bootstrap, clientId, logger };
}
