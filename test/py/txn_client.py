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

elif scenario == 'ctp':
    # consume-transform-produce with the consumer offsets committed inside the transaction
    src, dst = 'ctp-in', 'ctp-out'
    p0 = Producer({'bootstrap.servers': bootstrap})
    for i in range(100):
        p0.produce(src, value=b'%d' % i, partition=0)
    p0.flush(10)
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'ctp-group', 'enable.auto.commit': False,
                  'auto.offset.reset': 'earliest', 'isolation.level': 'read_committed'})
    c.subscribe([src])
    p = producer('tx-ctp')
    done = 0
    rounds = 0
    deadline = time.time() + 30
    while done < 100 and time.time() < deadline:
        msgs = c.consume(30, 1.0)
        if not msgs:
            continue
        p.begin_transaction()
        for m in msgs:
            p.produce(dst, value=b'x' + m.value(), partition=0)
        p.send_offsets_to_transaction(c.position(c.assignment()), c.consumer_group_metadata(), 10)
        rounds += 1
        if rounds == 2:
            p.abort_transaction(10)  # this batch is re-read and re-processed: nothing lost, nothing doubled
            c.seek(TopicPartition(src, 0, done))
            continue
        p.commit_transaction(10)
        done += len(msgs)
    c.close()
    out['output'] = read(dst, 'read_committed', 100)
    c2 = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'ctp-group'})
    out['committed'] = c2.committed([TopicPartition(src, 0)], timeout=10)[0].offset
    c2.close()

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

elif scenario == 'timeout-zombie':
    # The coordinator aborts a transaction that outlived its timeout while the producer is
    # still alive; the producer's later write to the same partition must be refused (the abort
    # markers carry a bumped epoch), not open a transaction nobody will ever end.
    topic = sys.argv[3]
    p = producer('tx-zombie', {'transaction.timeout.ms': 2000})
    p.begin_transaction()
    p.produce(topic, value=b'orphan', partition=0)
    p.flush(10)
    time.sleep(4)
    errors = []
    try:
        p.produce(topic, value=b'zombie', partition=0, on_delivery=lambda err, msg: errors.append(str(err)) if err else None)
        p.flush(10)
    except KafkaException as e:
        errors.append(str(e))
    out['zombie_errors'] = errors
    q = Producer({'bootstrap.servers': bootstrap})
    q.produce(topic, value=b'later', partition=0)
    q.flush(10)
    out['committed'] = read(topic, 'read_committed', 1, timeout=10)
    out['uncommitted'] = read(topic, 'read_uncommitted', None, timeout=10)

print(json.dumps(out))
