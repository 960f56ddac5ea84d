"""AdminClient calls the cluster tests make; prints one JSON line.

Usage:
  cluster_admin.py BOOTSTRAP create TOPIC PARTITIONS RF      create a topic (placement by the cluster)
  cluster_admin.py BOOTSTRAP assign TOPIC ASSIGNMENT_JSON    create a topic with explicit replica lists
  cluster_admin.py BOOTSTRAP describe [TOPIC]                brokers, controller and partitions as librdkafka sees them
  cluster_admin.py BOOTSTRAP produce TOPIC STOPFILE          acks=all records until STOPFILE exists; every acknowledged
                                                             (partition, offset, value) and every error
"""
import json
import os
import sys
import time

from confluent_kafka import KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, cmd = sys.argv[1], sys.argv[2]
admin = AdminClient({'bootstrap.servers': bootstrap})


def create(topic):
    try:
        for f in admin.create_topics([topic], operation_timeout=20).values():
            f.result()
        print(json.dumps({'ok': True}))
    except KafkaException as e:
        err = e.args[0]
        print(json.dumps({'ok': False, 'error': err.name(), 'message': err.str()}))


if cmd == 'create':
    create(NewTopic(sys.argv[3], int(sys.argv[4]), int(sys.argv[5])))
elif cmd == 'assign':
    a = json.loads(sys.argv[4])
    create(NewTopic(sys.argv[3], len(a), replica_assignment=a))
elif cmd == 'describe':
    md = admin.list_topics(topic=sys.argv[3] if len(sys.argv) > 3 else None, timeout=10)
    out = {
        'controller': md.controller_id,
        'brokers': sorted([{'id': b.id, 'host': b.host, 'port': b.port} for b in md.brokers.values()], key=lambda b: b['id']),
        'topics': {
            name: [{'id': p.id, 'leader': p.leader, 'replicas': p.replicas, 'isr': p.isrs, 'error': p.error.name() if p.error else None}
                   for p in sorted(t.partitions.values(), key=lambda p: p.id)]
            for name, t in md.topics.items()
        },
    }
    print(json.dumps(out))
elif cmd == 'produce':
    topic, stop = sys.argv[3], sys.argv[4]
    p = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'linger.ms': 5, 'message.timeout.ms': 60000})
    acked, errors = [], []

    def cb(err, msg):
        if err:
            errors.append(err.name())
        else:
            acked.append([msg.partition(), msg.offset(), msg.value().decode()])

    i = 0
    while not os.path.exists(stop):
        p.produce(topic, value=f'v{i}', on_delivery=cb)
        i += 1
        p.poll(0.005)
    p.flush(60)
    print(json.dumps({'sent': i, 'acked': acked, 'errors': errors}))
