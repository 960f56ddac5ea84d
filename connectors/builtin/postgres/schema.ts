// Per-table event schemas (Debezium's shapes): key struct, row struct, envelope, source block.
import { S, type Schema, type StructValue } from '../../../plugins/sdk/index.ts';
import { columnType, fallbackValue, Oid, type ColumnType, type DecimalMode } from './types.ts';
import { UNCHANGED_TOAST, type IntegerColumns, type TupleValue } from './pgoutput.ts';

export const CONNECTOR_VERSION = '2.7.0.Final-tributary';

export const SOURCE_SCHEMA: Schema = S.struct('io.debezium.connector.postgresql.Source', [
  { name: 'version', schema: S.string() },
  { name: 'connector', schema: S.string() },
  { name: 'name', schema: S.string() },
  { name: 'ts_ms', schema: S.int64() },
  { name: 'snapshot', schema: { type: 'string', optional: true, name: 'io.debezium.data.Enum', version: 1, default: 'false', parameters: { allowed: 'true,first,first_in_data_collection,last_in_data_collection,last,false,incremental' } } },
  { name: 'db', schema: S.string() },
  { name: 'sequence', schema: S.string(true) },
  { name: 'ts_us', schema: S.int64(true) },
  { name: 'schema', schema: S.string() },
  { name: 'table', schema: S.string() },
  { name: 'txId', schema: S.int64(true) },
  { name: 'lsn', schema: S.int64(true) },
  { name: 'xmin', schema: S.int64(true) },
]);

export const TRANSACTION_SCHEMA: Schema = { ...S.struct('event.block', { id: S.string(), total_order: S.int64(), data_collection_order: S.int64() }, true), version: 1 };

export interface ColumnInfo {
  name: string;
  typeOid: number;
  typmod: number;
  optional: boolean;
  /** position in the table's primary key (or replica identity), -1 when not part of it */
  keyPos: number;
  /** whether column.include/exclude lists keep it in events */
  included: boolean;
  type: ColumnType;
}

export interface TableInfo {
  schema: string;
  name: string;
  /** `schema.table` */
  id: string;
  topic: string;
  replicaIdentity: string;
  columns: ColumnInfo[];
  /** indexes into columns of the key columns, in key order */
  keyIndex: number[];
  keySchema: Schema | null;
  rowSchema: Schema;
  envelopeSchema: Schema;
  /** rough serialized size of key + value schemas, for batch sizing */
  schemaBytes: number;
  /** rowValue's struct from a row's values (a function made for the table) */
  rowOf: (values: TupleValue[]) => StructValue;
  /** keyValue's struct from a row's values (a function made for the table) */
  keyOf: (values: TupleValue[]) => StructValue | null;
  /** the integer columns (int2, int4, int8, oid), whose pgoutput values may be decoded as numbers: their types' conversion of the text gives the same number */
  integers: IntegerColumns;
}

export interface RawColumn { name: string; typeOid: number; typmod: number; notNull: boolean; keyPos: number }

/** Types whose text converts with Number() (int2, int4, oid) or as a number when it is a safe integer (int8). */
const INTEGER_OIDS = new Set<number>([Oid.int2, Oid.int4, Oid.int8, Oid.oid]);

