// The inserting client of cdc.bench.ts's end-to-end run, as a process of its own: in the
// bench process its queries waited on an event loop shared with the broker and the Connect
// worker (and with the task under task.isolation=none), which slowed the inserts down and so
// flattered the end-to-end ratio. Connects, reports its backend's pid, then on each 'go' inserts
// `n` rows (ids first+1..first+n, first default 0) in 1000-row transactions and reports when it
// started and ended (ms since the epoch); its connection stays open (the parent reads the
// backend's CPU) until 'stop'.
// argv: connection-url table n
import pg from 'pg';

const [url, table, nArg] = process.argv.slice(2);
const n = Number(nArg);
const send = (m: unknown) => process.send!(m);
const client = new pg.Client({ connectionString: url });
await client.connect();
const pid = Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
const now = () => performance.timeOrigin + performance.now();
process.on('message', async (m: { go?: boolean; stop?: boolean; first?: number; n?: number }) => {
  if (m.stop) { await client.end(); process.disconnect(); return; }
  if (!m.go) return;
  const first = m.first ?? 0, count = m.n ?? n;
  const start = now();
  for (let i = 0; i < count; i += 1000) await client.query(`INSERT INTO ${table} SELECT g, 0, repeat('x', 100) FROM generate_series(${first + i + 1}, ${first + Math.min(count, i + 1000)}) g`);
  send({ start, end: now() });
});
send({ pid });
