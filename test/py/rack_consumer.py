"""A librdkafka consumer with client.rack (KIP-392 fetch from the closest replica).

Usage: rack_consumer.py BOOTSTRAP TOPIC RACK [ISOLATION]
Reads partition 0 from the beginning, with client.rack=RACK (empty: none) and
isolation.level ISOLATION (default read_committed). For each record prints one JSON
line {"o": offset, "v": value}; for each line "stop" read on stdin, prints
{"mark": records read so far} (the test's sync point); at end of stdin prints
{"done": true, "errors": [...]} and exits.
"""
import json
import select
import sys

from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING

bootstrap, topic, rack = sys.argv[1], sys.argv[2], sys.argv[3]
isolation = sys.argv[4] if len(sys.argv) > 4 else 'read_committed'
errors = []
conf = {
    'bootstrap.servers': bootstrap,
    'group.id': 'rack-' + topic + '-' + rack,
    'enable.auto.commit': False,
    'isolation.level': isolation,
    'fetch.wait.max.ms': 100,
    'topic.metadata.refresh.interval.ms': 1000,
    'error_cb': lambda e: errors.append(e.str()),
}
if rack:
    conf['client.rack'] = rack
c = Consumer(conf)
c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
n = 0
while True:
    m = c.poll(0.1)
    if m is not None:
        if m.error():
            errors.append(m.error().str())
        else:
            n += 1
            print(json.dumps({'o': m.offset(), 'v': m.value().decode()}), flush=True)
    if select.select([sys.stdin], [], [], 0)[0]:
        line = sys.stdin.readline()
        if not line:
            break
        print(json.dumps({'mark': n}), flush=True)
c.close()
print(json.dumps({'done': True, 'errors': errors[:10]}), flush=True)
