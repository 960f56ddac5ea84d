"""Reads partitions 0..N-1 of a topic from the beginning (or the end) and checks every record:
offsets contiguous, each self-checking value (py_pooled_records.py) byte-exact, its partition
field right and its sequence the next one of its producer in that partition; records of
rdkafka_performance (-S: "<seq>: " then the pattern) checked against the pattern. Stops once
STOP_FILE exists and nothing came for IDLE seconds; prints a JSON summary.
usage: py_pooled_check.py BOOTSTRAP TOPIC PARTITIONS beginning|end STOP_FILE OUT.json [IDLE]"""
import json
import os
import sys
import time

from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING, OFFSET_END

from py_pooled_records import parse

bootstrap, topic, parts, start, stop_file, out = sys.argv[1:7]
idle = float(sys.argv[7]) if len(sys.argv) > 7 else 10.0
parts = int(parts)
PATTERN = b'librdkafka_performance testing!'
c = Consumer({
    'bootstrap.servers': bootstrap, 'group.id': f'stress-check-{os.getpid()}', 'enable.auto.commit': False,
    'check.crcs': True, 'fetch.wait.max.ms': 50, 'max.partition.fetch.bytes': 1048576,
    'fetch.max.bytes': 4194304, 'enable.partition.eof': False, 'auto.offset.reset': 'error',
})
c.assign([TopicPartition(topic, i, OFFSET_BEGINNING if start == 'beginning' else OFFSET_END) for i in range(parts)])
last_off = {}
last_seq = {}
first_seq = {}
ok = perf = bad = gaps = errors = 0
problems = []


def problem(s):
    if len(problems) < 50:
        problems.append(s)
    print(s, file=sys.stderr, flush=True)


quiet_since = time.time()
while True:
    msgs = c.consume(500, 0.5)
    if not msgs:
        if os.path.exists(stop_file) and time.time() - quiet_since > idle:
            break
        continue
    quiet_since = time.time()
    for m in msgs:
        if m.error():
            errors += 1
            problem(f'error p{m.partition()} o{m.offset()}: {m.error()}')
            continue
        p, o, v = m.partition(), m.offset(), m.value()
        if p in last_off and o != last_off[p] + 1:
            gaps += 1
            problem(f'offset gap p{p}: {last_off[p]} -> {o}')
        last_off[p] = o
        r = parse(v)
        if r is None:
            # rdkafka_performance -S: "<seq>: \0" then the pattern from where the prefix ends
            i = v.find(b': ') if v else -1
            body = v[i + 3:] if i > 0 else b''
            want = (PATTERN * (len(v) // len(PATTERN) + 2))[i + 3:len(v)] if i > 0 else None
            if v and i > 0 and v[:i].isdigit() and body == want:
                perf += 1
            else:
                bad += 1
                problem(f'foreign/garbled record p{p} o{o} len {len(v) if v else None}: {v[:40] if v else v!r}')
            continue
        tag, part, seq, good, why = r
        if not good or part != p:
            bad += 1
            problem(f'bad record p{p} o{o} tag {tag} part {part} seq {seq}: {why or "partition field " + str(part)}')
            continue
        k = (tag.decode(), p)
        if k in last_seq and seq != last_seq[k] + 1:
            gaps += 1
            problem(f'sequence jump {k} at o{o}: {last_seq[k]} -> {seq}')
        if k not in first_seq:
            first_seq[k] = seq
        last_seq[k] = seq
        ok += 1
c.close()
res = {'topic': topic, 'start': start, 'ok': ok, 'perf': perf, 'bad': bad, 'gaps': gaps, 'errors': errors,
       'lastSeq': {f'{t}/{p}': s for (t, p), s in sorted(last_seq.items())},
       'firstSeq': {f'{t}/{p}': s for (t, p), s in sorted(first_seq.items())},
       'lastOffset': {str(p): o for p, o in sorted(last_off.items())}, 'problems': problems}
json.dump(res, open(out, 'w'))
print(json.dumps({k: v for k, v in res.items() if k not in ('lastSeq', 'firstSeq')}))
