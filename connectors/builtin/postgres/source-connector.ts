// io.debezium.connector.postgresql.PostgresConnector: one task (a replication slot is a single stream).
import pg from 'pg';
import { SourceConnector, type ConnectorContext, type Props, type ConfigDef } from '../../../plugins/sdk/index.ts';
import { sourceConfigDef } from './config.ts';
import { PostgresSourceTask } from './source-task.ts';
import { CONNECTOR_VERSION } from './schema.ts';

export class PostgresConnector extends SourceConnector {
  private props: Props = {};

  version(): string { return CONNECTOR_VERSION; }
  config(): ConfigDef { return sourceConfigDef(); }
  taskClass() { return PostgresSourceTask; }

  start(props: Props, _context: ConnectorContext): void {
    sourceConfigDef().parse(props);
    this.props = props;
  }

  taskConfigs(_maxTasks: number): Props[] {
    return [{ ...this.props }];
  }

  stop(): void {}

  exactlyOnceSupport(): 'UNSUPPORTED' { return 'UNSUPPORTED'; }

  /** Connects and checks what logical replication needs, naming the field to fix. */
  async validate(props: Props): Promise<Record<string, string[]>> {
    const errors: Record<string, string[]> = {};
    if (!props['database.hostname'] || !props['database.dbname'] || !props['database.user']) return errors;
    const c = new pg.Client({ host: props['database.hostname'], port: Number(props['database.port'] ?? 5432), user: props['database.user'], password: props['database.password'] || undefined, database: props['database.dbname'], connectionTimeoutMillis: 5000 });
    c.on('error', () => {});
    try {
      await c.connect();
      const wal = (await c.query('SHOW wal_level')).rows[0].wal_level;
      if (wal !== 'logical') (errors['database.hostname'] ??= []).push(`wal_level is ${wal}; set wal_level=logical and restart Postgres`);
      const r = (await c.query('SELECT rolreplication OR rolsuper AS ok FROM pg_roles WHERE rolname = current_user')).rows[0];
      if (!r?.ok) (errors['database.user'] ??= []).push('user lacks the REPLICATION attribute');
    } catch (e) {
      (errors['database.hostname'] ??= []).push(`cannot connect: ${(e as Error).message}`);
    } finally {
      await c.end().catch(() => {});
    }
    return errors;
  }
}
