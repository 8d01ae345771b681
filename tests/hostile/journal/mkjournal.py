#!/usr/bin/env python3
"""Writes the journal fixtures of tests/hostile/journal (run it here).

A record (docs/agents.md "The journal format", engine/playbook.h): magic FF 50 42 4A,
CRC-32 (zlib's) of the 12 bytes after it and of the payload, payload
length (u32), event index (u64), little-endian, then the payload: the
event as JSON.  case.xml holds event 0; good.journal holds events 1-3.
"""
import struct
import zlib


def record(index, payload):
    body = struct.pack('<IQ', len(payload), index)
    crc = zlib.crc32(payload, zlib.crc32(body)) & 0xffffffff
    return b'\xffPBJ' + struct.pack('<I', crc) + body + payload


def event(t, type_, text):
    return ('{"t":"%s","type":"%s","text":"%s"}' % (t, type_, text)).encode()


GOOD = [
    record(1, event(5, 'agent.said', 'So what I am hearing is the parcel is late?')),
    record(2, event(9, 'customer.said', 'Yes, exactly.')),
    record(3, event(12, 'agent.said', 'Let me look up the order.')),
]


def write(name, data):
    with open(name, 'wb') as f:
        f.write(data)


good = b''.join(GOOD)
write('good.journal', good)
# A byte flipped in the middle record's payload: valid records follow it.
mid = len(GOOD[0]) + 20 + 5
write('flipped-middle.journal', good[:mid] + bytes([good[mid] ^ 0x01]) + good[mid + 1:])
# A byte flipped in the first record's magic: valid records follow it.
write('flipped-magic.journal', b'\xfe' + good[1:])
# A byte flipped in the last record: indistinguishable from a torn write.
last = len(good) - 3
write('flipped-last.journal', good[:last] + bytes([good[last] ^ 0x01]) + good[last + 1:])
# Valid CRCs, hostile contents.
write('not-an-event.journal', GOOD[0] + record(2, b'[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['))
write('index-gap.journal', GOOD[0] + GOOD[2])
write('index-backwards.journal', GOOD[1] + GOOD[0])
write('time-backwards.journal', GOOD[0] + record(2, event(1, 'customer.said', 'earlier')))
write('bad-type.journal', GOOD[0] + record(2, event(9, 'Customer said!', 'x')))
write('nul-in-text.journal', GOOD[0] + record(2, b'{"t":"9","type":"customer.said","text":"a\\u0000b"}'))
write('huge-length.journal', GOOD[0] + b'\xffPBJ\0\0\0\0' + struct.pack('<IQ', 0xffffffff, 2) + GOOD[2])
# An event with 1,000 attributes (at most 32; a case file holding it
# could not be read back).
write('many-attributes.journal', GOOD[0] + record(2, ('{"t":"9","type":"customer.said","attrs":{%s}}' % ','.join('"a%d":"v"' % i for i in range(1000))).encode()))
