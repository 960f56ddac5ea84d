"""librdkafka test 0082 in python: partitions full of ~900 KB messages consumed with
fetch.max.bytes=1000000 and receive.message.max.bytes=1000512, so any Fetch response
carrying more than one oversized batch is rejected by the client ("Invalid response size").

Usage: fetch_max_bytes.py BOOTSTRAP TOPIC PARTITIONS PER_PARTITION
Prints {"consumed": N, "errors": [...]}.
"""
import json
import sys
import time

from confluent_kafka import Consumer, Producer

bootstrap, topic, partitions, per = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
value = b'x' * (900 * 1024)
p = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 0, 'batch.num.messages': 1})
for part in range(partitions):
    for i in range(per):
        p.produce(topic, value, partition=part)
        p.poll(0)
p.flush(60)

errors = []
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'fmb-' + topic, 'auto.offset.reset': 'earliest',
              'max.partition.fetch.bytes': 20000000, 'fetch.max.bytes': 1000000,
              'receive.message.max.bytes': 1000512, 'error_cb': lambda e: errors.append(e.str())})
c.subscribe([topic])
n = 0
deadline = time.time() + 40
while n < partitions * per and time.time() < deadline:
    m = c.poll(0.5)
    if m is None:
        continue
    if m.error():
        errors.append(m.error().str())
        continue
    n += 1
c.close()
print(json.dumps({'consumed': n, 'errors': errors[:5]}), flush=True)
