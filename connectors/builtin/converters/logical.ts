// Kafka Connect's logical types on the wire: Decimal = big-endian two's complement
// unscaled integer (scale in schema parameters), Date = int32 days since epoch,
// Time = int32 ms of day, Timestamp = int64 ms since epoch.
import { Logical, type Schema } from '../../../plugins/sdk/index.ts';

// The conversions themselves are the SDK's (plugins/sdk/decimal.ts): every connector shares them.
export { DataException, decimalToUnscaled, unscaledToDecimal, bigintToBytes, bytesToBigint, scaleOf, toMillis } from '../../../plugins/sdk/index.ts';

export const isLogical = (s: Schema | null | undefined, name: string) => !!s && s.name === name;
export { Logical };
