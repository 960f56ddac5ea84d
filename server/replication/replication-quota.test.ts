// Replication throttle (KIP-73): the quota's rate, which partitions a topic config
// throttles on a broker, and the config's validation. The end-to-end throttle of a
// reassignment is in test/cluster-throttle.test.ts.
// Run: node --import tsx --test server/replication/replication-quota.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplicationQuota, throttledPartitions, isThrottled, shouldLeaderThrottle, shouldFollowerThrottle } from './replication-quota.ts';
import { checkThrottledReplicas, checkValue, TOPIC_CONFIG_BY_NAME, THROTTLE_OFF } from '../config.ts';

test('a quota passes one window of bytes, then as many bytes per second as its rate', () => {
  let rate = 1_000_000;
  const q = new ReplicationQuota(() => rate);
  const t0 = 1_000_000;
  assert.equal(q.isExceeded(t0), false);
  q.record(600_000, t0);
  assert.equal(q.isExceeded(t0), false);
  // one fetch may overdraw it (Kafka checks before the read, records after)
  q.record(1_048_576, t0);
  assert.equal(q.isExceeded(t0), true);
  const wait = q.delayMs(t0);
  assert.ok(wait >= 640 && wait <= 660, `~0.65 s to pay back 648,576 bytes at 1 MB/s, got ${wait}`);
  assert.equal(q.isExceeded(t0 + wait - 10), true);
  assert.equal(q.isExceeded(t0 + wait + 1), false);
  // Over a long run the bytes passed never exceed one window + one fetch + rate * time.
  let sent = 0; let now = t0 + 10_000;
  const q2 = new ReplicationQuota(() => rate);
  for (let i = 0; i < 20_000; i++, now += 1) if (!q2.isExceeded(now)) { q2.record(65_536, now); sent += 65_536; }
  assert.ok(sent <= 1_000_000 + 65_536 + 20 * 1_000_000, `sent ${sent} in 20 s`);
  assert.ok(sent >= 19 * 1_000_000, `and it is not slower than the rate: ${sent}`);
  // a changed rate applies at once; the default (Long.MAX_VALUE) is no throttle
  rate = Number(THROTTLE_OFF);
  assert.equal(q.isExceeded(t0), false);
  assert.equal(q.delayMs(t0), 0);
  assert.equal(q.bytesPerSecond, Infinity);
});

test('throttled replica lists name partition:broker of the broker reading them, or *', () => {
  const onTwo = throttledPartitions('0:1,0:2, 3 : 2,4:3', 2);
  assert.deepEqual([...(onTwo as Set<number>)].sort(), [0, 3]);
  assert.equal(isThrottled(onTwo, 0), true);
  assert.equal(isThrottled(onTwo, 4), false);
  assert.equal(throttledPartitions('*', 7), '*');
  assert.equal(isThrottled(throttledPartitions('*', 7), 99), true);
  assert.equal((throttledPartitions('', 1) as Set<number>).size, 0);
  assert.equal((throttledPartitions(undefined, 1) as Set<number>).size, 0);
});

test('the topic configs accept Kafka\'s forms only', () => {
  for (const ok of ['', '*', '0:1', '0:1,1:2', ' 0 : 1 , 2:3 ']) assert.equal(checkThrottledReplicas(ok), null, ok);
  for (const bad of ['0', '0:', ':1', 'a:1', '0:1,', '*,0:1', '0:1:2']) assert.match(checkThrottledReplicas(bad) ?? '', /\[partitionId\]:\[brokerId\]/, bad);
  const def = TOPIC_CONFIG_BY_NAME.get('leader.replication.throttled.replicas')!;
  assert.match(checkValue(def, '1-2') ?? '', /Invalid value "1-2" for configuration leader.replication.throttled.replicas/);
  assert.equal(checkValue(TOPIC_CONFIG_BY_NAME.get('follower.replication.throttled.replicas')!, '0:3'), null);
});

test('only throttled replicas that are not in sync are held back, and only while the quota is used up', () => {
  const q = new ReplicationQuota(() => 1000);
  const now = 5000;
  const p = { leaderThrottled: true, followerThrottled: true, isr: [1, 2] };
  assert.equal(shouldLeaderThrottle(p, 3, q, now), false, 'quota not used up yet');
  q.record(5000, now);
  assert.equal(shouldLeaderThrottle(p, 3, q, now), true, 'the new replica 3 waits');
  assert.equal(shouldLeaderThrottle(p, 2, q, now), false, 'ISR member 2 is never held back (no ISR thrashing)');
  assert.equal(shouldLeaderThrottle({ ...p, leaderThrottled: false }, 3, q, now), false, 'a partition not listed is not throttled');
  assert.equal(shouldFollowerThrottle(p, false, q, now), true);
  assert.equal(shouldFollowerThrottle(p, true, q, now), false, 'a follower caught up to the high-water mark fetches on');
  assert.equal(shouldFollowerThrottle({ followerThrottled: false }, false, q, now), false);
});
