"""librdkafka load driver for bench/broker.bench.ts (python3-confluent-kafka).

  produce BOOTSTRAP TOPIC COUNT SIZE ACKS      -> throughput + client CPU
  consume BOOTSTRAP TOPIC COUNT                -> throughput + client CPU
  latency BOOTSTRAP TOPIC RATE SECONDS ACKS    -> p50/p99 produce latency at a fixed rate
  connect BOOTSTRAP TOPIC COUNT                -> new authenticated connections per second (client, handshake, metadata)
KAFKA_CLIENT_CONFIG (JSON) adds client settings, e.g. security.protocol / sasl.* / ssl.ca.location.
Prints one JSON line.
"""
import json
import os
import resource
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition

mode, bootstrap, topic = sys.argv[1], sys.argv[2], sys.argv[3]
EXTRA = json.loads(os.environ.get('KAFKA_CLIENT_CONFIG') or '{}')


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


if mode == 'produce':
    count, size, acks = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    p = Producer({'bootstrap.servers': bootstrap, 'acks': acks, 'linger.ms': 5, 'batch.size': 1048576,
                  'queue.buffering.max.messages': 1000000, 'queue.buffering.max.kbytes': 2097151,
                  'compression.type': 'none', 'message.max.bytes': 2000000, **EXTRA})
    payload = b'x' * size
    c0, t0 = cpu(), time.time()
    for i in range(count):
        while True:
            try:
                p.produce(topic, payload)
                break
            except BufferError:
                p.poll(0.001)
    left = p.flush(60)
    dt = time.time() - t0
    print(json.dumps({'msgs': count - left, 'seconds': dt, 'mb_s': (count - left) * size / dt / 1e6,
                      'msgs_s': (count - left) / dt, 'client_cpu': (cpu() - c0) / dt}))
elif mode == 'consume':
    count = int(sys.argv[4])
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'bench-%d' % time.time_ns(), 'enable.auto.commit': False,
                  'fetch.max.bytes': 52428800, 'max.partition.fetch.bytes': 10485760, 'fetch.wait.max.ms': 50,
                  'queued.max.messages.kbytes': 1048576, 'isolation.level': 'read_uncommitted', **EXTRA})
    c.assign([TopicPartition(topic, 0, 0)])
    got = 0
    nbytes = 0
    c0, t0 = cpu(), time.time()
    while got < count:
        msgs = c.consume(10000, 1.0)
        for m in msgs:
            if m.error() is None:
                got += 1
                nbytes += len(m.value())
        if time.time() - t0 > 120:
            break
    dt = time.time() - t0
    c.close()
    print(json.dumps({'msgs': got, 'seconds': dt, 'mb_s': nbytes / dt / 1e6, 'msgs_s': got / dt, 'client_cpu': (cpu() - c0) / dt}))
elif mode == 'latency':
    rate, seconds, acks = int(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
    p = Producer({'bootstrap.servers': bootstrap, 'acks': acks, 'linger.ms': 0})
    lat = []

    def cb(err, msg, t=None):
        pass
    payload = b'y' * 1024
    interval = 1.0 / rate
    t0 = time.time()
    n = 0
    while time.time() - t0 < seconds:
        sent = time.perf_counter()
        p.produce(topic, payload, on_delivery=(lambda s: (lambda err, msg: lat.append(time.perf_counter() - s)))(sent))
        n += 1
        p.poll(0)
        target = t0 + n * interval
        while time.time() < target:
            p.poll(0.0005)
    p.flush(10)
    lat.sort()
    print(json.dumps({'sent': n, 'p50_ms': lat[len(lat) // 2] * 1000, 'p99_ms': lat[int(len(lat) * 0.99)] * 1000}))
elif mode == 'connect':
    from confluent_kafka.admin import AdminClient
    count = int(sys.argv[4])
    t0 = time.time()
    for i in range(count):
        a = AdminClient({'bootstrap.servers': bootstrap, **EXTRA})
        a.list_topics(timeout=10)
        del a
    dt = time.time() - t0
    print(json.dumps({'connections': count, 'seconds': dt, 'per_s': count / dt}))
