// Schema registry throughput over HTTP: registrations/s (each one written to `_schemas`
// and read back before it is answered) and lookups by id, uncached (first read of an
// id) and cached (repeated reads). Runs against a registry on an in-process broker
// (kafka store) and, for comparison, the memory store. BENCH_COUNT scales the runs.
// The HTTP load comes from another process (bench/http_load.mjs), as real clients do;
// "same process" repeats the uncached lookups from a client inside the registry's own
// process (what this bench measured before 2026-12-06), for comparison.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { startRegistry } from '../registry/index.ts';
import { HttpRegistryClient } from '../registry/client.ts';
import { RegistrySerde } from '../registry/serde.ts';
import { startBroker } from '../test/helpers/broker.ts';

const COUNT = Number(process.env.BENCH_COUNT ?? 2000);
const CONCURRENCY = 16;
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function request(url: string, method: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: body ? { 'content-type': 'application/vnd.schemaregistry.v1+json', 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { data += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve(data) : reject(new Error(`${res.statusCode} ${data}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends the requests from a separate node process, CONCURRENCY at a time; requests/s and the bodies. */
async function load(base: string, requests: { method: string; path: string; body?: string }[]): Promise<{ rate: number; bodies: string[] }> {
  const child = spawn(process.execPath, [new URL('./http_load.mjs', import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  child.stdin.end(JSON.stringify({ base, concurrency: CONCURRENCY, requests }));
  const code = await exited;
  if (code !== 0) throw new Error(`http_load exited with ${code}`);
  return JSON.parse(out);
}

async function pool(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) { const i = next++; await fn(i); }
  }));
  return n / ((performance.now() - t0) / 1000);
}

function schema(i: number): string {
  return JSON.stringify({ type: 'record', name: `Rec${i}`, namespace: 'bench', fields: [{ name: 'id', type: 'long' }, { name: `f${i}`, type: ['null', 'string'], default: null }] });
}

async function run(label: string, url: string): Promise<void> {
  const registrations = Array.from({ length: COUNT }, (_, i) => ({ method: 'POST', path: `/subjects/bench-${i}/versions`, body: JSON.stringify({ schema: schema(i) }) }));
  const reg = await load(url, registrations);
  const regPerSec = reg.rate;
  const ids = reg.bodies.map((b) => JSON.parse(b).id as number);
  // uncached: every lookup is an HTTP GET /schemas/ids/{id} answered by the registry;
  // each id 10 times, so the run is long enough to measure (a warm-up round first)
  const lookups = Array.from({ length: COUNT * 10 }, (_, i) => ({ method: 'GET', path: `/schemas/ids/${ids[i % COUNT]}` }));
  await load(url, lookups.slice(0, COUNT));
  const uncached = (await load(url, lookups)).rate;
  const sameProcess = await pool(COUNT * 10, (i) => request(`${url}/schemas/ids/${ids[i % COUNT]}`, 'GET'));
  // cached: what a serializer does once it has seen an id (RegistrySerde keeps parsed schemas by id)
  const serde = new RegistrySerde(new HttpRegistryClient(url));
  await Promise.all(ids.slice(0, 100).map((id) => serde.schema(id)));
  const cached = await pool(COUNT * 50, (i) => serde.schema(ids[i % 100]));
  const sameAgain = (await load(url, registrations)).rate;
  console.log(`${label}: registrations ${regPerSec.toFixed(0)}/s, re-register same schema ${sameAgain.toFixed(0)}/s, lookups by id uncached (HTTP) ${uncached.toFixed(0)}/s (same process ${sameProcess.toFixed(0)}/s), cached (client) ${cached.toFixed(0)}/s  (${COUNT} schemas, ${CONCURRENCY} concurrent clients)`);
}

const broker = await startBroker();
const kafkaReg = await startRegistry({ bootstrap: broker.bootstrap, host: '127.0.0.1', port: 0, store: 'kafka' });
try {
  await run('kafka store (_schemas on an in-process broker)', kafkaReg.url);
} finally {
  await kafkaReg.close();
  await broker.stop();
}
const memReg = await startRegistry({ host: '127.0.0.1', port: 0, store: 'memory' });
try {
  await run('memory store', memReg.url);
} finally {
  await memReg.close();
  agent.destroy();
}
