// Plugin manifest: the Postgres CDC source (Debezium's class name), the JDBC-style
// Postgres sink, and Debezium's ExtractNewRecordState transform.
import { definePlugin } from '../../../plugins/sdk/index.ts';
import { PostgresConnector } from './source-connector.ts';
import { JdbcSinkConnector } from './sink.ts';
import { CONNECTOR_VERSION } from './schema.ts';
import { ExtractNewRecordState } from './extract-new-record-state.ts';

export default definePlugin({
  name: 'postgres',
  version: CONNECTOR_VERSION,
  description: 'Postgres change data capture (logical replication, pgoutput) with Debezium-compatible events',
  connectors: {
    'io.debezium.connector.postgresql.PostgresConnector': PostgresConnector,
    'io.confluent.connect.jdbc.JdbcSinkConnector': JdbcSinkConnector,
  },
  transforms: {
    'io.debezium.transforms.ExtractNewRecordState': ExtractNewRecordState,
  },
  aliases: {
    ExtractNewRecordState: 'io.debezium.transforms.ExtractNewRecordState',
    JdbcSinkConnector: 'io.confluent.connect.jdbc.JdbcSinkConnector',
    PostgresSinkConnector: 'io.confluent.connect.jdbc.JdbcSinkConnector',
    'io.tributary.connect.postgres.PostgresSinkConnector': 'io.confluent.connect.jdbc.JdbcSinkConnector',
    PostgresConnector: 'io.debezium.connector.postgresql.PostgresConnector',
    'io.tributary.connect.postgres.PostgresConnector': 'io.debezium.connector.postgresql.PostgresConnector',
  },
});
