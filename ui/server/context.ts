// What every route plugin receives: the clients of the broker, registry and Connect.
import type { Logger } from 'pino';
import type { KafkaGateway } from './kafka/gateway.ts';
import type { RecordReader } from './kafka/partition-reader.ts';
import type { SchemaDecoder } from './messages/schema-decoder.ts';
import type { Samplers } from './services/samplers.ts';
import type { Upstream } from './services/upstream.ts';

export interface UiContext {
  bootstrap: string;
  gw: KafkaGateway;
  reader: RecordReader;
  decoder: SchemaDecoder | null;
  samplers: Samplers;
  registry: Upstream;
  connect: Upstream;
  /** Connect workers whose Mirror* connectors the Mirroring page lists: --connect and --mirror-connect */
  mirrorConnects: Upstream[];
  logger: Logger;
}
