#!/usr/bin/env python3
"""Compares the r1 math accuracy reward with math-verify on the same inputs.

Builds one JSONL input file (the committed agreement corpus plus the MATH-500
reference solutions when the data folder is given), gives each corpus
completion a chain of thought of --cot-solutions worked MATH solutions (with
their boxes removed, so the final answer stays the same) to make the lengths
realistic, times math-verify's
parse + verify on every pair in this Python process, writes the timing as
JSON, and runs the reward_bench program on the same file so that both
numbers come from one run on one machine.

  .venv-rewards/bin/python scripts/bench_math_reward.py \
      --bench build/bench/reward_bench --data-dir ../shared/data
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version

from math_verify import parse, verify


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", required=True, help="path of the built reward_bench program")
    parser.add_argument("--corpus", default="tests/data/rewards/math_corpus.jsonl")
    parser.add_argument("--data-dir", help="folder with math500/ and math-test5000/ (optional)")
    parser.add_argument("--cot-solutions", type=int, default=3,
                        help="worked solutions prepended to each corpus completion (needs --data-dir)")
    args = parser.parse_args()

    reasoning = []
    if args.data_dir and args.cot_solutions > 0:
        with open(f"{args.data_dir}/math-test5000/test.jsonl") as f:
            reasoning = [json.loads(line)["solution"].replace("\\boxed", "").replace("\\fbox", "") for line in f]

    pairs = []
    with open(args.corpus) as f:
        for index, line in enumerate(f):
            row = json.loads(line)
            completion = row["completion"]
            if reasoning:
                start = index * args.cot_solutions
                steps = [reasoning[(start + k) % len(reasoning)] for k in range(args.cot_solutions)]
                completion = "\n\n".join(steps) + "\n\n" + completion
            pairs.append({"completion": completion, "gold": row["gold"]})
    if args.data_dir:
        with open(f"{args.data_dir}/math500/test.jsonl") as f:
            for line in f:
                row = json.loads(line)
                pairs.append({"completion": row["solution"], "gold": row["answer"]})

    workdir = tempfile.mkdtemp(prefix="reward_bench_")
    input_path = f"{workdir}/pairs.jsonl"
    with open(input_path, "w") as f:
        for pair in pairs:
            f.write(json.dumps(pair) + "\n")

    start = time.perf_counter()
    correct = 0
    for pair in pairs:
        try:
            correct += bool(verify(parse(f"${pair['gold']}$"), parse(pair["completion"])))
        except Exception:
            pass
    seconds = time.perf_counter() - start
    timing = {"count": len(pairs), "seconds": seconds, "per_second": len(pairs) / seconds, "correct": correct,
              "version": version("math-verify")}
    timing_path = f"{workdir}/math_verify_timing.json"
    with open(timing_path, "w") as f:
        json.dump(timing, f)
    print(f"math-verify: {len(pairs)} pairs in {seconds:.2f} s, {correct} correct", file=sys.stderr)

    subprocess.run([args.bench, "--input", input_path, "--reference-timing", timing_path], check=True)


if __name__ == "__main__":
    main()
