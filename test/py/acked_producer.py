"""An acks=all, idempotent librdkafka producer for the replication tests.

Usage: acked_producer.py BOOTSTRAP TOPIC PARTITION COUNT PREFIX [INTERVAL_MS [SIZE]]
Sends COUNT records "PREFIX-i" to one partition, about one every INTERVAL_MS, and
prints one JSON line per acknowledged record ({"v": value, "o": offset, "t": unix
time of the acknowledgement, "sent": its create time}), then a
last line {"done": true, "acked": n, "errors": [...]}. Records whose delivery
failed are listed in errors, never printed as acknowledged.
"""
import json
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, partition, count, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
interval = (int(sys.argv[6]) if len(sys.argv) > 6 else 5) / 1000.0
size = int(sys.argv[7]) if len(sys.argv) > 7 else 0

p = Producer({
    'bootstrap.servers': bootstrap,
    'acks': 'all',
    'enable.idempotence': True,
    'linger.ms': 2,
    'message.timeout.ms': 60000,
    'retry.backoff.ms': 100,
    'topic.metadata.refresh.interval.ms': 1000,
})
acked = 0
errors = []


def report(err, msg):
    global acked
    if err is not None:
        errors.append(f'{msg.value().decode().rstrip(".")}: {err.name()}')
        return
    acked += 1
    print(json.dumps({'v': msg.value().decode().rstrip('.'), 'o': msg.offset(), 't': time.time(), 'sent': msg.timestamp()[1] / 1000.0}), flush=True)


for i in range(count):
    while True:
        try:
            p.produce(topic, value=f'{prefix}-{i}'.encode().ljust(size, b'.'), partition=partition, on_delivery=report)
            break
        except BufferError:
            p.poll(0.05)
    p.poll(0)
    time.sleep(interval)
p.flush(90)
print(json.dumps({'done': True, 'acked': acked, 'errors': errors}), flush=True)
