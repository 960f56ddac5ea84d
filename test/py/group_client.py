"""Consumer-group member for tests: consumes a topic in a group and prints one
JSON line per event ({"assigned": [...]}, {"msg": "...", "p": N, "o": N}).

Usage: group_client.py BOOTSTRAP GROUP TOPIC [strategy] [instance_id] [session_ms]
"""
import json
import signal
import sys

from confluent_kafka import Consumer

bootstrap, group, topic = sys.argv[1], sys.argv[2], sys.argv[3]
strategy = sys.argv[4] if len(sys.argv) > 4 else 'range'
instance = sys.argv[5] if len(sys.argv) > 5 and sys.argv[5] != '-' else None
session = int(sys.argv[6]) if len(sys.argv) > 6 else 6000

conf = {'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest',
        'partition.assignment.strategy': strategy, 'session.timeout.ms': session, 'heartbeat.interval.ms': 500,
        'enable.auto.commit': True, 'auto.commit.interval.ms': 200}
if instance:
    conf['group.instance.id'] = instance
c = Consumer(conf)


def on_assign(cons, parts):
    print(json.dumps({'assigned': sorted(p.partition for p in parts), 'incremental': strategy == 'cooperative-sticky'}), flush=True)


def on_revoke(cons, parts):
    print(json.dumps({'revoked': sorted(p.partition for p in parts)}), flush=True)


running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
while running:
    m = c.poll(0.2)
    if m is None or m.error():
        continue
    print(json.dumps({'msg': m.value().decode(), 'p': m.partition(), 'o': m.offset()}), flush=True)
    c.commit(message=m, asynchronous=True)
c.close()  # sends LeaveGroup
