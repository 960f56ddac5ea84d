// Schema registry throughput over HTTP: registrations/s (each one written to `_schemas`
// and read back before it is answered) and lookups by id, uncached (first read of an
// id) and cached (repeated reads). Runs against a registry on an in-process broker
// (kafka store) and, for comparison, the memory store. BENCH_COUNT scales the runs.
import http from 'node:http';
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
  const ids: number[] = [];
  const regPerSec = await pool(COUNT, async (i) => {
    ids[i] = JSON.parse(await request(`${url}/subjects/bench-${i}/versions`, 'POST', JSON.stringify({ schema: schema(i) }))).id;
  });
  // uncached: every lookup is an HTTP GET /schemas/ids/{id} answered by the registry
  const uncached = await pool(COUNT, (i) => request(`${url}/schemas/ids/${ids[i]}`, 'GET'));
  // cached: what a serializer does once it has seen an id (RegistrySerde keeps parsed schemas by id)
  const serde = new RegistrySerde(new HttpRegistryClient(url));
  await Promise.all(ids.slice(0, 100).map((id) => serde.schema(id)));
  const cached = await pool(COUNT * 50, (i) => serde.schema(ids[i % 100]));
  const sameAgain = await pool(COUNT, (i) => request(`${url}/subjects/bench-${i}/versions`, 'POST', JSON.stringify({ schema: schema(i) })));
  console.log(`${label}: registrations ${regPerSec.toFixed(0)}/s, re-register same schema ${sameAgain.toFixed(0)}/s, lookups by id uncached (HTTP) ${uncached.toFixed(0)}/s, cached (client) ${cached.toFixed(0)}/s  (${COUNT} schemas, ${CONCURRENCY} concurrent clients)`);
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
