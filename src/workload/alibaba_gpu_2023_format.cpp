// Alibaba cluster-trace-gpu-v2023 (the "openb" traces of the FGD paper, USENIX ATC 2023):
// the pod list CSV, one Kubernetes pod per row, header
//   name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,
//   deletion_time,scheduled_time
// with times in seconds from the trace start. A pod becomes a job that runs from
// scheduled_time to deletion_time and asks for the pod's CPUs and memory beside its GPUs
// (CPU-only pods are kept as jobs with no GPU); pods never scheduled are dropped and counted.
// docs/formats/alibaba-gpu-2023.md says what is kept and why.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "suanli/workload/csv_util.hpp"
#include "suanli/workload/trace_format.hpp"
#include "suanli/workload/trace_reader.hpp"

namespace suanli::workload {

namespace {

constexpr ColumnNames col{"name",          "cpu_milli",     "memory_mib",    "num_gpu",
                          "gpu_milli",     "gpu_spec",      "qos",           "pod_phase",
                          "creation_time", "deletion_time", "scheduled_time"};

// pandas writes a missing value as an empty field, but the upstream README shows it as
// "nan": both mean "not given".
bool is_missing(std::string_view text) {
  return text.empty() || text == "nan" || text == "NaN" || text == "NAN";
}

class AlibabaReader : CsvTraceReader {
 public:
  AlibabaReader(const std::string& path, const ReadOptions& options)
      : CsvTraceReader(path, col.names, "alibaba-gpu-2023", options,
                       {.skip_comments = true, .cr_is_blank = true}) {}

  Workload read();

 private:
  void read_header();
  void read_row();
  // An integer written as such or as a float with no fraction ("1", "1.0": pandas writes
  // the latter when a column had a missing value).
  int whole_number(int c) const;
  std::optional<double> optional_time(int c) const;
  // cpu_milli or memory_mib: a whole number >= 0; empty or nan = 0 (none asked).
  int amount(int c) const;

  // Per kept job, while reading: its creation time, and its end when it was Running at the
  // end of its record (to tell, once the trace's last timestamp is known, whether it was
  // still running when the trace ended).
  std::vector<double> creations_;
  struct Open {
    std::size_t job;
    double end;  // deletion_time; NaN when the pod had none
  };
  std::vector<Open> open_;
  double last_timestamp_ = -std::numeric_limits<double>::infinity();

