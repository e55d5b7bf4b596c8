#!/usr/bin/env python3
"""Generate suanli's default workload (workloads/default.csv) in the native CSV format.

A seeded, synthetic mix of deep-learning training jobs for a ~512-GPU heterogeneous
cluster (A100, H100 and Ascend 910B pods). Standard library only, so it runs anywhere;
the same --seed and options give a byte-identical file.

Where the numbers come from
---------------------------
Published figures used as inputs (copied here as constants):

[P] Job sizes (GPUs per job): the Microsoft Philly trace (Jeon et al., "Analysis of
    Large-Scale Multi-Tenant GPU Clusters for DNN Training Workloads", USENIX ATC 2019),
    as the job counts per GPU count in the Philly-derived traces that Gavel ships
    (Narayanan et al., OSDI 2020; github.com/stanford-futuredata/gavel,
    scheduler/traces/msr/seed=0/*.trace, column scale_factor, all 15 virtual clusters,
    15,264 jobs). PHILLY_GPU_COUNTS below is that histogram, unchanged.

[H] Job run times: the SenseTime Helios trace (Hu et al., "Characterization and
    Prediction of Deep Learning Workloads in Large-Scale GPU Datacenters", SC 2021),
    whole-trace GPU-job figures as published in the authors' artifact
    (github.com/S-Lab-System-Group/HeliosArtifact, analysis/1_compare with Philly
    trace/helios_cluster_summary.csv, row "total"): median run time 206 s, mean run time
    6,651.681 s, mean 3.716 GPUs per job, 1,580,464 GPU jobs, and GPU time of completed +
    cancelled + failed jobs 39,994,296,320 + 30,715,109,125 + 7,288,334,702 GPU-seconds.

Our approximations of those figures (derived here, not published as such):

[A1] Run time is lognormal with a size dependence, d = g**GAMMA * exp(MU + SIGMA * Z) on
     the reference GPU. GAMMA is chosen so that mean GPU time per job over (mean GPUs x
     mean run time) equals Helios' ratio (49,350 / (3.716 x 6,651.7) = 2.0: bigger jobs
     run longer), evaluated with the Philly job sizes [P]. MU and SIGMA are then chosen so
     that the mixture over sizes has Helios' median (206 s) and mean (6,652 s). The fit
     mixes two traces (sizes from Philly, times from Helios); fit_duration_model()
     computes it at start-up and the script prints it.
[A2] Run times are limited to [MIN_DURATION_S, MAX_DURATION_S] = [1 s, 7 days] by
     redrawing, so that a 3,000-job sample is not dominated by one multi-week job; this
     trims the mean below Helios'. Our choice, not a published figure.
[A3] About TRAINING_SHARE = 10% of the jobs are LLM training runs given as params+tokens
     (1.3B-70B parameters, 8-128 GPUs, a few hours each on their GPUs, MFU 0.30-0.50, the
     batch sizes of published recipes: 1M-4M tokens). Our choice, to exercise the
     params/tokens path; they are not in the Philly or Helios statistics.
[A4] Arrivals are Poisson with a diurnal modulation, rate(t) proportional to
     1 + DIURNAL_AMPLITUDE * cos(2 pi (t - PEAK_HOUR h) / 24 h), amplitude 0.5 and a peak
     at 15:00. Helios and Philly both show day/night submission cycles; the amplitude and
     peak hour are our approximations, not fitted. The mean rate is set so the offered
     load, sum(num_gpus x duration) / (CLUSTER_GPUS x submission span), comes out near
     TARGET_LOAD = 0.8 of CLUSTER_GPUS = 512, so that queues form.
[A5] Walltime (the user's estimate) = duration x an overestimate factor exp(|N(0, 1)|)
     (median 2.0, always >= 1), rounded up to a "popular" request value (5 min ... 7 days,
     then whole days). Tsafrir, Etsion and Feitelson ("Modeling User Runtime Estimates",
     JSSPP 2005) found estimates are inflated and cluster on a few round values; the
     factor's distribution and the value list are our approximation of that finding.
[A6] ~10% of the jobs are constrained to one GPU model (H100 40%, A100 40%, Ascend910B
     20%); users u01..u40 with Zipf(1) activity. Our choices.

Job sizes never exceed MAX_GPUS = 128, so every job fits the smallest 128-GPU pod.
For the load figure, params+tokens jobs count as 6 * params * tokens / (num_gpus *
REF_PEAK_FLOPS * mfu) seconds, REF_PEAK_FLOPS being the A100's dense bf16 peak (312 TFLOPS).
"""

