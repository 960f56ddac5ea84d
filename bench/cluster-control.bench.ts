// The control plane's reaction times on three `tributary broker` processes sharing a
// PostgreSQL metadata store (default broker.session.timeout.ms):
//   1. kill -9 of a partition's leader → a new leader from the ISR in the metadata
//   2. kill -9 of the controller → another broker reports itself controller
// Each over BENCH_KILLS kills (p50/max); the killed broker restarts in between.
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from '../test/helpers/cluster.ts';
import { python } from '../test/helpers/clients.ts';
import { ROOT } from '../test/helpers/process.ts';
import path from 'node:path';

const KILLS = Number(process.env.BENCH_KILLS ?? 5);
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

const c = new TestCluster(await createClusterDb());
try {
  await Promise.all([1, 2, 3].map((n) => c.start(n)));
  await waitFor('three brokers', async () => (await kcatMetadata(c.bootstrap())).brokers.length === 3);
  const r = await python([path.join(ROOT, 'test/py/cluster_admin.py'), c.bootstrap(), 'create', 'failover', '1', '3']);
  if (!JSON.parse(r.stdout).ok) throw new Error(r.stdout + r.stderr);
  const full = () => waitFor('a full ISR', async () => (await kcatMetadata(c.bootstrap(), 'failover')).topics[0].partitions[0].isrs.length === 3, 60000);

  const leaderMs: number[] = [];
  for (let i = 0; i < KILLS; i++) {
    await full();
    const leader = (await kcatMetadata(c.bootstrap(), 'failover')).topics[0].partitions[0].leader;
    const t0 = Date.now();
    await c.kill(leader);
    await waitFor('a new leader', async () => { const p = (await kcatMetadata(c.bootstrap(), 'failover')).topics[0].partitions[0]; return p.leader >= 0 && p.leader !== leader; }, 60000, 20);
    leaderMs.push(Date.now() - t0);
    await c.start(leader);
  }
  const controllerMs: number[] = [];
  for (let i = 0; i < KILLS; i++) {
    await full();
    const ctrl = (await kcatMetadata(c.bootstrap())).controllerid;
    const t0 = Date.now();
    await c.kill(ctrl);
    await waitFor('a new controller', async () => { const m = await kcatMetadata(c.bootstrap()); return m.controllerid > 0 && m.controllerid !== ctrl; }, 60000, 20);
    controllerMs.push(Date.now() - t0);
    await c.start(ctrl);
  }
  console.log(`kill -9 leader -> new leader in metadata: p50 ${pct(leaderMs, 0.5)} ms, max ${Math.max(...leaderMs)} ms over ${KILLS} kills (${leaderMs.join(', ')})`);
  console.log(`kill -9 controller -> new controller: p50 ${pct(controllerMs, 0.5)} ms, max ${Math.max(...controllerMs)} ms over ${KILLS} kills (${controllerMs.join(', ')})`);
} finally {
  await c.close();
}
