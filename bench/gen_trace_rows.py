#!/usr/bin/env python3
"""Large traces for bench/trace_read_bench.sh (reader speed and memory; not a workload).

  native  ROWS OUT: job_id,submit_time,num_gpus,duration,gpu_type,user with ids job-0000001,
                    users u1..u500 and three GPU models.
  alibaba ROWS OUT POD_LIST: the rows of an Alibaba GPU 2023 pod list (openb_pod_list_*.csv)
                    repeated until ROWS, each copy renamed (openb-pod-0000001, ...) and its
                    times shifted past the previous copy's, so names stay unique.
Seeded: the same arguments give the same file.
"""
import random
import sys


def native(rows, out):
    rng = random.Random(1)
    gpus = (1, 1, 1, 2, 4, 8, 8, 16)
    models = ("A100", "H100", "V100")
    with open(out, "w") as f:
        f.write("job_id,submit_time,num_gpus,duration,gpu_type,user\n")
        t = 0
        batch = []
        for i in range(1, rows + 1):
            t += rng.randrange(0, 60)
            batch.append(
                f"job-{i:07d},{t},{rng.choice(gpus)},{rng.randrange(60, 86400)},"
                f"{rng.choice(models)},u{rng.randrange(1, 501)}\n"
            )
            if len(batch) == 65536:
                f.write("".join(batch))
                batch.clear()
        f.write("".join(batch))


def alibaba(rows, out, pod_list):
    with open(pod_list) as f:
        header = f.readline()
        body = [line.rstrip("\r\n").split(",") for line in f if line.strip()]
    cols = header.strip().split(",")
    name = cols.index("name")
    times = [cols.index(c) for c in ("creation_time", "deletion_time", "scheduled_time")]
    span = 1 + max(float(r[i]) for r in body for i in times if r[i] not in ("", "nan"))
    with open(out, "w") as f:
        f.write(header)
        batch = []
        for i in range(rows):
            copy, row = divmod(i, len(body))
            r = list(body[row])
            r[name] = f"openb-pod-{i + 1:07d}"
            for c in times:
                if r[c] not in ("", "nan"):
                    r[c] = str(int(float(r[c]) + copy * span))
            batch.append(",".join(r) + "\n")
            if len(batch) == 65536:
                f.write("".join(batch))
                batch.clear()
        f.write("".join(batch))


if __name__ == "__main__":
    kind, rows, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if kind == "native":
        native(rows, out)
    elif kind == "alibaba":
        alibaba(rows, out, sys.argv[4])
    else:
        sys.exit(f"unknown kind {kind!r}: native or alibaba")
