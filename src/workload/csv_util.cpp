#include "suanli/workload/csv_util.hpp"

#include <string>

namespace suanli::workload {

std::string job_name(const Job& job) {
  std::string name = "job " + quote_for_message(job.id);
  if (job.line > 0) name += " (line " + std::to_string(job.line) + ")";
  return name;
}

Workload start_workload(const std::string& path, std::string_view format,
                        std::size_t expected_jobs) {
  Workload w;
  w.source = path;
  w.format = format;
  w.jobs.reserve(expected_jobs);
  return w;
}

void start_at_first_submit(Workload& w, const EarliestTime& first) {
  if (!first.seen()) return;
  for (Job& job : w.jobs) job.submit_s -= first.seconds;
  w.metadata.emplace_back("epoch_first_submit", first.written);
}

void add_count(Workload& w, std::string_view key, std::size_t count) {
  if (count > 0) w.metadata.emplace_back(std::string(key), std::to_string(count));
}

}  // namespace suanli::workload
