#include "suanli/workload/trace_reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "suanli/common/input_error.hpp"

namespace suanli::workload {

void TraceFile::fail(int line, std::string_view field, const std::string& what) const {
  throw InputError(located(path_, line, std::string(field), what));
}

void CsvTraceReader::read_header_or_fail(const std::string& expected) {
  if (!csv_.read_header())
    csv_.fail_file("no header line (the file is empty); expected " + expected);
}

void check_gpus_per_proc(const std::string& path, double gpus_per_proc) {
  if (!(gpus_per_proc > 0) || !std::isfinite(gpus_per_proc)) {
    throw InputError(located(path, 0, "--gpus-per-proc",
                             "must be a number > 0, got " + format_number(gpus_per_proc)));
  }
}

std::optional<int> gpus_for_units(double units, double gpus_per_unit) {
  double gpus = units * gpus_per_unit;
  const double nearest = std::round(gpus);
  if (std::fabs(gpus - nearest) <= 1e-9 * std::max(1.0, nearest)) gpus = nearest;
  gpus = std::max(1.0, std::ceil(gpus));
  if (gpus > std::numeric_limits<int>::max()) return std::nullopt;
  return static_cast<int>(gpus);
}

void check_written_duration(const Job& job, std::string_view no_duration,
                            std::string_view not_positive) {
  if (!job.has_duration()) {
    throw std::invalid_argument(job_name(job) +
                                ": its work is given as params/tokens, not as a duration; " +
                                std::string(no_duration));
  }
  if (!(job.duration_s > 0) || !std::isfinite(job.duration_s)) {
    throw std::invalid_argument(job_name(job) + ": duration " + format_number(job.duration_s) +
                                " s; " + std::string(not_positive));
  }
}

void check_written_gpus(const Job& job, std::string_view too_few, std::string_view shared) {
  if (job.num_gpus < 1) {
    throw std::invalid_argument(job_name(job) + ": " + std::to_string(job.num_gpus) + " GPUs; " +
                                std::string(too_few));
  }
  if (job.gpu_milli > 0) {
    throw std::invalid_argument(job_name(job) + ": asks for a share of one GPU (" +
                                std::to_string(job.gpu_milli) + " thousandths); " +
                                std::string(shared));
  }
}

}  // namespace suanli::workload