export function buildTable(prefix: string, schema: string, name: string, replicaIdentity: string, raw: RawColumn[], opts: { decimalMode: DecimalMode; columnIncluded: (col: string) => boolean }): TableInfo {
  const id = `${schema}.${name}`;
  const base = `${prefix}.${id}`;
  const columns: ColumnInfo[] = raw.map((c) => ({
    ...c,
    optional: !c.notNull,
    included: c.keyPos >= 0 || opts.columnIncluded(`${id}.${c.name}`),
    type: columnType(c.typeOid, c.typmod, !c.notNull, { decimalMode: opts.decimalMode }),
  }));
  const keyIndex = columns.map((c, i) => ({ c, i })).filter((x) => x.c.keyPos >= 0).sort((a, b) => a.c.keyPos - b.c.keyPos).map((x) => x.i);
  const keyCols = keyIndex.map((i) => columns[i]);
  const keySchema = keyCols.length ? S.struct(`${base}.Key`, keyCols.map((c) => ({ name: c.name, schema: { ...c.type.schema, optional: false } }))) : null;
  const rowSchema = S.struct(`${base}.Value`, columns.filter((c) => c.included).map((c) => ({ name: c.name, schema: c.type.schema })), true);
  const envelopeSchema: Schema = {
    ...S.struct(`${base}.Envelope`, [
      { name: 'before', schema: rowSchema },
      { name: 'after', schema: rowSchema },
      { name: 'source', schema: SOURCE_SCHEMA },
      { name: 'transaction', schema: TRANSACTION_SCHEMA },
      { name: 'op', schema: S.string() },
      { name: 'ts_ms', schema: S.int64(true) },
      { name: 'ts_us', schema: S.int64(true) },
    ]),
    version: 2,
  };
  const schemaBytes = JSON.stringify(envelopeSchema).length + JSON.stringify(keySchema ?? null).length;
  const rowOf = structBuilder(columns, columns.map((_, i) => i).filter((i) => columns[i].included));
  const keyOf = keySchema ? structBuilder(columns, keyIndex) : () => null;
  const integers = Uint8Array.from(columns, (c) => (INTEGER_OIDS.has(c.typeOid) ? 1 : 0));
  return { schema, name, id, topic: base, replicaIdentity, columns, keyIndex, keySchema, rowSchema, envelopeSchema, schemaBytes, rowOf, keyOf, integers };
}

/**
 * A struct of `columns[at[0]], columns[at[1]], …` from a row's values, as one object literal
 * written for the table: every row's struct is made with its final shape at once, instead of
 * a property added per column by name (each a keyed store) in a loop with a closure. Column
 * names are put in the code only as JSON string literals; a table with a column named
 * __proto__ (which an object literal would take as the prototype) gets the loop.
 */
function structBuilder(columns: ColumnInfo[], at: number[]): (values: TupleValue[]) => StructValue {
  if (at.some((i) => columns[i].name === '__proto__')) {
    return (values) => {
      const out: StructValue = {};
      for (const i of at) Object.defineProperty(out, columns[i].name, { value: columnValue(columns[i], values[i]), enumerable: true, writable: true, configurable: true });
      return out;
    };
  }
  const props = at.map((i) => `${JSON.stringify(columns[i].name)}: value(c[${i}], v[${i}])`).join(', ');
  return new Function('c', 'value', `return function struct(v) { return { ${props} }; };`)(columns, columnValue) as (values: TupleValue[]) => StructValue;
}

/** Estimated JSON size of one event of this table with these values (with the schema when converters inline it). */
export function eventBytes(t: TableInfo, values: TupleValue[], inlineSchemas = true): number {
  let n = (inlineSchemas ? t.schemaBytes : 0) + 600;
  for (const v of values) if (typeof v === 'string') n += v.length + 8; else if (typeof v === 'number') n += textLength(v) + 8;
  return n;
}

/** String(v).length of an integer of up to 15 digits (a tuple's integer column as a number). */
function textLength(v: number): number {
  let n = v < 0 ? 2 : 1;
  for (let x = Math.abs(v), p = 10; x >= p && n < 16; p *= 10) n++;
  return n;
}

/** A row struct from tuple values (pgoutput) or the snapshot's text values (null = SQL NULL). */
export function rowValue(t: TableInfo, values: TupleValue[]): StructValue {
  return t.rowOf(values);
}

export function keyValue(t: TableInfo, values: TupleValue[]): StructValue | null {
  return t.keyOf(values);
}

function columnValue(c: ColumnInfo, v: TupleValue | undefined): unknown {
  const x = rawValue(c, v);
  // a required column absent from a key-only image gets its type's fallback, as Debezium does
  return x === null && !c.optional ? fallbackValue(c.type.schema) : x;
}

function rawValue(c: ColumnInfo, v: TupleValue | undefined): unknown {
  if (typeof v === 'string') return c.type.convert(v);
  // an integer column's number, decoded from its text (what convert gives)
  if (typeof v === 'number') return v;
  if (v === UNCHANGED_TOAST) return c.type.unavailable;
  return null;
}
