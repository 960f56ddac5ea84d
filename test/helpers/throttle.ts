// Replication throttle (KIP-73) tests on CLI clusters: a throttled `tributary partitions
// reassign` run in the background, what the moving replica holds sampled meanwhile, and
// the bound those samples must keep (test/cluster-throttle*.test.ts).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { BIN } from './process.ts';
import { waitFor } from './cluster.ts';
import type { ClusterAdmin } from '../../client/admin-cluster.ts';

export const LEADER_RATE = 'leader.replication.throttled.rate';
export const FOLLOWER_RATE = 'follower.replication.throttled.rate';
/** A broker rate with no throttle (Kafka's default, Long.MAX_VALUE). */
export const UNTHROTTLED = '9223372036854775807';

/** What broker `nodeId` held of the moving partition, asked at `sent` and answered at `got` (seconds after the start). */
export interface HeldSample { sent: number; got: number; held: number }

export interface ThrottledMove {
  /** the exit code of `partitions reassign` */
  exited: Promise<number | null>;
  /** its stdout and stderr so far */
  output(): string;
  /** seconds since it started */
  elapsed(): number;
  samples: HeldSample[];
}

/**
 * Runs `tributary partitions reassign --plan <moves> --throttle <rate>` in the background
 * and samples, every 200 ms until it exits, what broker `watch` holds of the moving partition.
 */
export function startThrottledMove(o: {
  bootstrap: string; dir: string; admin: ClusterAdmin; rate: number;
  moves: { topic: string; partition: number; replicas: number[] }[];
  watch: { nodeId: number; topic: string; partition: number };
  after: (fn: () => void) => void;
}): ThrottledMove {
  const plan = path.join(o.dir, `move-${Date.now()}.json`);
  fs.writeFileSync(plan, JSON.stringify({ version: 1, partitions: o.moves }));
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, 'partitions', 'reassign', '--bootstrap', o.bootstrap, '--plan', plan, '--throttle', String(o.rate)], { stdio: ['ignore', 'pipe', 'pipe'] });
  o.after(() => { child.kill('SIGKILL'); });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  let running = true;
  const exitCode = new Promise<number | null>((r) => child.on('exit', (code) => { running = false; r(code); }));
  const samples: HeldSample[] = [];
  const since = () => (Date.now() - started) / 1000;
  const sampler = (async () => {
    while (running) {
      const sent = since();
      const dirs = await o.admin.describeLogDirs().catch(() => null);
      const got = since();
      const d = dirs?.find((b) => b.nodeId === o.watch.nodeId)?.dirs?.[0];
      if (d) samples.push({ sent, got, held: d.topics.find((x) => x.name === o.watch.topic)?.partitions.find((p) => p.partition === o.watch.partition)?.size ?? 0 });
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return { exited: exitCode.then(async (code) => { await sampler; return code; }), output: () => out, elapsed: since, samples };
}

/**
 * Between any two looks the watched replica gained no more than the quota lets through in
 * that time plus `slack` (its burst and one fetch that may overdraw it): a slow machine only
 * flattens the curve, an unthrottled copy jumps from nothing to everything between two looks.
 */
export function assertWithinQuota(samples: HeldSample[], size: number, rate: number, slack: number): void {
  for (let i = 0; i < samples.length; i++) {
    for (let j = i + 1; j < samples.length; j++) {
      const gained = samples[j].held - samples[i].held; const secs = samples[j].got - samples[i].sent;
      assert.ok(gained <= slack + rate * secs, `the new replica gained ${gained} bytes within ${secs.toFixed(2)} s: more than ${rate} B/s allows`);
    }
  }
  assert.ok(samples.length >= 2 && samples[0].held < slack, `the new replica was seen before most of the copy (first look: ${samples[0]?.held} of ${size} bytes)`);
}

/** Waits until DescribeConfigs shows the throttle on the topic and both brokers' rates. */
export async function throttleShown(admin: ClusterAdmin, topic: string, leaderReplicas: string, followerReplicas: string, brokers: number[], rate: number): Promise<void> {
  await waitFor('the throttle in DescribeConfigs', async () => {
    const t = await admin.describeTopicConfigs(topic);
    if (t['leader.replication.throttled.replicas'] !== leaderReplicas || t['follower.replication.throttled.replicas'] !== followerReplicas) return false;
    for (const b of brokers) {
      const c = await admin.describeBrokerConfigs(b);
      if (c[LEADER_RATE] !== String(rate) || c[FOLLOWER_RATE] !== String(rate)) return false;
    }
    return true;
  }, 30000, 50);
}

/** After the move: the topic's throttled replica lists are empty and every broker's rates back to unthrottled. */
export async function assertThrottleRemoved(admin: ClusterAdmin, topic: string, brokers: number[]): Promise<void> {
  const t = await admin.describeTopicConfigs(topic);
  assert.equal(t['leader.replication.throttled.replicas'], '');
  assert.equal(t['follower.replication.throttled.replicas'], '');
  for (const id of brokers) {
    const b = await waitFor(`broker ${id} without the throttle`, async () => {
      const x = await admin.describeBrokerConfigs(id);
      return x[LEADER_RATE] === UNTHROTTLED && x[FOLLOWER_RATE] === UNTHROTTLED && x;
    });
    assert.equal(b[LEADER_RATE], UNTHROTTLED);
  }
}
