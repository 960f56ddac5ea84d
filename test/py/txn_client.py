"""Transactions and idempotence with python confluent-kafka (librdkafka).

Usage: txn_client.py BOOTSTRAP SCENARIO [TOPIC]; prints one JSON object.
"""
import json
import os
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition, KafkaException

bootstrap, scenario = sys.argv[1], sys.argv[2]
out = {}


def read(topic, isolation, n_expected=None, timeout=15):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'r-%d' % time.time_ns(), 'isolation.level': isolation,
                  'enable.auto.commit': False, 'auto.offset.reset': 'earliest'})
    c.assign([TopicPartition(topic, 0, 0)])
    vals = []
    deadline = time.time() + timeout
    idle = 0
    while time.time() < deadline:
        m = c.poll(0.3)
        if m is None:
            idle += 1
            if n_expected is not None and len(vals) >= n_expected and idle > 3:
                break
            if n_expected is None and idle > 6:
                break
            continue
        idle = 0
        if m.error():
            continue
        vals.append(m.value().decode())
    c.close()
    return vals


def producer(tid, extra=None):
    conf = {'bootstrap.servers': bootstrap, 'transactional.id': tid, 'transaction.timeout.ms': 60000}
    conf.update(extra or {})
    p = Producer(conf)
    p.init_transactions(10)
    return p


if scenario == 'commit-abort':
    topic = 'txn-ca'
    p = producer('tx-ca')
    p.begin_transaction()
    for i in range(10):
        p.produce(topic, value=('c1-%d' % i).encode(), partition=0)
    p.commit_transaction(10)
    p.begin_transaction()
    for i in range(10):
        p.produce(topic, value=('a-%d' % i).encode(), partition=0)
    p.flush(10)
    p.abort_transaction(10)
    p.begin_transaction()
    for i in range(5):
        p.produce(topic, value=('c2-%d' % i).encode(), partition=0)
    p.commit_transaction(10)
    out['committed'] = read(topic, 'read_committed', 15)
    out['uncommitted'] = read(topic, 'read_uncommitted', 25)

elif scenario == 'idempotent':
    topic = 'idem'
    p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'linger.ms': 2, 'max.in.flight': 5})
    for i in range(5000):
        p.produce(topic, value=('%d' % i).encode(), partition=0)
        if i % 1000 == 0:
            p.poll(0)
    assert p.flush(20) == 0
    vals = read(topic, 'read_uncommitted', 5000)
    out['count'] = len(vals)
    out['in_order'] = vals == ['%d' % i for i in range(5000)]

elif scenario == 'fence':
    topic = 'txn-fence'
    p1 = producer('tx-fence')
    p1.begin_transaction()
    p1.produce(topic, value=b'zombie', partition=0)
    p1.flush(10)
    p2 = producer('tx-fence')  # fences p1 and aborts its open transaction
    p2.begin_transaction()
    p2.produce(topic, value=b'fresh', partition=0)
    p2.commit_transaction(10)
    try:
        p1.commit_transaction(10)
        out['zombie_commit'] = 'succeeded'
    except KafkaException as e:
        out['zombie_commit'] = e.args[0].name()
    out['committed'] = read(topic, 'read_committed', 1)

elif scenario == 'hang':
    # Begin a transaction, produce, then die without ending it.
    topic = sys.argv[3]
    p = producer('tx-hang', {'transaction.timeout.ms': 2000})
    p.begin_transaction()
    p.produce(topic, value=b'orphan', partition=0)
    p.flush(10)
    os._exit(0)

elif scenario == 'after-hang':
    topic = sys.argv[3]
    p = Producer({'bootstrap.servers': bootstrap})
    p.produce(topic, value=b'later', partition=0)
    p.flush(10)
    out['committed'] = read(topic, 'read_committed', 1, timeout=20)

print(json.dumps(out))
