"""AdminClient scenarios for the admin compatibility tests; one JSON line of results.

Usage:
  admin_compat.py BOOTSTRAP empty-group GROUP TOPIC
      a consumer joins GROUP, reads one record, closes (LeaveGroup); then list_groups
      reports the group as Kafka does: protocol type "consumer", state Empty
  admin_compat.py BOOTSTRAP broker-configs BROKER_ID
      AlterConfigs on BROKER resources (this broker and the cluster default ""), then
      DescribeConfigs with synonyms
"""
import json
import sys
import time

from confluent_kafka import Consumer
from confluent_kafka.admin import AdminClient, ConfigResource

bootstrap, scenario = sys.argv[1], sys.argv[2]
admin = AdminClient({'bootstrap.servers': bootstrap})

if scenario == 'empty-group':
    group, topic = sys.argv[3], sys.argv[4]
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest'})
    c.subscribe([topic])
    deadline = time.time() + 30
    got = None
    while got is None and time.time() < deadline:
        m = c.poll(0.2)
        if m is not None and not m.error():
            got = m.value().decode()
    c.commit(asynchronous=False)
    active = [{'id': g.id, 'protocol_type': g.protocol_type, 'state': g.state} for g in admin.list_groups(group, timeout=10)]
    c.close()
    empty = [{'id': g.id, 'protocol_type': g.protocol_type, 'state': g.state, 'members': len(g.members)} for g in admin.list_groups(group, timeout=10)]
    print(json.dumps({'got': got, 'active': active, 'empty': empty}), flush=True)

elif scenario == 'broker-configs':
    broker = sys.argv[3]

    def alter(name, configs):
        r = ConfigResource('broker', name, set_config=configs)
        try:
            admin.alter_configs([r])[r].result(timeout=10)
            return 'ok'
        except Exception as e:
            return e.args[0].name() if e.args and hasattr(e.args[0], 'name') else str(e)

    def describe(name):
        r = ConfigResource('broker', name)
        out = {}
        for k, e in admin.describe_configs([r])[r].result(timeout=10).items():
            out[k] = {'value': e.value, 'source': e.source, 'read_only': e.is_read_only,
                      'synonyms': [[s.name, s.value, s.source] for s in e.synonyms.values()]}
        return out

    res = {}
    res['alter_default'] = alter('', {'log.retention.ms': '7200000', 'message.max.bytes': '2000000'})
    res['alter_broker'] = alter(broker, {'log.retention.ms': '3600000'})
    res['alter_unknown'] = alter(broker, {'no.such.config': '1'})
    res['alter_bad_value'] = alter(broker, {'log.retention.ms': 'soon'})
    res['alter_read_only'] = alter(broker, {'node.id': '7'})
    res['alter_other_broker'] = alter('42', {'log.retention.ms': '1'})
    res['broker'] = describe(broker)
    res['default'] = describe('')
    print(json.dumps(res), flush=True)
