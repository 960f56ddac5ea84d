"""Static group membership (group.instance.id) scenarios, one JSON line of results.

Usage:
  static_member.py BOOTSTRAP consume GROUP TOPIC INSTANCE STRATEGY COUNT
      consume COUNT messages as static member INSTANCE, commit, close (no LeaveGroup
      for static members), print what was read
  static_member.py BOOTSTRAP fence GROUP TOPIC
      librdkafka test 0102's fencing case: consumer1 and consumer2a join, then a second
      consumer with consumer2a's instance id joins; consumer2a must fail fatally with
      FENCED_INSTANCE_ID while consumer1 and consumer2b keep their assignments
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError

bootstrap, scenario = sys.argv[1], sys.argv[2]


def consumer(group, instance, strategy='range', errors=None):
    conf = {'bootstrap.servers': bootstrap, 'group.id': group, 'group.instance.id': instance,
            'auto.offset.reset': 'earliest', 'partition.assignment.strategy': strategy,
            'session.timeout.ms': 30000, 'heartbeat.interval.ms': 500, 'enable.auto.commit': False}
    if errors is not None:
        conf['error_cb'] = lambda e: errors.append({'code': e.code(), 'name': e.name(), 'fatal': e.fatal(), 'str': e.str()})
    return Consumer(conf)


if scenario == 'consume':
    group, topic, instance, strategy, count = sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], int(sys.argv[7])
    c = consumer(group, instance, strategy)
    c.subscribe([topic])
    got = []
    deadline = time.time() + 40
    while len(got) < count and time.time() < deadline:
        m = c.poll(0.2)
        if m is None or m.error():
            continue
        got.append(m.value().decode())
    if got:
        c.commit(asynchronous=False)
    c.close()
    print(json.dumps({'got': got}), flush=True)

elif scenario == 'fence':
    group, topic = sys.argv[3], sys.argv[4]
    errs = {'c1': [], 'c2a': [], 'c2b': []}
    assigned = {}

    def on_assign(name):
        def cb(cons, parts):
            assigned[name] = sorted(p.partition for p in parts)
        return cb

    c1 = consumer(group, 'consumer1', errors=errs['c1'])
    c2a = consumer(group, 'consumer2', errors=errs['c2a'])
    c1.subscribe([topic], on_assign=on_assign('c1'))
    c2a.subscribe([topic], on_assign=on_assign('c2a'))
    deadline = time.time() + 30
    while not ('c1' in assigned and 'c2a' in assigned and assigned['c1'] and assigned['c2a']) and time.time() < deadline:
        c1.poll(0.1)
        c2a.poll(0.1)
    initial = dict(assigned)

    c2b = consumer(group, 'consumer2', errors=errs['c2b'])
    c2b.subscribe([topic], on_assign=on_assign('c2b'))
    fatal_msg = None
    deadline = time.time() + 15
    while time.time() < deadline and fatal_msg is None:
        c1.poll(0.05)
        c2b.poll(0.05)
        m = c2a.poll(0.1)
        if m is not None and m.error() and m.error().code() == KafkaError._FATAL:
            fatal_msg = m.error().str()
    close_error = None
    try:
        c2a.close()
    except Exception as e:  # a fenced consumer's close reports the fatal error
        close_error = str(e)
    deadline = time.time() + 20
    while time.time() < deadline and not ('c2b' in assigned and assigned['c2b']):
        c1.poll(0.1)
        c2b.poll(0.1)
    after = {'c1': assigned.get('c1'), 'c2b': assigned.get('c2b')}
    c1.close()
    c2b.close()
    print(json.dumps({'initial': initial, 'fatal_msg': fatal_msg, 'close_error': close_error, 'errors': errs, 'after': after}), flush=True)
