"""Produces self-checking records (py_pooled_records.py) round-robin over partitions, idempotent,
with per-partition sequences; writes {partition: records acknowledged} as JSON at the end.
usage: py_pooled_produce.py BOOTSTRAP TOPIC PARTITIONS TAG COMPRESSION SECONDS MIN_SIZE MAX_SIZE OUT.json [ACKS]"""
import json
import random
import sys
import time

from confluent_kafka import Producer

from py_pooled_records import make

bootstrap, topic, parts, tag, compression, seconds, lo, hi, out = sys.argv[1:10]
acks = sys.argv[10] if len(sys.argv) > 10 else 'all'
parts, seconds, lo, hi = int(parts), float(seconds), int(lo), int(hi)
tag = tag.encode().ljust(8, b'_')[:8]
p = Producer({
    'bootstrap.servers': bootstrap, 'acks': acks, 'enable.idempotence': acks == 'all',
    'compression.type': compression, 'linger.ms': 20, 'batch.size': 900000,
    'message.max.bytes': 1000000, 'queue.buffering.max.kbytes': 65536,
    'max.in.flight.requests.per.connection': 5, 'retries': 1000000,
    'message.timeout.ms': 300000,
})
seq = [0] * parts
acked = [0] * parts
failed = []


def on_delivery(err, msg):
    if err is not None:
        failed.append(f'{msg.partition()}: {err}')
    else:
        acked[msg.partition()] += 1


rnd = random.Random(tag)
end = time.time() + seconds
sent = 0
while time.time() < end:
    part = sent % parts
    n = rnd.randint(lo, hi)
    v = make(tag, part, seq[part], n)
    while True:
        try:
            p.produce(topic, v, partition=part, on_delivery=on_delivery)
            break
        except BufferError:
            p.poll(0.05)
    seq[part] += 1
    sent += 1
    p.poll(0)
left = p.flush(300)
res = {'tag': tag.decode(), 'produced': seq, 'acked': acked, 'failed': failed[:20], 'failedCount': len(failed), 'unflushed': left}
json.dump(res, open(out, 'w'))
print(json.dumps(res))