  // The earliest creation_time over every row, dropped ones included, and its text.
  EarliestTime first_submit_;
  std::size_t cpu_only_ = 0;
  std::size_t dropped_unstarted_ = 0;
  std::size_t dropped_zero_duration_ = 0;
  std::size_t gpu_milli_ignored_ = 0;
  std::size_t gpu_spec_alternatives_ = 0;
};

Workload AlibabaReader::read() {
  creations_.reserve(csv_.expected_rows());
  open_.reserve(csv_.expected_rows());  // most pods were Running; pages are taken only as it fills
  read_header_or_fail("'name,cpu_milli,memory_mib,...'");
  read_header();
  while (csv_.next()) read_row();

  // Running pods whose record ends at the trace's last timestamp, or has no end, were still
  // running when the trace was taken: their durations are lower bounds. Those with no end
  // run until that timestamp, known only now; one scheduled at that very instant has run for
  // no time and is dropped.
  std::size_t censored = 0;
  bool drop = false;
  for (const Open& o : open_) {
    Job& job = workload_.jobs[o.job];
    if (!std::isnan(o.end)) {
      if (o.end >= last_timestamp_) ++censored;
      continue;
    }
    job.duration_s = last_timestamp_ - job.duration_s;  // duration_s held scheduled_time
    if (job.duration_s > 0) {
      ++censored;
    } else {
      drop = true;
    }
  }
  if (drop) {
    std::size_t out = 0;
    for (std::size_t i = 0; i < workload_.jobs.size(); ++i) {
      if (!(workload_.jobs[i].duration_s > 0)) {
        ++dropped_zero_duration_;
        continue;
      }
      if (out != i) {
        workload_.jobs[out] = std::move(workload_.jobs[i]);
        creations_[out] = creations_[i];
      }
      ++out;
    }
    workload_.jobs.resize(out);
    creations_.resize(out);
  }

  for (std::size_t i = 0; i < workload_.jobs.size(); ++i) {
    workload_.jobs[i].submit_s = creations_[i] - first_submit_.seconds;
  }
  // Counts that are zero are not listed.
  if (first_submit_.seen()) {
    workload_.metadata.emplace_back("epoch_first_submit", first_submit_.written);
  }
  add_count(workload_, "cpu_only", cpu_only_);
  add_count(workload_, "dropped_unstarted", dropped_unstarted_);
  add_count(workload_, "dropped_zero_duration", dropped_zero_duration_);
  add_count(workload_, "censored_running", censored);
  add_count(workload_, "gpu_milli_ignored", gpu_milli_ignored_);
  add_count(workload_, "gpu_spec_alternatives", gpu_spec_alternatives_);
  return std::move(workload_);
}

void AlibabaReader::read_header() {
  workload_.ignored_columns = csv_.ignored();
  csv_.require({col("name"), col("num_gpu")},
               "required column missing from the header (expected the pod list header "
               "'name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,"
               "deletion_time,scheduled_time')");
  if (!csv_.has(col("creation_time"))) {
    csv_.fail(col("creation_time"),
              "column missing: this pod list has no times (like openb_pod_list_multigpu50.csv, "
              "which has only name, cpu_milli, memory_mib, num_gpu, gpu_milli), and a workload "
              "needs submit times; use a pod list with creation_time, scheduled_time and "
              "deletion_time");
  }
  csv_.require({col("scheduled_time"), col("deletion_time")},
               "required column missing from the header (jobs run from scheduled_time "
               "to deletion_time)");
}

int AlibabaReader::whole_number(int c) const {
  const std::string_view text = csv_.field(c);
  if (text.empty()) csv_.fail(c, "missing value");
  int value = 0;
  if (parse_int(text, value)) return value;
  double d = 0;
  if (!parse_double(text, d)) csv_.fail(c, quote_for_message(text) + " is not a number");
  if (d != std::trunc(d)) csv_.fail(c, quote_for_message(text) + " is not a whole number");
  if (std::fabs(d) > 1e9) csv_.fail(c, quote_for_message(text) + " is out of range");
  return static_cast<int>(d);
}

int AlibabaReader::amount(int c) const {
  if (is_missing(csv_.field(c))) return 0;
  const int value = whole_number(c);
  if (value < 0) csv_.fail(c, "must be >= 0, got " + quote_for_message(csv_.field(c)));
  return value;
}

std::optional<double> AlibabaReader::optional_time(int c) const {
  const std::string_view text = csv_.field(c);
  if (is_missing(text)) return std::nullopt;
  double value = 0;
  if (!parse_double(text, value)) csv_.fail(c, quote_for_message(text) + " is not a number");
  return value;
}

void AlibabaReader::read_row() {
  // Every row is checked in full, dropped or not, so a bad row is found wherever it is.
  const std::string_view name = csv_.field(col("name"));
  if (name.empty()) csv_.fail(col("name"), "missing value");
  csv_.check_unique(ids_, col("name"), "pod name");
  const int num_gpu = whole_number(col("num_gpu"));
  if (num_gpu < 0)
    csv_.fail(col("num_gpu"), "must be >= 0, got " + quote_for_message(csv_.field(col("num_gpu"))));
  int gpu_milli = -1;  // not given
  if (csv_.has(col("gpu_milli")) && !is_missing(csv_.field(col("gpu_milli")))) {
    gpu_milli = whole_number(col("gpu_milli"));
    if (gpu_milli < 0 || gpu_milli > 1000) {
      csv_.fail(col("gpu_milli"), "must be in [0, 1000] (thousandths of one GPU), got " +
                                      quote_for_message(csv_.field(col("gpu_milli"))));
    }
  }

  const std::string_view creation_text = csv_.field(col("creation_time"));
  if (is_missing(creation_text)) csv_.fail(col("creation_time"), "missing value");
  const double creation = *optional_time(col("creation_time"));
  const std::optional<double> scheduled = optional_time(col("scheduled_time"));
  const std::optional<double> deletion = optional_time(col("deletion_time"));
  if (scheduled && *scheduled < creation) {
    csv_.fail(col("scheduled_time"), "is before creation_time (" +
                                         quote_for_message(csv_.field(col("scheduled_time"))) +
                                         " < " + quote_for_message(creation_text) + ")");
  }
  if (deletion && *deletion < creation) {
    csv_.fail(col("deletion_time"), "is before creation_time (" +
                                        quote_for_message(csv_.field(col("deletion_time"))) +
                                        " < " + quote_for_message(creation_text) + ")");
  }
  if (scheduled && deletion && *deletion < *scheduled) {
    csv_.fail(col("deletion_time"),
              "is before scheduled_time (" + quote_for_message(csv_.field(col("deletion_time"))) +
                  " < " + quote_for_message(csv_.field(col("scheduled_time"))) + ")");
  }
  first_submit_.see(creation, creation_text);
  last_timestamp_ = std::max(last_timestamp_, creation);
  if (scheduled) last_timestamp_ = std::max(last_timestamp_, *scheduled);
  if (deletion) last_timestamp_ = std::max(last_timestamp_, *deletion);

  const int cpu_milli = csv_.has(col("cpu_milli")) ? amount(col("cpu_milli")) : 0;
  const int memory_mib = csv_.has(col("memory_mib")) ? amount(col("memory_mib")) : 0;
  if (num_gpu == 0 && cpu_milli == 0 && memory_mib == 0)
    csv_.fail(col("num_gpu"),
              "a pod with no GPU must ask for CPUs or memory (cpu_milli, memory_mib)");
  // Never scheduled (Pending): no run time to replay, whatever keep_unstarted says.
  if (!scheduled) {
    ++dropped_unstarted_;
    return;
  }
  if (deletion && *deletion == *scheduled) {
    ++dropped_zero_duration_;
    return;
  }

  Job job;
  job.line = csv_.line();
  job.id.assign(name);
  job.num_gpus = num_gpu;
  job.cpu_milli = cpu_milli;
  job.memory_mib = memory_mib;
  if (num_gpu == 0) ++cpu_only_;
  if (num_gpu == 1 && gpu_milli > 0 && gpu_milli < 1000) {
    job.gpu_milli = static_cast<std::int16_t>(gpu_milli);
  } else if (num_gpu > 0 && gpu_milli >= 0 && gpu_milli != 1000) {
    // A multi-GPU pod with a share, or one GPU with gpu_milli 0: taken as whole GPUs.
    ++gpu_milli_ignored_;
  }
  if (csv_.has(col("gpu_spec")) && !is_missing(csv_.field(col("gpu_spec")))) {
    job.gpu_type.assign(csv_.field(col("gpu_spec")));
    if (job.gpu_type.find('|') != std::string::npos) ++gpu_spec_alternatives_;
  }
  job.trace_state.assign(csv_.field(col("pod_phase")));
  job.started_in_trace = true;

  const bool running = csv_.field(col("pod_phase")) == "Running";
  if (deletion) {
    job.duration_s = *deletion - *scheduled;
    if (running) open_.push_back({workload_.jobs.size(), *deletion});
  } else {
    // Ends at the trace's last timestamp, known once the whole file is read: hold the
    // start here until then.
    job.duration_s = *scheduled;
    open_.push_back({workload_.jobs.size(), std::numeric_limits<double>::quiet_NaN()});
  }
  creations_.push_back(creation);
  workload_.jobs.push_back(std::move(job));
}

}  // namespace

// keep_unstarted changes nothing here: a pod that was never scheduled has no run time, so
// it is dropped (and counted) either way.
Workload read_alibaba_gpu_2023(const std::string& path, const ReadOptions& options) {
  return AlibabaReader(path, options).read();
}

// Claims a CSV whose first non-blank line is the openb pod list header: it starts with
// "name," and names num_gpu and gpu_milli (the full list also names creation_time).
bool sniff_alibaba_gpu_2023(std::string_view head, std::string_view /*path*/) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  while (!head.empty()) {
    const std::size_t newline = head.find('\n');
    std::string_view line = head.substr(0, newline);
    head.remove_prefix(newline == std::string_view::npos ? head.size() : newline + 1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const auto has = [&](std::string_view column) {
      return line.find(column) != std::string_view::npos;
    };
    return line.starts_with("name,") && has(",num_gpu") && has(",gpu_milli");
  }
  return false;
}

}  // namespace suanli::workload
