"""AdminClient scenarios for the admin compatibility tests; one JSON line of results.

Usage:
  admin_compat.py BOOTSTRAP empty-group GROUP TOPIC
      a consumer joins GROUP, reads one record, closes (LeaveGroup); then list_groups
      reports the group as Kafka does: protocol type "consumer", state Empty
  admin_compat.py BOOTSTRAP msg-format TOPIC
      librdkafka test 0092: message.format.version changed on a topic halfway through
      producing (deprecated in Kafka 3.0 and ignored); every record still reads back
  admin_compat.py BOOTSTRAP broker-configs BROKER_ID
      AlterConfigs on this broker's BROKER resource, then DescribeConfigs with sources and
      synonyms, and a new topic inheriting the dynamic default (librdkafka 1.7 cannot name
      the cluster-default resource "": the tests use @platformatic/kafka for that)
"""
import json
import sys
import time

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

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
            syn = e.synonyms.values() if isinstance(e.synonyms, dict) else e.synonyms
            out[k] = {'value': e.value, 'source': src(e.source), 'read_only': e.is_read_only,
                      'synonyms': [[s.name, s.value, src(s.source)] for s in syn]}
        return out

    def src(x):
        return getattr(x, 'value', x)

    res = {}
    res['alter_unknown'] = alter(broker, {'sasl.kerberos.min.time.before.relogin': '58000'})  # librdkafka 0081's probe
    res['alter_bad_value'] = alter(broker, {'log.retention.ms': 'soon'})
    res['alter_read_only'] = alter(broker, {'num.partitions': '7'})
    res['alter_broker'] = alter(broker, {'log.retention.ms': '3600000'})  # replaces this broker's whole set
    res['broker'] = describe(broker)
    admin.create_topics([NewTopic('dyn-t', 1, 1)])['dyn-t'].result(timeout=10)
    r = ConfigResource('topic', 'dyn-t')
    res['topic'] = {k: {'value': e.value, 'source': src(e.source)}
                    for k, e in admin.describe_configs([r])[r].result(timeout=10).items() if k in ('retention.ms', 'max.message.bytes', 'segment.bytes')}
    print(json.dumps(res), flush=True)

elif scenario == 'msg-format':
    topic = sys.argv[3]
    admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(timeout=10)
    p = Producer({'bootstrap.servers': bootstrap})
    alter = None
    for i in range(10):
        p.produce(topic, ('m%d' % i).encode())
        p.flush(10)
        if i == 4:
            r = ConfigResource('topic', topic, set_config={'message.format.version': '0.10.0.0'})
            try:
                admin.alter_configs([r])[r].result(timeout=10)
                alter = 'ok'
            except Exception as e:
                alter = e.args[0].name() if e.args and hasattr(e.args[0], 'name') else str(e)
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'mf-' + topic, 'auto.offset.reset': 'earliest'})
    c.subscribe([topic])
    got = []
    deadline = time.time() + 30
    while len(got) < 10 and time.time() < deadline:
        m = c.poll(0.2)
        if m is not None and not m.error():
            got.append(m.value().decode())
    c.close()
    print(json.dumps({'alter': alter, 'got': got}), flush=True)
