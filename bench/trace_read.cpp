// Reader benchmark (bench/trace_read_bench.sh): reads one trace with the registry's reader,
// as `suanli workload stats` does, and prints one JSON line with the rows read, the read's
// wall time, rows per second, the process's peak RSS and sizeof(Job). Nothing else runs, so
// the time is the read alone.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

#include "suanli/workload/job.hpp"
#include "suanli/workload/symbol.hpp"
#include "suanli/workload/trace_format.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: suanli_trace_read TRACE [FORMAT]\n");
    return 2;
  }
  const std::string format = argc == 3 ? argv[2] : "";
  try {
    const auto start = std::chrono::steady_clock::now();
    const auto workload = suanli::workload::read_workload(argv[1], format, {});
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf(
        "{\"format\": \"%s\", \"jobs\": %zu, \"read_s\": %.3f, \"jobs_per_s\": %.0f, "
        "\"peak_rss_mb\": %.1f, \"sizeof_job\": %zu, \"symbols\": %zu}\n",
        workload.format.c_str(), workload.jobs.size(), seconds,
        static_cast<double>(workload.jobs.size()) / seconds,
        static_cast<double>(usage.ru_maxrss) / 1024.0, sizeof(suanli::workload::Job),
        suanli::workload::Symbol::table_size());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return 0;
}