import argparse
import bisect
import math
import random
import sys
from pathlib import Path

# [P] Philly job counts per GPU count (Gavel msr traces, seed=0, all VCs).
PHILLY_GPU_COUNTS = {1: 10480, 2: 463, 4: 2044, 7: 2, 8: 1916, 12: 6, 16: 255, 20: 1,
                     24: 5, 32: 91, 64: 1}
# [H] Helios whole-trace GPU-job figures (helios_cluster_summary.csv, row "total").
HELIOS_MEDIAN_RUN_S = 206.0
HELIOS_MEAN_RUN_S = 6651.681
HELIOS_MEAN_GPUS = 3.716
HELIOS_GPU_JOBS = 1_580_464
HELIOS_GPU_TIME_S = 39_994_296_320 + 30_715_109_125 + 7_288_334_702

# Our choices (see [A2]-[A6]).
CLUSTER_GPUS = 512
TARGET_LOAD = 0.8
MAX_GPUS = 128
MIN_DURATION_S = 1.0
MAX_DURATION_S = 7 * 86400.0
TRAINING_SHARE = 0.10
DIURNAL_AMPLITUDE = 0.5
PEAK_HOUR = 15.0
REF_PEAK_FLOPS = 312e12  # A100 dense bf16
USERS = 40
CONSTRAINED_SHARE = 0.10
CONSTRAINT_MODELS = (("H100", 0.4), ("A100", 0.4), ("Ascend910B", 0.2))
# Round request values users pick for walltime [A5], seconds.
POPULAR_WALLTIMES_S = [m * 60 for m in (5, 10, 15, 30)] + \
    [h * 3600 for h in (1, 2, 4, 6, 8, 12, 24, 48, 72, 168)]
# LLM training runs [A3]: (params, weight, GPU-count choices, batch tokens).
TRAINING_MODELS = (
    (1.3e9, 0.30, (8, 16), 1_048_576),
    (2.7e9, 0.20, (16, 32), 2_097_152),
    (7e9, 0.25, (32, 64), 4_194_304),
    (13e9, 0.13, (64,), 4_194_304),
    (34e9, 0.07, (64, 128), 4_194_304),
    (70e9, 0.05, (128,), 4_194_304),
)
TRAINING_HOURS_MEDIAN = 4.0  # lognormal run length on the chosen GPUs, [1 h, 24 h]
TRAINING_HOURS_SIGMA = 0.7

COLUMNS = ("job_id", "submit_time", "num_gpus", "duration", "params", "tokens", "mfu",
           "batch_tokens", "gpu_type", "walltime", "user")


def normal_cdf(x):
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def bisect_root(f, lo, hi, iterations=200):
    """Root of an increasing function f on [lo, hi]."""
    for _ in range(iterations):
        mid = (lo + hi) / 2
        if f(mid) < 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def fit_duration_model():
    """[A1]: (gamma, mu, sigma) of d = g**gamma * exp(mu + sigma*Z) from [P] and [H]."""
    total = sum(PHILLY_GPU_COUNTS.values())
    shares = {g: c / total for g, c in PHILLY_GPU_COUNTS.items()}

    def mean_over_sizes(f):
        return sum(p * f(g) for g, p in shares.items())

    mean_gpus = mean_over_sizes(lambda g: g)
    target_ratio = (HELIOS_GPU_TIME_S / HELIOS_GPU_JOBS) / (HELIOS_MEAN_GPUS * HELIOS_MEAN_RUN_S)
    gamma = bisect_root(lambda x: mean_over_sizes(lambda g: g ** (1 + x))
                        / (mean_gpus * mean_over_sizes(lambda g: g ** x)) - target_ratio,
                        0.0, 3.0)
    size_factor = mean_over_sizes(lambda g: g ** gamma)

    def mu_for(sigma):  # the mean run time matches Helios for any sigma
        return math.log(HELIOS_MEAN_RUN_S / size_factor) - sigma * sigma / 2

    def mixture_median(sigma):
        mu = mu_for(sigma)
        log_median = bisect_root(
            lambda m: mean_over_sizes(
                lambda g: normal_cdf((m - mu - gamma * math.log(g)) / sigma)) - 0.5,
            -20.0, 40.0)
        return math.exp(log_median)

    # A wider spread lowers the median at a fixed mean.
    sigma = bisect_root(lambda s: HELIOS_MEDIAN_RUN_S - mixture_median(s), 0.1, 6.0)
    return gamma, mu_for(sigma), sigma, target_ratio


