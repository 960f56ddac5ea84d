"""python confluent-kafka (librdkafka) checks against a running broker.

Usage: broker_client.py BOOTSTRAP SCENARIO; prints one JSON object with results.
"""
import json
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic, NewPartitions, ConfigResource

bootstrap, scenario = sys.argv[1], sys.argv[2]
out = {}


def consume_all(topic, n, partitions=None, extra=None):
    conf = {'bootstrap.servers': bootstrap, 'group.id': 'py-%s-%d' % (topic, time.time_ns()),
            'auto.offset.reset': 'earliest', 'enable.auto.commit': False}
    conf.update(extra or {})
    c = Consumer(conf)
    if partitions is None:
        md = c.list_topics(topic, timeout=10)
        partitions = list(md.topics[topic].partitions.keys())
    c.assign([TopicPartition(topic, p, 0 if isinstance(partitions, list) else partitions[p]) for p in (partitions if isinstance(partitions, list) else partitions.keys())])
    got = []
    deadline = time.time() + 30
    while len(got) < n and time.time() < deadline:
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            raise KafkaException(m.error())
        got.append(m)
    c.close()
    return got


if scenario == 'produce-consume':
    res = {}
    for codec in ['none', 'gzip', 'snappy', 'lz4', 'zstd']:
        topic = 'py-' + codec
        p = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'compression.type': codec, 'linger.ms': 5})
        base_ts = int(time.time() * 1000) - 50000
        for i in range(300):
            p.produce(topic, key=b'k%d' % (i % 5), value=(b'v%d-' % i) + b'y' * (i % 100),
                      headers=[('idx', str(i).encode()), ('codec', codec.encode())], timestamp=base_ts + i)
        assert p.flush(30) == 0
        msgs = consume_all(topic, 300)
        res[codec] = {
            'count': len(msgs),
            'ordered': [m.offset() for m in msgs] == list(range(300)),
            'values_ok': all(m.value() == (b'v%d-' % i) + b'y' * (i % 100) for i, m in enumerate(msgs)),
            'keys_ok': all(m.key() == b'k%d' % (i % 5) for i, m in enumerate(msgs)),
            'headers_ok': all(dict(m.headers())['idx'] == str(i).encode() for i, m in enumerate(msgs)),
            'timestamps_ok': all(m.timestamp()[1] == base_ts + i for i, m in enumerate(msgs)),
        }
        # offsets_for_times: ListOffsets by timestamp
        c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'oft'})
        found = c.offsets_for_times([TopicPartition(topic, 0, base_ts + 123)], timeout=10)
        lo, hi = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
        c.close()
        res[codec]['offset_for_time'] = found[0].offset
        res[codec]['watermarks'] = [lo, hi]
    out['codecs'] = res
    # acks=0 still lands
    p = Producer({'bootstrap.servers': bootstrap, 'acks': 0})
    for i in range(50):
        p.produce('py-acks0', value=b'x%d' % i)
    p.flush(10)
    out['acks0'] = len(consume_all('py-acks0', 50))

elif scenario == 'admin':
    a = AdminClient({'bootstrap.servers': bootstrap})
    fs = a.create_topics([NewTopic('adm1', num_partitions=3, replication_factor=1, config={'retention.ms': '3600000', 'cleanup.policy': 'compact'})])
    fs['adm1'].result(10)
    try:
        a.create_topics([NewTopic('adm1', num_partitions=1, replication_factor=1)])['adm1'].result(10)
        out['duplicate'] = 'no error'
    except KafkaException as e:
        out['duplicate'] = e.args[0].name()
    try:
        a.create_topics([NewTopic('bad/name', num_partitions=1, replication_factor=1)])['bad/name'].result(10)
        out['badname'] = 'no error'
    except KafkaException as e:
        out['badname'] = e.args[0].name()
    try:
        a.create_topics([NewTopic('badcfg', num_partitions=1, replication_factor=1, config={'retention.ms': 'soon'})])['badcfg'].result(10)
        out['badconfig'] = 'no error'
    except KafkaException as e:
        out['badconfig'] = e.args[0].name()
    md = a.list_topics(timeout=10)
    out['partitions'] = len(md.topics['adm1'].partitions)
    out['controller'] = md.controller_id
    a.create_partitions([NewPartitions('adm1', 5)])['adm1'].result(10)
    out['partitions_after'] = len(a.list_topics(timeout=10).topics['adm1'].partitions)
    res = ConfigResource('topic', 'adm1')
    cfg = a.describe_configs([res])[res].result(10)
    out['retention'] = cfg['retention.ms'].value
    out['cleanup'] = cfg['cleanup.policy'].value
    out['segment_default'] = cfg['segment.bytes'].is_default
    res2 = ConfigResource('topic', 'adm1', set_config={'retention.ms': '7200000'})
    a.alter_configs([res2])[res2].result(10)
    cfg = a.describe_configs([res])[res].result(10)
    out['retention_after'] = cfg['retention.ms'].value
    out['cleanup_after_alter'] = cfg['cleanup.policy'].value  # AlterConfigs replaces the whole set
    bres = ConfigResource('broker', '0')
    bcfg = a.describe_configs([bres])[bres].result(10)
    out['broker_num_partitions'] = bcfg['num.partitions'].value
    a.delete_topics(['adm1'])['adm1'].result(10)
    out['after_delete'] = 'adm1' in a.list_topics(timeout=10).topics

print(json.dumps(out))
