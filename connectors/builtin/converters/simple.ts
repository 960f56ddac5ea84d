// StringConverter and ByteArrayConverter (Kafka's storage/converters packages).
import { ConfigDef, Validators, S, type Converter, type ConverterResult, type Props, type Schema } from '../../../plugins/sdk/index.ts';
import { DataException } from './logical.ts';

// one schema object for every record: converters and transforms cache derived schemas by object (WeakMap)
const OPTIONAL_STRING = S.optional(S.string());
const OPTIONAL_BYTES = S.optional(S.bytes());

export class StringConverter implements Converter {
  private encoding: BufferEncoding = 'utf8';
  config(): ConfigDef {
    return new ConfigDef().define({ name: 'converter.encoding', type: 'STRING', default: 'UTF8', documentation: 'The name of the character encoding.' });
  }
  configure(props: Props): void {
    const e = (props['converter.encoding'] ?? props['serializer.encoding'] ?? 'UTF8').toLowerCase().replace('-', '');
    this.encoding = (e === 'utf8' ? 'utf8' : e === 'usascii' || e === 'ascii' ? 'ascii' : e === 'iso88591' || e === 'latin1' ? 'latin1' : e === 'utf16le' ? 'utf16le' : 'utf8');
  }
  fromConnectData(_t: string, _s: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    if (Buffer.isBuffer(value)) return value;
    return Buffer.from(typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value), this.encoding);
  }
  toConnectData(_t: string, value: Buffer | null): ConverterResult {
    return { schema: OPTIONAL_STRING, value: value === null ? null : value.toString(this.encoding) };
  }
}

export class ByteArrayConverter implements Converter {
  config(): ConfigDef { return new ConfigDef(); }
  configure(): void {}
  fromConnectData(_t: string, schema: Schema | null, value: unknown): Buffer | null {
    if (schema && schema.type !== 'bytes') throw new DataException(`Invalid schema type for ByteArrayConverter: ${schema.type}`);
    if (value === null || value === undefined) return null;
    if (Buffer.isBuffer(value)) return value;
    if (value instanceof Uint8Array) return Buffer.from(value);
    if (typeof value === 'string') return Buffer.from(value);
    throw new DataException(`ByteArrayConverter is not compatible with objects of type ${typeof value}`);
  }
  toConnectData(_t: string, value: Buffer | null): ConverterResult {
    return { schema: OPTIONAL_BYTES, value };
  }
}

/** Integer/Long/Double/Float/Short converters: the Java big-endian fixed-width encodings. */
function numberConverter(type: 'int16' | 'int32' | 'int64' | 'float32' | 'float64', width: number, write: (b: Buffer, v: number | bigint) => void, read: (b: Buffer) => number | bigint) {
  const schema: Schema = { type, optional: true };
  return class implements Converter {
    config(): ConfigDef { return new ConfigDef(); }
    configure(): void {}
    fromConnectData(_t: string, _s: Schema | null, v: unknown): Buffer | null {
      if (v === null || v === undefined) return null;
      if (typeof v !== 'number' && typeof v !== 'bigint') throw new DataException(`${type} converter needs a number`);
      const b = Buffer.alloc(width); write(b, v); return b;
    }
    toConnectData(_t: string, v: Buffer | null): ConverterResult {
      if (v !== null && v.length !== width) throw new DataException(`Size of data received is not ${width}`);
      return { schema, value: v === null ? null : read(v) };
    }
  };
}
export const ShortConverter = numberConverter('int16', 2, (b, v) => b.writeInt16BE(Number(v)), (b) => b.readInt16BE());
export const IntegerConverter = numberConverter('int32', 4, (b, v) => b.writeInt32BE(Number(v)), (b) => b.readInt32BE());
export const LongConverter = numberConverter('int64', 8, (b, v) => b.writeBigInt64BE(BigInt(v)), (b) => { const n = b.readBigInt64BE(); return Number.isSafeInteger(Number(n)) ? Number(n) : n; });
export const FloatConverter = numberConverter('float32', 4, (b, v) => b.writeFloatBE(Number(v)), (b) => b.readFloatBE());
export const DoubleConverter = numberConverter('float64', 8, (b, v) => b.writeDoubleBE(Number(v)), (b) => b.readDoubleBE());
void Validators;
