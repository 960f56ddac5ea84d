"""Offset reset semantics: a committed offset below the log start.

Usage: reset_client.py BOOTSTRAP TOPIC GROUP RESET; prints JSON {"first": offset | null, "error": name | null}.
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException

bootstrap, topic, group, reset = sys.argv[1:5]
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': reset, 'enable.auto.commit': False})
c.subscribe([topic])
out = {'first': None, 'error': None}
deadline = time.time() + (float(sys.argv[5]) if len(sys.argv) > 5 else 15)
while time.time() < deadline:
    m = c.poll(0.3)
    if m is None:
        continue
    if m.error():
        out['error'] = m.error().name()
        break
    out['first'] = m.offset()
    break
c.close()
print(json.dumps(out))
