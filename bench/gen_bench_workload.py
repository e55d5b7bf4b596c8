#!/usr/bin/env python3
"""Benchmark workloads for scripts/bench.sh (seeded, standard library only).

single: 1-8 GPU duration jobs (one node each), Poisson arrivals at ~90% offered load.
multi:  8-64 GPU params/tokens training runs (several nodes, ring all-reduce traffic),
        Poisson arrivals at ~90% offered load.
Offered load = sum(gpus x seconds) / (GPUS x span); the arrival rate is set from it.
"""
import argparse
import math
import random

GPUS = 4096
H100_PEAK = 989e12


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["single", "multi"])
    ap.add_argument("--jobs", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--load", type=float, default=0.9)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    rows = []
    gpu_seconds = 0.0
    for i in range(a.jobs):
        if a.kind == "single":
            gpus = rng.choice([1, 1, 1, 1, 2, 4, 8])
            seconds = min(86400.0, max(10.0, rng.lognormvariate(math.log(600), 1.5)))
            rows.append((f"b{i}", gpus, f"{seconds:.0f}", "", ""))
        else:
            gpus = rng.choice([8, 16, 32, 64])
            params = rng.choice([1e9, 7e9, 13e9])
            seconds = min(86400.0, max(60.0, rng.lognormvariate(math.log(1800), 1.2)))
            tokens = seconds * gpus * H100_PEAK * 0.4 / (6 * params)
            rows.append((f"b{i}", gpus, "", f"{params:g}", f"{tokens:.4g}"))
        gpu_seconds += gpus * seconds
    span = gpu_seconds / (a.load * GPUS)
    rate = a.jobs / span
    t = 0.0
    with open(a.out, "w") as f:
        f.write("job_id,submit_time,num_gpus,duration,params,tokens\n")
        for job_id, gpus, duration, params, tokens in rows:
            f.write(f"{job_id},{t:.3f},{gpus},{duration},{params},{tokens}\n")
            t += rng.expovariate(rate)


if __name__ == "__main__":
    main()
