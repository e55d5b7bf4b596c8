// Benchmark baseline: the same workload scheduled FIFO on one pool of GPUs by a bare C++
// event loop (a min-heap of completion times, no network, no SimGrid). suanli's wall time is
// reported as a ratio to this loop's, measured in the same benchmark run.
#include <chrono>
#include <cstdio>
#include <deque>
#include <functional>
#include <queue>
#include <vector>

#include "suanli/perf/prepared_job.hpp"
#include "suanli/platform/platform_loader.hpp"
#include "suanli/workload/native_csv.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: bare_fifo PLATFORM.yaml WORKLOAD.csv\n");
    return 2;
  }
  const auto platform = suanli::platform::load_platform_yaml(argv[1]);
  const auto workload = suanli::workload::read_native_csv(argv[2]);
  const auto jobs = suanli::perf::prepare_jobs(platform, workload, true);
  struct Result {
    double makespan_s = 0;
    double mean_jct_s = 0;
  };
  const auto simulate = [&] {
    using Completion = std::pair<double, int>;  // (end time, gpus)
    std::priority_queue<Completion, std::vector<Completion>, std::greater<>> running;
    std::deque<std::size_t> queue;
    int free = platform.total_gpus();
    double now = 0, jct_sum = 0;
    std::size_t next = 0, done = 0;
    const auto runtime = [&](std::size_t i) { return jobs[i].work.reference_runtime_s; };
    while (done < workload.jobs.size()) {
      const double next_arrival =
          next < workload.jobs.size() ? workload.jobs[next].submit_s : 1e300;
      if (!running.empty() && running.top().first <= next_arrival) {
        now = running.top().first;
        free += running.top().second;
        running.pop();
        ++done;
      } else {
        now = next_arrival;
        queue.push_back(next++);
      }
      while (!queue.empty() && workload.jobs[queue.front()].num_gpus <= free) {
        const auto i = queue.front();
        queue.pop_front();
        free -= workload.jobs[i].num_gpus;
        running.emplace(now + runtime(i), workload.jobs[i].num_gpus);
        jct_sum += now + runtime(i) - workload.jobs[i].submit_s;
      }
    }
    return Result{now, jct_sum / double(workload.jobs.size())};
  };
  // One pass takes ~10 ms: repeat it for at least half a second so the baseline is a stable
  // measurement, and report the mean time of one pass.
  const auto t0 = std::chrono::steady_clock::now();
  Result result;
  int passes = 0;
  double wall = 0;
  do {
    result = simulate();
    ++passes;
    wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  } while (wall < 0.5);
  std::printf(
      "{\"sim_wall_s\": %.6f, \"passes\": %d, \"makespan_s\": %.3f, \"mean_jct_s\": %.3f}\n",
      wall / passes, passes, result.makespan_s, result.mean_jct_s);
  return 0;
}
