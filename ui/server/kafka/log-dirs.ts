// DescribeLogDirs (API key 35) sent through kafkajs' connection, since kafkajs'
// admin has no call for it. Encoded with kafkajs' own Encoder/Decoder.
//   DescribeLogDirs Request (Version: 1) => [topics]      (null = every partition)
//     topics => topic [partitions]
//   DescribeLogDirs Response (Version: 1) => throttle_time_ms [results]
//     results => error_code log_dir [topics]
//       topics => name [partitions]
//         partitions => partition_index partition_size offset_lag is_future_key
import { createRequire } from 'node:module';
import type { KjsBroker } from './gateway.ts';

const require = createRequire(import.meta.url);
interface Enc { writeInt32(n: number): Enc }
interface Dec {
  readInt16(): number; readInt32(): number; readInt64(): { toString(): string }; readString(): string; readBoolean(): boolean;
  readArray<T>(r: (d: Dec) => T): T[];
}
const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => Enc;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => Dec;

export interface LogDirReport {
  logDir: string;
  errorCode: number;
  topics: { name: string; partitions: { partition: number; size: number }[] }[];
}

export async function describeLogDirs(broker: KjsBroker): Promise<LogDirReport[]> {
  const request = {
    apiKey: 35, apiVersion: 1, apiName: 'DescribeLogDirs',
    encode: async () => new Encoder().writeInt32(-1),
  };
  const response = {
    decode: async (raw: Buffer) => {
      const d = new Decoder(raw);
      d.readInt32(); // throttle
      return d.readArray((r) => ({
        errorCode: r.readInt16(),
        logDir: r.readString(),
        topics: r.readArray((t) => ({
          name: t.readString(),
          partitions: t.readArray((p) => {
            const partition = p.readInt32();
            const size = Number(p.readInt64().toString());
            p.readInt64(); p.readBoolean();
            return { partition, size };
          }),
        })),
      }));
    },
    parse: async (x: LogDirReport[]) => x,
  };
  return await broker.connectionPool.send({ request, response }) as LogDirReport[];
}
