"""A librdkafka transactional producer that keeps going through broker failures.

Usage: txn_cluster.py BOOTSTRAP TOPIC PARTITIONS TRANSACTIONS
Each transaction writes one record "t<i>-p<p>" to every partition and commits; a
retriable error retries the commit, an abortable one aborts and writes the same
transaction again under a new attempt ("t<i>-p<p>-a<n>"). Prints one JSON line per
committed transaction ({"committed": i, "attempt": n, "t": unix time}) and a last
line {"done": true, "aborted": [...]}.
"""
import json
import sys
import time

from confluent_kafka import KafkaException, Producer

bootstrap, topic, partitions, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': 'cluster-txn', 'transaction.timeout.ms': 60000,
              'message.timeout.ms': 60000, 'retry.backoff.ms': 100, 'topic.metadata.refresh.interval.ms': 1000})
p.init_transactions(60)
aborted = []
for i in range(count):
    attempt = 0
    while True:
        try:
            p.begin_transaction()
            for part in range(partitions):
                p.produce(topic, value=f't{i}-p{part}-a{attempt}'.encode(), partition=part)
            while True:
                try:
                    p.commit_transaction(60)
                    break
                except KafkaException as e:
                    if e.args[0].retriable():
                        continue
                    raise
            print(json.dumps({'committed': i, 'attempt': attempt, 't': time.time()}), flush=True)
            break
        except KafkaException as e:
            err = e.args[0]
            if err.txn_requires_abort():
                aborted.append(f't{i}-a{attempt}: {err.name()}')
                while True:
                    try:
                        p.abort_transaction(60)
                        break
                    except KafkaException as e2:
                        if not e2.args[0].retriable():
                            raise
                attempt += 1
                continue
            raise
    time.sleep(0.02)
print(json.dumps({'done': True, 'aborted': aborted}), flush=True)
