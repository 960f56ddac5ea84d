"""A librdkafka transactional producer that a test drives step by step.

Usage: txn_steps.py BOOTSTRAP TOPIC TRANSACTIONAL_ID [PRODUCER_CONFIG_JSON]
Reads one command a line from stdin and answers each with one JSON line:
  commit NAME N [PAD]  a transaction of N records "NAME-<i>" (then PAD '~') to partition 0,
                       committed (retried while the cluster fails over)    {"committed": NAME}
  abort NAME N [PAD]   the same, flushed (in the log), then aborted          {"aborted": NAME}
  open NAME N [PAD]    the same, flushed, and left open                       {"open": NAME}
  end                  commits the open transaction (retried likewise)        {"committed": NAME}
  quit                 exits                                                  {"done": true}
A failure answers {"error": "..."} and exits 1.
"""
import json
import sys

from confluent_kafka import KafkaException, Producer

bootstrap, topic, txn_id = sys.argv[1], sys.argv[2], sys.argv[3]
extra = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': txn_id, 'transaction.timeout.ms': 120000,
              'topic.metadata.refresh.interval.ms': 1000, 'retry.backoff.ms': 100, **extra})


def say(x):
    print(json.dumps(x), flush=True)


def commit():
    while True:
        try:
            p.commit_transaction(60)
            return
        except KafkaException as e:
            if not e.args[0].retriable():
                raise


try:
    p.init_transactions(60)
    say({'ready': True})
    open_name = None
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        cmd = words[0]
        if cmd in ('commit', 'abort', 'open'):
            name, n = words[1], int(words[2])
            pad = '~' * (int(words[3]) if len(words) > 3 else 0)
            p.begin_transaction()
            for i in range(n):
                p.produce(topic, value=f'{name}-{i}{pad}'.encode(), partition=0)
            if cmd == 'commit':
                commit()
                say({'committed': name})
            elif cmd == 'abort':
                p.flush(60)
                p.abort_transaction(60)
                say({'aborted': name})
            else:
                p.flush(60)
                open_name = name
                say({'open': name})
        elif cmd == 'end':
            commit()
            say({'committed': open_name})
            open_name = None
        elif cmd == 'quit':
            say({'done': True})
            break
except Exception as e:  # noqa: BLE001 (the test reads the reason)
    say({'error': repr(e)})
    sys.exit(1)
