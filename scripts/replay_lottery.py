#!/usr/bin/env python3
"""Replay one lottery number of sunshine-lottery-v2 (README: how a parent
or a notary checks the draw). Usage: replay_lottery.py SEED STUDENT_ID [STREAM]
STREAM: single (default), school:<id>, private:<id> or feeder:<id>."""
import hashlib
import hmac
import sys

seed, student_id = sys.argv[1], sys.argv[2]
stream = sys.argv[3] if len(sys.argv) > 3 else "single"
key = str(int(seed)).encode()  # the seed in decimal ASCII
message = f"{stream}:{student_id}".encode()  # UTF-8
digest = hmac.new(key, message, hashlib.sha256).digest()
number = (int.from_bytes(digest[:8], "big") >> 11) / 2**53
print(f"{number:.9f}")  # as placements.csv writes lottery_number
