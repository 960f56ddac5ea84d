#!/usr/bin/python3
# Stands in for Kafka's kafka-acls.sh (librdkafka tests 0109, 0115, 0119 call it through
# test_kafka_cmd()): `tributary acls` takes kafka-acls' flags; only --add/--remove/--list
# become subcommands and --bootstrap-server becomes --bootstrap.
import os, subprocess, sys

BIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'bin', 'tributary.mjs')
out, sub, args, i = [], None, sys.argv[1:], 0
while i < len(args):
    a = args[i]
    if a in ('--add', '--remove', '--list'): sub = a[2:]; i += 1; continue
    if a == '--bootstrap-server': out += ['--bootstrap', args[i + 1]]; i += 2; continue
    out.append(a); i += 1
if not sub: sys.exit('kafka-acls shim: one of --add, --remove, --list')
cmd = ['node', BIN, 'acls', sub] + out
print('kafka-acls shim:', ' '.join(cmd), flush=True)
sys.exit(subprocess.call(cmd))
