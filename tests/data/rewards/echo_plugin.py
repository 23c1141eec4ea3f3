#!/usr/bin/env python3
"""Reward plug-in used by the tests: reward = len(completion); special completions misbehave."""
import json
import os
import sys
import time

for line in sys.stdin:
    request = json.loads(line)
    completion = request["completion"]
    if completion == "crash":
        os._exit(3)
    if completion == "hang":
        time.sleep(30)
    if completion == "garbage":
        print("not json", flush=True)
        continue
    print(json.dumps({"reward": len(completion), "correct": completion == request["answer"],
                      "details": {"pid": os.getpid()}}), flush=True)
