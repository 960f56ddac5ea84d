"""Idempotent and transactional producer throughput vs plain acks=all (librdkafka).

Usage: py_txn_load.py BOOTSTRAP COUNT; prints one JSON line.
"""
import json
import sys
import time

from confluent_kafka import Producer, Consumer, TopicPartition

bootstrap, count = sys.argv[1], int(sys.argv[2])
payload = b'x' * 1024
res = {}


def run(name, conf, txn_size=0):
    p = Producer(dict({'bootstrap.servers': bootstrap, 'acks': 'all', 'linger.ms': 5, 'batch.size': 1048576,
                       'queue.buffering.max.messages': 1000000, 'queue.buffering.max.kbytes': 2097151}, **conf))
    if txn_size:
        p.init_transactions(10)
    t0 = time.time()
    i = 0
    while i < count:
        if txn_size:
            p.begin_transaction()
        n = txn_size or count
        for _ in range(n):
            while True:
                try:
                    p.produce('bench-' + name, payload, partition=0)
                    break
                except BufferError:
                    p.poll(0.001)
            i += 1
        if txn_size:
            p.commit_transaction(30)
    p.flush(60)
    dt = time.time() - t0
    res[name] = {'msgs_s': count / dt, 'mb_s': count * 1024 / dt / 1e6}


run('plain', {})
run('idempotent', {'enable.idempotence': True})
run('txn100', {'transactional.id': 'bench-tx', 'linger.ms': 0}, 100)

# commit throughput: synchronous offset commits from one consumer
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'bench-commit', 'enable.auto.commit': False})
c.assign([TopicPartition('bench-plain', 0, 0)])
t0 = time.time()
n = 0
while time.time() - t0 < 3:
    c.commit(offsets=[TopicPartition('bench-plain', 0, n + 1)], asynchronous=False)
    n += 1
res['commits_s'] = n / (time.time() - t0)
c.close()
print(json.dumps(res))
