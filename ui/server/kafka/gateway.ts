// The UI server's only way to the broker: the platform's Kafka client module
// (client/): its admin, one producer, and group-less partition readers.
import type { Logger } from 'pino';
import { ClusterAdmin, KafkaProducer, PartitionReader, type SecurityProps } from '../../../client/index.ts';
import { fromKafkaError } from '../errors.ts';

// The UI answers a person: fail in seconds, not after a client's default minute of retries.
const RETRIES = 2;
const REQUEST_TIMEOUT_MS = 15_000;

export class KafkaGateway {
  readonly admin: ClusterAdmin;
  private producer?: KafkaProducer;

  /** `security`: Kafka's client security settings (security.protocol, sasl.*, ssl.*) for every client here */
  constructor(readonly bootstrap: string, private readonly logger: Logger, private readonly security?: SecurityProps) {
    this.admin = new ClusterAdmin({ bootstrap, clientId: 'tributary-ui', retries: RETRIES, requestTimeoutMs: REQUEST_TIMEOUT_MS, security });
  }

  /** Runs `fn` with the admin client; errors become UiErrors naming `what`. */
  async withAdmin<T>(what: string, fn: (a: ClusterAdmin) => Promise<T>): Promise<T> {
    try {
      return await fn(this.admin);
    } catch (e) {
      this.logger.debug({ err: e, what }, 'kafka admin call failed');
      throw fromKafkaError(e, what, this.bootstrap);
    }
  }

  async withProducer<T>(what: string, fn: (p: KafkaProducer) => Promise<T>): Promise<T> {
    try {
      // Not idempotent: the UI produces single records on a person's click, and a
      // producer id per UI process buys nothing there.
      this.producer ??= new KafkaProducer({ bootstrap: this.bootstrap, security: this.security, clientId: 'tributary-ui', retries: RETRIES, requestTimeoutMs: REQUEST_TIMEOUT_MS, idempotent: false });
      return await fn(this.producer);
    } catch (e) {
      this.logger.debug({ err: e, what }, 'kafka produce failed');
      throw fromKafkaError(e, what, this.bootstrap);
    }
  }

  /** A reader of partitions by assignment (no consumer group), read_committed; the caller closes it. */
  createReader(maxWaitMs: number): PartitionReader {
    return new PartitionReader({
      bootstrap: this.bootstrap, security: this.security, clientId: 'tributary-ui-reader', retries: RETRIES, requestTimeoutMs: REQUEST_TIMEOUT_MS,
      isolation: 'read_committed', maxWaitMs,
    });
  }

  async close(): Promise<void> {
    const p = this.producer;
    this.producer = undefined;
    await Promise.all([
      this.admin.close().catch(() => undefined),
      p?.close().catch(() => undefined),
    ]);
  }
}
