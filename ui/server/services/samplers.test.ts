import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BrokerMetrics } from '../../../server/metrics/broker-metrics.ts';
import { MetricSet, parsePrometheusText } from './prom-text.ts';
import { metadataStoreOf } from './samplers.ts';

const source = { partitions: () => [], connections: () => ({ open: 0, created: 0 }), groupStates: () => [], groupOffsets: () => [] };

/** What a scrape of these brokers' /metrics gives the samplers (instance = the admin URL, as Samplers.scrape labels it). */
async function scrape(brokers: { url: string; nodeId?: number; reachable?: boolean; since?: number }[]): Promise<MetricSet> {
  const set = new MetricSet();
  for (const b of brokers) {
    const m = new BrokerMetrics(b.nodeId === undefined ? source : { ...source, metadataStore: () => ({ nodeId: b.nodeId!, reachable: b.reachable!, unreachableSince: b.reachable ? null : b.since! }) });
    set.add(parsePrometheusText(await m.metrics()).map((s) => ({ ...s, labels: { ...s.labels, instance: b.url } })));
  }
  return set;
}

test('metadataStoreOf: the brokers\' store gauges as one state, the earliest outage start, which brokers; null on a single node', async () => {
  assert.equal(metadataStoreOf(await scrape([{ url: 'http://a:9644' }]), 1), null);
  const up = metadataStoreOf(await scrape([{ url: 'http://b:9644', nodeId: 2, reachable: true }, { url: 'http://a:9644', nodeId: 1, reachable: true }]), 5);
  assert.deepEqual(up, {
    state: 'reachable', unreachableSince: null, unreachableBrokers: [], sampledAt: 5,
    brokers: [{ nodeId: 1, reachable: true, unreachableSince: null, adminUrl: 'http://a:9644' }, { nodeId: 2, reachable: true, unreachableSince: null, adminUrl: 'http://b:9644' }],
  });
  const down = metadataStoreOf(await scrape([
    { url: 'http://a:9644', nodeId: 1, reachable: false, since: 1_700_000_002_250 },
    { url: 'http://b:9644', nodeId: 2, reachable: true },
    { url: 'http://c:9644', nodeId: 3, reachable: false, since: 1_700_000_001_500 },
  ]), 9)!;
  assert.equal(down.state, 'unreachable');
  assert.equal(down.unreachableSince, 1_700_000_001_500);
  assert.deepEqual(down.unreachableBrokers, [1, 3]);
  assert.deepEqual(down.brokers.map((b) => [b.nodeId, b.reachable, b.unreachableSince]), [[1, false, 1_700_000_002_250], [2, true, null], [3, false, 1_700_000_001_500]]);
});
