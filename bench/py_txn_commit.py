"""How long commit_transaction takes (librdkafka), as librdkafka's test 0055 times it.

Usage: py_txn_commit.py BOOTSTRAP TOPIC COUNT; prints one JSON line.
Each transaction: begin, one record to partition 0, wait for its delivery, then
commit_transaction timed alone. Also times the whole begin..commit cycle (the next
transaction's AddPartitionsToTxn waits for the previous one's markers).
"""
import json
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': f'commit-bench-{topic}', 'linger.ms': 0})
p.init_transactions(30)
# a first transaction primes metadata and connections
p.begin_transaction()
p.produce(topic, b'prime', partition=0)
p.commit_transaction(30)

commits, cycles = [], []
for i in range(count):
    t0 = time.perf_counter()
    p.begin_transaction()
    done = []
    p.produce(topic, b'x' * 100, partition=0, on_delivery=lambda err, msg: done.append(err))
    while not done:
        p.poll(0.001)
    if done[0] is not None:
        raise SystemExit(f'delivery failed: {done[0]}')
    t1 = time.perf_counter()
    p.commit_transaction(30)
    t2 = time.perf_counter()
    commits.append((t2 - t1) * 1000)
    cycles.append((t2 - t0) * 1000)


def pct(xs, q):
    s = sorted(xs)
    return round(s[min(len(s) - 1, int(len(s) * q / 100))], 2)


print(json.dumps({'count': count,
                  'commit_ms': {'p50': pct(commits, 50), 'p90': pct(commits, 90), 'p99': pct(commits, 99), 'max': round(max(commits), 2)},
                  'cycle_ms': {'p50': pct(cycles, 50), 'p90': pct(cycles, 90), 'p99': pct(cycles, 99), 'max': round(max(cycles), 2)}}))