class Sampler:
    """Draws job attributes from one seeded generator, in a fixed order."""

    def __init__(self, seed, model):
        self.rng = random.Random(seed)
        self.gamma, self.mu, self.sigma, _ = model
        sizes = sorted(g for g in PHILLY_GPU_COUNTS if g <= MAX_GPUS)
        self.sizes = sizes
        self.size_weights = [PHILLY_GPU_COUNTS[g] for g in sizes]
        self.user_weights = [1.0 / rank for rank in range(1, USERS + 1)]

    def gpu_count(self):
        return self.rng.choices(self.sizes, self.size_weights)[0]

    def duration(self, gpus):
        while True:  # [A2]: redraw outside the limits
            d = gpus ** self.gamma * math.exp(self.rng.gauss(self.mu, self.sigma))
            if MIN_DURATION_S <= d <= MAX_DURATION_S:
                return float(round(d))

    def training_run(self):
        """[A3]: (gpus, params, tokens, mfu, batch_tokens, reference seconds)."""
        weights = [m[1] for m in TRAINING_MODELS]
        params, _, gpu_choices, batch = self.rng.choices(TRAINING_MODELS, weights)[0]
        gpus = self.rng.choice(gpu_choices)
        mfu = round(self.rng.uniform(0.30, 0.50), 2)
        hours = math.exp(self.rng.gauss(math.log(TRAINING_HOURS_MEDIAN), TRAINING_HOURS_SIGMA))
        hours = min(24.0, max(1.0, hours))
        tokens = hours * 3600 * gpus * REF_PEAK_FLOPS * mfu / (6 * params)
        tokens = float(f"{tokens:.2g}")  # round like a user would: 1.2e10
        seconds = 6 * params * tokens / (gpus * REF_PEAK_FLOPS * mfu)
        return gpus, params, tokens, mfu, batch, seconds

    def walltime(self, seconds):
        """[A5]: an inflated estimate, rounded up to a popular request value."""
        wanted = seconds * math.exp(abs(self.rng.gauss(0.0, 1.0)))
        i = bisect.bisect_left(POPULAR_WALLTIMES_S, wanted)
        if i < len(POPULAR_WALLTIMES_S):
            return float(POPULAR_WALLTIMES_S[i])
        return math.ceil(wanted / 86400) * 86400.0

    def gpu_type(self):
        if self.rng.random() >= CONSTRAINED_SHARE:
            return ""
        names = [m[0] for m in CONSTRAINT_MODELS]
        return self.rng.choices(names, [m[1] for m in CONSTRAINT_MODELS])[0]

    def user(self):
        return f"u{self.rng.choices(range(1, USERS + 1), self.user_weights)[0]:02d}"

    def diurnal_arrivals(self, count, span_s):
        """[A4]: `count` arrival times of a diurnal Poisson process, by thinning."""
        mean_rate = count / span_s
        peak_rate = mean_rate * (1 + DIURNAL_AMPLITUDE)
        times = []
        t = 0.0
        while len(times) < count:
            t += self.rng.expovariate(peak_rate)
            phase = 2 * math.pi * (t / 3600 - PEAK_HOUR) / 24
            if self.rng.random() * (1 + DIURNAL_AMPLITUDE) <= 1 + DIURNAL_AMPLITUDE * math.cos(phase):
                times.append(t)
        return [x - times[0] for x in times]  # the first job arrives at 0


def make_jobs(count, seed, model):
    sampler = Sampler(seed, model)
    jobs = []
    for _ in range(count):
        job = {"gpu_type": sampler.gpu_type(), "user": sampler.user()}
        if sampler.rng.random() < TRAINING_SHARE:
            gpus, params, tokens, mfu, batch, seconds = sampler.training_run()
            job.update(num_gpus=gpus, params=params, tokens=tokens, mfu=mfu,
                       batch_tokens=batch, ref_seconds=seconds)
        else:
            gpus = sampler.gpu_count()
            seconds = sampler.duration(gpus)
            job.update(num_gpus=gpus, duration=seconds, ref_seconds=seconds)
        job["walltime"] = sampler.walltime(job["ref_seconds"])
        jobs.append(job)
    # The arrival rate follows from the work drawn: span = work / (target load x GPUs).
    work = sum(j["num_gpus"] * j["ref_seconds"] for j in jobs)
    span = work / (TARGET_LOAD * CLUSTER_GPUS)
    for job, t in zip(jobs, sampler.diurnal_arrivals(count, span)):
        job["submit_time"] = t
    return jobs


