#!/usr/bin/python3
# Stands in for Kafka's kafka-topics.sh when librdkafka's test suite runs against
# Tributary (tests/test.c test_kafka_topics(): KAFKA_PATH=<this dir's parent>,
# BROKERS=<a bootstrap the admin may use>): Kafka's flags onto `tributary topic`.
import os, subprocess, sys

BIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'bin', 'tributary.mjs')
args, opts, configs, action = sys.argv[1:], {}, [], None
i = 0
while i < len(args):
    a = args[i]
    if a in ('--create', '--alter', '--delete', '--list', '--describe'):
        action = a[2:]; i += 1; continue
    if i + 1 >= len(args): sys.exit(f'kafka-topics shim: {a} needs a value')
    if a == '--config': configs.append(args[i + 1])
    else: opts[a[2:]] = args[i + 1]
    i += 2
topic = opts.get('topic')
if action == 'create':
    cmd = ['create', topic]
    for k in ('partitions', 'replication-factor'):
        if k in opts: cmd += [f'--{k}', opts[k]]
    for c in configs: cmd += ['--config', c]
elif action == 'alter' and 'partitions' in opts: cmd = ['add-partitions', topic, '--partitions', opts['partitions']]
elif action == 'delete': cmd = ['delete', topic]
elif action in ('list', 'describe'): cmd = [action] + ([topic] if topic else [])
else: sys.exit(f'kafka-topics shim: unsupported {sys.argv[1:]}')
cmd = ['node', BIN, 'topic'] + cmd + ['--bootstrap', opts['bootstrap-server']]
print('kafka-topics shim:', ' '.join(cmd), flush=True)
sys.exit(subprocess.call(cmd))
