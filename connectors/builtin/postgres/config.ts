// Config definitions for the Postgres CDC source (Debezium's names) and the JDBC-style sink
// (Confluent's names).
import { ConfigDef, Validators } from '../../../plugins/sdk/index.ts';

export const SNAPSHOT_MODES = ['initial', 'always', 'never', 'no_data', 'initial_only', 'when_needed'] as const;

export function sourceConfigDef(): ConfigDef {
  const d = new ConfigDef();
  let o = 0;
  const conn = (name: string, type: 'STRING' | 'INT' | 'PASSWORD', documentation: string, dflt?: unknown) =>
    d.define({ name, type, documentation, default: dflt, importance: 'HIGH', group: 'Connection', orderInGroup: ++o });
  conn('database.hostname', 'STRING', 'Postgres host name or address.');
  conn('database.port', 'INT', 'Postgres port.', 5432);
  conn('database.user', 'STRING', 'User with the REPLICATION attribute (and CREATE on the database to autocreate publications).');
  conn('database.password', 'PASSWORD', 'Password of database.user.', '');
  conn('database.dbname', 'STRING', 'The database to capture.');
  d.define({ name: 'topic.prefix', type: 'STRING', documentation: 'Logical server name: prefix of every topic (<prefix>.<schema>.<table>) and the source partition.', importance: 'HIGH', group: 'Connection', orderInGroup: ++o, validator: Validators.pattern(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" or "-"') });
  o = 0;
  const filt = (name: string, documentation: string) => d.define({ name, type: 'LIST', documentation, default: '', importance: 'MEDIUM', group: 'Filters', orderInGroup: ++o });
  filt('schema.include.list', 'Regular expressions matching schema names to capture (default: all but system schemas).');
  filt('schema.exclude.list', 'Regular expressions matching schema names not to capture.');
  filt('table.include.list', 'Regular expressions matching <schema>.<table> names to capture.');
  filt('table.exclude.list', 'Regular expressions matching <schema>.<table> names not to capture.');
  filt('column.include.list', 'Regular expressions matching <schema>.<table>.<column> names to include in change events.');
  filt('column.exclude.list', 'Regular expressions matching <schema>.<table>.<column> names to leave out of change events.');
  o = 0;
  const rep = (k: Parameters<ConfigDef['define']>[0]) => d.define({ importance: 'MEDIUM', group: 'Replication', orderInGroup: ++o, ...k });
  rep({ name: 'plugin.name', type: 'STRING', documentation: 'Logical decoding plugin. Only pgoutput (built into Postgres ≥ 10) is supported.', default: 'pgoutput', validator: Validators.oneOf('pgoutput') });
  rep({ name: 'slot.name', type: 'STRING', documentation: 'Replication slot name (unique per connector in the cluster).', default: 'debezium', validator: Validators.pattern(/^[a-z0-9_]+$/, 'lower-case letters, digits and "_"') });
  rep({ name: 'slot.drop.on.stop', type: 'BOOLEAN', documentation: 'Drop the slot when the task stops (tests and throw-away setups).', default: false });
  rep({ name: 'publication.name', type: 'STRING', documentation: 'Publication the pgoutput plugin streams.', default: 'dbz_publication' });
  rep({ name: 'publication.autocreate.mode', type: 'STRING', documentation: 'all_tables: CREATE PUBLICATION … FOR ALL TABLES if missing; filtered: for the included tables (kept in sync on start); disabled: the publication must exist.', default: 'all_tables', validator: Validators.oneOf('all_tables', 'disabled', 'filtered'), recommendedValues: ['all_tables', 'disabled', 'filtered'] });
  rep({ name: 'snapshot.mode', type: 'STRING', documentation: 'initial: snapshot when there is no committed offset, then stream; always: snapshot on every start; never/no_data: stream only; initial_only: snapshot then stop; when_needed: snapshot when there is no offset or the slot is gone.', default: 'initial', validator: Validators.oneOf(...SNAPSHOT_MODES), recommendedValues: [...SNAPSHOT_MODES] });
  rep({ name: 'snapshot.fetch.size', type: 'INT', documentation: 'Rows read per chunk (by primary key) during the snapshot.', default: 10240, validator: Validators.range(1, null) });
  rep({ name: 'heartbeat.interval.ms', type: 'INT', documentation: 'Emit a heartbeat to __debezium-heartbeat.<prefix> this often (0 = never); committing it advances the slot while captured tables are idle.', default: 0, validator: Validators.range(0, null) });
  rep({ name: 'heartbeat.topics.prefix', type: 'STRING', documentation: 'Prefix of the heartbeat topic.', default: '__debezium-heartbeat' });
  rep({ name: 'tombstones.on.delete', type: 'BOOLEAN', documentation: 'Emit a tombstone (null value) after each delete event so compaction removes the key.', default: true });
  rep({ name: 'decimal.handling.mode', type: 'STRING', documentation: 'numeric columns as precise (Connect Decimal), double or string.', default: 'precise', validator: Validators.oneOf('precise', 'double', 'string') });
  rep({ name: 'skipped.operations', type: 'LIST', documentation: 'Operations not emitted: c, u, d, t (default t, as Debezium), or none.', default: 't', validator: Validators.oneOf('c', 'u', 'd', 't', 'none') });
  rep({ name: 'status.update.interval.ms', type: 'INT', documentation: 'How often a standby status (the committed LSN) is sent to Postgres.', default: 10000, validator: Validators.range(100, null) });
  rep({ name: 'max.batch.size', type: 'INT', documentation: 'Most records returned by one poll.', default: 2048, validator: Validators.range(1, null) });
  rep({ name: 'max.batch.bytes', type: 'INT', documentation: 'Estimated size (schema + values, as JSON) at which one poll stops adding records. The runtime sends a poll in produce requests of up to ~1 MB (each below the broker\'s message.max.bytes); the default fills about one such request, so a stream makes one produce round trip per ~1 MB of records.', default: 900000, validator: Validators.range(1024, null) });
  rep({ name: 'max.queue.size', type: 'INT', documentation: 'Replication messages buffered before reading from Postgres pauses.', default: 8192, validator: Validators.range(1, null) });
  return d;
}

export function sinkConfigDef(): ConfigDef {
  const d = new ConfigDef();
  let o = 0;
  const k = (x: Parameters<ConfigDef['define']>[0]) => d.define({ importance: 'MEDIUM', orderInGroup: ++o, ...x });
  k({ name: 'connection.url', type: 'STRING', documentation: 'jdbc:postgresql://host:port/db or postgres://user:pass@host:port/db', importance: 'HIGH', group: 'Connection' });
  k({ name: 'connection.user', type: 'STRING', documentation: 'User (overrides the URL).', default: '', group: 'Connection' });
  k({ name: 'connection.password', type: 'PASSWORD', documentation: 'Password (overrides the URL).', default: '', group: 'Connection' });
  k({ name: 'insert.mode', type: 'STRING', documentation: 'insert, upsert (INSERT … ON CONFLICT (pk) DO UPDATE) or update.', default: 'insert', validator: Validators.oneOf('insert', 'upsert', 'update'), group: 'Writes' });
  k({ name: 'batch.size', type: 'INT', documentation: 'Rows per multi-row statement.', default: 3000, validator: Validators.range(1, null), group: 'Writes' });
  k({ name: 'delete.enabled', type: 'BOOLEAN', documentation: 'A record with a null value deletes the row with its key (needs pk.mode=record_key).', default: false, group: 'Writes' });
  k({ name: 'table.name.format', type: 'STRING', documentation: 'Destination table; ${topic} is replaced by the topic name (dots become underscores unless quoted schema.table is wanted: use "schema.${topic}").', default: '${topic}', group: 'Data Mapping' });
  k({ name: 'pk.mode', type: 'STRING', documentation: 'none, kafka (__connect_topic, __connect_partition, __connect_offset), record_key or record_value.', default: 'none', validator: Validators.oneOf('none', 'kafka', 'record_key', 'record_value'), group: 'Data Mapping' });
  k({ name: 'pk.fields', type: 'LIST', documentation: 'Primary key columns: for record_key a primitive key\'s column name or the key struct fields to use (default all); for record_value the value fields.', default: '', group: 'Data Mapping' });
  k({ name: 'fields.whitelist', type: 'LIST', documentation: 'Value fields to write (default all). Alias: fields.include.', default: '', group: 'Data Mapping' });
  k({ name: 'fields.include', type: 'LIST', documentation: 'Value fields to write (default all).', default: '', group: 'Data Mapping' });
  k({ name: 'auto.create', type: 'BOOLEAN', documentation: 'CREATE TABLE from the record schema when the table is missing.', default: false, group: 'DDL Support' });
  k({ name: 'auto.evolve', type: 'BOOLEAN', documentation: 'ALTER TABLE … ADD COLUMN for fields the table lacks (columns are never dropped).', default: false, group: 'DDL Support' });
  k({ name: 'db.timezone', type: 'STRING', documentation: 'Time zone for Timestamp columns.', default: 'UTC', group: 'Connection' });
  return d;
}