def number(x):
    """Shortest exact text for integers, compact scientific text for big values."""
    if x == int(x) and abs(x) < 1e15:
        return str(int(x)) if abs(x) < 1e8 else f"{x:.6g}"
    return f"{x:.6g}"


def write_csv(jobs, out):
    out.write("# suanli default workload: generated by scripts/gen_default_workload.py\n")
    out.write("# (see that script and docs/workload-format.md for the sources). Do not edit.\n")
    out.write(",".join(COLUMNS) + "\n")
    for i, job in enumerate(jobs, 1):
        training = "params" in job
        row = [
            f"j{i:06d}",
            f"{job['submit_time']:.3f}",
            str(job["num_gpus"]),
            "" if training else number(job["duration"]),
            number(job["params"]) if training else "",
            number(job["tokens"]) if training else "",
            f"{job['mfu']:.2f}" if training else "",
            str(job["batch_tokens"]) if training else "",
            job["gpu_type"],
            number(job["walltime"]),
            job["user"],
        ]
        out.write(",".join(row) + "\n")


def percentile(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def print_stats(jobs, model, file):
    gamma, mu, sigma, ratio = model
    p = lambda *a: print(*a, file=file)  # noqa: E731
    p(f"duration model [A1]: gamma={gamma:.4f} mu={mu:.4f} sigma={sigma:.4f} "
      f"(Helios GPU-time ratio {ratio:.3f})")
    span = jobs[-1]["submit_time"] - jobs[0]["submit_time"]
    work = sum(j["num_gpus"] * j["ref_seconds"] for j in jobs)
    p(f"jobs: {len(jobs)}   span: {span:.0f} s ({span / 86400:.2f} days)")
    load = f"{work / (CLUSTER_GPUS * span):.3f}" if span > 0 else "n/a (one arrival time)"
    p(f"offered load: {load} of {CLUSTER_GPUS} GPUs (work {work / 3600:.0f} GPU-hours)")
    by_hour = [0] * 24
    for j in jobs:
        by_hour[int(j["submit_time"] // 3600) % 24] += 1
    p("arrivals by hour of day: " + " ".join(str(n) for n in by_hour))
    training = [j for j in jobs if "params" in j]
    training_work = sum(j["num_gpus"] * j["ref_seconds"] for j in training)
    p(f"params+tokens jobs: {len(training)} ({100 * len(training) / len(jobs):.1f}%), "
      f"{100 * training_work / work:.1f}% of the work")
    p("size histogram (GPUs: jobs, share of jobs, share of GPU time):")
    for g in sorted({j["num_gpus"] for j in jobs}):
        group = [j for j in jobs if j["num_gpus"] == g]
        gw = sum(j["num_gpus"] * j["ref_seconds"] for j in group)
        p(f"  {g:4d}: {len(group):5d}  {100 * len(group) / len(jobs):5.1f}%  {100 * gw / work:5.1f}%")
    durations = sorted(j["duration"] for j in jobs if "duration" in j) or [0.0]
    p("duration jobs, run time (s): " + "  ".join(
        f"p{int(q * 100)}={percentile(durations, q):.0f}" for q in (0.1, 0.5, 0.9, 0.99))
      + f"  mean={sum(durations) / len(durations):.0f}  max={durations[-1]:.0f}")
    over = sorted(j["walltime"] / j["ref_seconds"] for j in jobs)
    p(f"walltime / run time: p10={percentile(over, 0.1):.2f} p50={percentile(over, 0.5):.2f} "
      f"p90={percentile(over, 0.9):.2f}")
    for name, _ in CONSTRAINT_MODELS:
        n = sum(1 for j in jobs if j["gpu_type"] == name)
        p(f"constrained to {name}: {n} ({100 * n / len(jobs):.1f}%)")
    p(f"users: {len({j['user'] for j in jobs})}, max GPUs per job: "
      f"{max(j['num_gpus'] for j in jobs)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--jobs", type=int, default=3000)
    default_out = Path(__file__).resolve().parent.parent / "workloads" / "default.csv"
    parser.add_argument("--out", default=str(default_out),
                        help="output file, '-' for standard output (default: %(default)s)")
    args = parser.parse_args()
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")

    model = fit_duration_model()
    jobs = make_jobs(args.jobs, args.seed, model)
    if args.out == "-":
        write_csv(jobs, sys.stdout)
    else:
        with open(args.out, "w", newline="\n", encoding="utf-8") as out:
            write_csv(jobs, out)
    print_stats(jobs, model, sys.stderr)


if __name__ == "__main__":
    main()
