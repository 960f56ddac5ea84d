"""Self-checking records for the pooled-frame stress check.

A value is a 28-byte header (magic, producer tag, partition, per-partition sequence,
payload length) and a payload derived from the header alone (SHAKE-128, incompressible,
or for every third record a compressible run), so a checker recomputes every byte.
"""
import hashlib
import struct

MAGIC = b'TRB1'
HEADER = struct.Struct('>4s8sIQI')  # magic, tag, partition, seq, payload length


def payload(tag: bytes, partition: int, seq: int, n: int) -> bytes:
    seed = HEADER.pack(MAGIC, tag, partition, seq, n)
    if seq % 3 == 2:  # compressible: lz4 shrinks these, the others not at all
        return (hashlib.sha256(seed).digest() * (n // 32 + 1))[:n]
    return hashlib.shake_128(seed).digest(n)


def make(tag: bytes, partition: int, seq: int, n: int) -> bytes:
    return HEADER.pack(MAGIC, tag, partition, seq, n) + payload(tag, partition, seq, n)


def parse(value: bytes):
    """(tag, partition, seq, ok, why) for one of ours; None when the value is not one of ours."""
    if value is None or len(value) < HEADER.size or value[:4] != MAGIC:
        return None
    _, tag, partition, seq, n = HEADER.unpack_from(value)
    if len(value) != HEADER.size + n:
        return tag, partition, seq, False, f'length {len(value)} != {HEADER.size + n}'
    if value[HEADER.size:] != payload(tag, partition, seq, n):
        return tag, partition, seq, False, 'payload differs from what its header says'
    return tag, partition, seq, True, ''
