# python confluent-kafka (librdkafka) against a secured listener: produce N records and
# read them back with the security settings given as JSON (Kafka's client names).
# Prints one JSON line: {"produced": n, "consumed": n} or {"error": "NAME", "message": "..."}.
import json, sys, uuid
from confluent_kafka import Producer, Consumer, KafkaException

bootstrap, topic, settings = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
n = int(sys.argv[4]) if len(sys.argv) > 4 else 10
errors = []
def on_error(e):
    errors.append(e)
base = dict(settings, **{'bootstrap.servers': bootstrap, 'error_cb': on_error})
p = Producer(dict(base, **{'acks': 'all', 'message.timeout.ms': 8000}))
delivered = []
def dr(err, msg):
    delivered.append(err)
for i in range(n):
    p.produce(topic, key=b'k%d' % i, value=b'v%d' % i, on_delivery=dr)
import time
deadline = time.time() + 10
while len(delivered) < n and not errors and time.time() < deadline:
    p.poll(0.1)
p.flush(0 if errors else 10)
failed = [e for e in delivered if e is not None]
if failed or len(delivered) < n:
    # an authentication error reaches error_cb; deliveries then only time out
    e = errors[0] if errors else (failed[0] if failed else None)
    print(json.dumps({'error': e.name() if e else 'TIMEOUT', 'message': e.str() if e else ''}))
    sys.exit(0)
c = Consumer(dict(base, **{'group.id': 'py-' + uuid.uuid4().hex[:8], 'auto.offset.reset': 'earliest'}))
c.subscribe([topic])
got = 0
import time
deadline = time.time() + 20
while got < n and time.time() < deadline:
    m = c.poll(0.5)
    if m is None:
        continue
    if m.error():
        print(json.dumps({'error': m.error().name(), 'message': m.error().str(), 'produced': n}))
        sys.exit(0)
    got += 1
c.close()
print(json.dumps({'produced': n, 'consumed': got}))
