// Prepares the machine's services for the test suite, idempotently:
// PostgreSQL needs wal_level=logical for CDC (ALTER SYSTEM + restart once).
import { execSync } from 'node:child_process';

function sh(cmd: string): string {
  return execSync(cmd, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' }).trim();
}

function psql(sql: string): string {
  return sh(`psql -h 127.0.0.1 -U postgres -d postgres -Atc "${sql}"`);
}

try {
  const level = psql('show wal_level');
  if (level !== 'logical') {
    console.log(`setup: PostgreSQL wal_level is ${level}; setting logical and restarting`);
    psql('ALTER SYSTEM SET wal_level = logical');
    psql('ALTER SYSTEM SET max_replication_slots = 20');
    psql('ALTER SYSTEM SET max_wal_senders = 20');
    const ver = sh('ls /etc/postgresql').split('\n')[0];
    sh(`pg_ctlcluster --skip-systemctl-redirect ${ver} main restart`);
    for (let i = 0; i < 50; i++) {
      try { if (psql('show wal_level') === 'logical') break; } catch { /* starting */ }
      execSync('sleep 0.2');
    }
    console.log(`setup: wal_level is now ${psql('show wal_level')}`);
  }
} catch (e) {
  console.log(`setup: PostgreSQL not prepared (${(e as Error).message.split('\n')[0]}); CDC tests will report it`);
}
