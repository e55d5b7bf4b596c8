// Gavel (stanford-futuredata/gavel) job traces: tab-separated, no header, one job per line,
// in one of two layouts (scheduler/utils.py:parse_trace, current and older):
//   10 fields: job_type, command, working_directory, num_steps_arg, needs_data_dir,
//              total_steps, scale_factor, priority_weight, SLO, arrival_time
//    7 fields: job_type, command, num_steps_arg, needs_data_dir, total_steps, arrival_time,
//              scale_factor
// A job is a step count, not a duration: its duration is total_steps / the isolated steps per
// second of (job_type, scale_factor) on the reference worker type, from Gavel's throughputs
// JSON. docs/formats/gavel.md says what is kept and why.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "suanli/common/input_error.hpp"
#include "suanli/workload/csv_util.hpp"
#include "suanli/workload/gavel_throughputs.hpp"
#include "suanli/workload/trace_format.hpp"
#include "suanli/workload/trace_reader.hpp"

namespace suanli::workload {

namespace {

// Field positions of each layout; -1 = the layout has no such field.
struct Layout {
  std::size_t fields;
  int job_type, command, working_directory, num_steps_arg, needs_data_dir, total_steps,
      scale_factor, priority_weight, slo, arrival_time;
};
constexpr Layout kLayout10{10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
constexpr Layout kLayout7{7, 0, 1, -1, 2, 3, 4, 6, -1, -1, 5};

// Splits at tabs; fields are not trimmed or unquoted (Gavel writes neither quotes nor padding
// around fields, and its commands contain spaces).
void split_tabs(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  while (true) {
    const std::size_t tab = line.find('\t');
    if (tab == std::string_view::npos) {
      fields.push_back(line);
      return;
    }
    fields.push_back(line.substr(0, tab));
    line.remove_prefix(tab + 1);
  }
}

// Blank lines (a '\r' counts as blank) are passed over; '#' starts no comment, as in Gavel.
constexpr LineRules kGavelLines{.skip_comments = false, .cr_is_blank = true};

// Job types of Gavel's job table that carry no "(batch size N)" suffix.
bool is_bare_job_type(std::string_view t) {
  return t == "A3C" || t == "CycleGAN";
}

// Tells a 7-field from a 10-field line by their numeric fields.
bool numeric_fields_fit(const std::vector<std::string_view>& f, const Layout& layout) {
  int i = 0;
  double d = 0;
  return parse_int(f[layout.needs_data_dir], i) && parse_double(f[layout.total_steps], d) &&
         parse_int(f[layout.scale_factor], i) && parse_double(f[layout.arrival_time], d) &&
         (layout.priority_weight < 0 || parse_double(f[layout.priority_weight], d)) &&
         (layout.slo < 0 || parse_double(f[layout.slo], d));
}

class GavelReader : TraceFile {
 public:
  using TraceFile::TraceFile;
  Workload read();

 private:
  void read_row(std::string_view text, int line);
  double lookup(std::string_view job_type, int scale, int line);
  void read_fallback();
  // The fallback's rate for a (job type, GPU count) the table lacks, or nothing.
  std::optional<double> fallback_rate(std::string_view job_type, int scale);
  double median_efficiency(int scale) const;

  GavelThroughputs table_;
  std::string reference_gpu_;
  const Layout* layout_ = nullptr;
  int layout_line_ = 0;
  std::vector<std::string_view> fields_;
  EarliestTime first_arrival_;
  Workload workload_;
  std::size_t rounded_priorities_ = 0;
  std::size_t with_slo_ = 0;
  // The last lookup: traces repeat job types, so most rows skip the table.
  std::string last_job_type_;
  int last_scale_ = 0;
  double last_rate_ = 0;
  bool last_fallback_ = false;
  // --throughput-fallback: off, or linear with a given efficiency (< 0: the table's median).
  bool fallback_ = false;
  double fallback_efficiency_ = -1;
  std::map<int, double> efficiency_used_;  // by GPU count
  std::size_t fallback_jobs_ = 0;
};

void GavelReader::read_fallback() {
  const std::string& rule = options_.throughput_fallback;
  if (rule == "none") return;
  fallback_ = true;
  if (rule == "linear") return;
  double e = 0;
  if (rule.starts_with("linear:") && parse_double(std::string_view(rule).substr(7), e) && e > 0 &&
      e <= 1) {
    fallback_efficiency_ = e;
    return;
  }
  throw InputError("--throughput-fallback: '" + rule +
                   "': expected none, linear or linear:E with 0 < E <= 1");
}

// Of the job types the table has at both 1 and n GPUs on the reference worker, the median
// of throughput(n) / (n x throughput(1)): how the table's own jobs scale. n is `scale`, or,
// when no job type has that count, the largest count below it that some job type has (a
// larger job is assumed to scale no better); 1 when the table has no multi-GPU entry below.
double GavelReader::median_efficiency(int scale) const {
  const std::string& worker = options_.reference_worker;
  const std::vector<std::string> types = table_.job_types(worker);
  int n = 1;
  for (const std::string& type : types)
    for (const int k : table_.scale_factors(worker, type))
      if (k > n && k <= scale) n = k;
  std::vector<double> e;
  for (const std::string& type : types) {
    const auto one = table_.steps_per_second(worker, type, 1);
    const auto many = table_.steps_per_second(worker, type, n);
    if (n > 1 && one && many && *one > 0 && *many > 0) e.push_back(*many / (n * *one));
  }
  if (e.empty()) return 1;
  std::sort(e.begin(), e.end());
  return e.size() % 2 ? e[e.size() / 2] : (e[e.size() / 2 - 1] + e[e.size() / 2]) / 2;
}

std::optional<double> GavelReader::fallback_rate(std::string_view job_type, int scale) {
  const auto one = table_.steps_per_second(options_.reference_worker, job_type, 1);
  if (!fallback_ || !one || !(*one > 0)) return std::nullopt;
  auto [it, fresh] = efficiency_used_.try_emplace(scale, fallback_efficiency_);
  if (fresh && fallback_efficiency_ < 0) it->second = median_efficiency(scale);
  return *one * scale * it->second;
}

Workload GavelReader::read() {
  if (options_.throughputs_path.empty()) {
    fail(0, "", "gavel traces need a throughputs table: give --throughputs FILE");
  }
  read_fallback();
  FileLines lines(path_);  // opened first: a missing trace is named before the table
  const std::string& table_path = options_.throughputs_path;
  const std::string table_text = read_whole_file(table_path);
  // --throughputs also takes a CSV speed table (perf/speed_table.hpp, the same test: JSON
  // starts with '{'), which cannot turn step counts into seconds: say so before the JSON
  // parser stops at its first character.
  if (const auto first = table_text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
      first == std::string::npos || table_text[first] != '{') {
    throw InputError("--throughputs: '" + table_path +
                     "' is a CSV speed table, but the gavel trace '" + path_ +
                     "' needs Gavel's throughputs JSON ({worker: {\"(job_type, scale_factor)\": "
                     "{\"null\": steps/s}}}) to turn its step counts into seconds; give that JSON "
                     "(it also serves as the run-time speed table)");
  }
  table_ = GavelThroughputs::parse(table_text, table_path);
  if (!table_.has_worker(options_.reference_worker)) {
    std::string known;
    for (const std::string& w : table_.workers()) known += (known.empty() ? "" : ", ") + w;
    throw InputError(located(options_.throughputs_path, 0, "",
                             "no worker type '" + options_.reference_worker +
                                 "' (--reference-worker); the table has: " + known));
  }
  reference_gpu_ = gavel_worker_gpu(options_.reference_worker);

  workload_ = start_workload(path_, "gavel", count_file_newlines(path_) + 1);

  std::span<char> text;
  while (lines.next(text)) {
    if (is_skipped_line(text, kGavelLines)) continue;
    read_row(std::string_view(text.data(), text.size()), lines.line());
  }
  if (workload_.jobs.empty()) {
    fail(0, "", "no jobs (the file is empty or holds only blank lines)");
  }

  start_at_first_submit(workload_, first_arrival_);
  auto& meta = workload_.metadata;
  meta.emplace_back("layout", layout_ == &kLayout10 ? "10 fields" : "7 fields");
  meta.emplace_back("throughputs", options_.throughputs_path);
  meta.emplace_back("reference_worker", options_.reference_worker);
  meta.emplace_back("reference_gpu", reference_gpu_);
  if (fallback_jobs_ > 0) {
    // Which jobs were timed by the fallback, and at what efficiency, is worth a line.
    std::string used;
    for (const auto& [gpus, e] : efficiency_used_)
      used +=
          (used.empty() ? "" : " ") + std::to_string(gpus) + " GPUs x " + fmt::format("{:.3f}", e);
    meta.emplace_back("throughput_fallback_jobs", std::to_string(fallback_jobs_));
    meta.emplace_back("throughput_fallback_efficiency", used);
  }
  if (rounded_priorities_ > 0) {
    meta.emplace_back("priority_weight_rounded", std::to_string(rounded_priorities_));
  }
  if (with_slo_ > 0) meta.emplace_back("slo_ignored", std::to_string(with_slo_));
  return std::move(workload_);
}

void GavelReader::read_row(std::string_view text, int line) {
  split_tabs(text, fields_);
  const std::vector<std::string_view>& f = fields_;
  if (layout_ == nullptr) {
    if (f.size() == kLayout10.fields) {
      layout_ = &kLayout10;
    } else if (f.size() == kLayout7.fields) {
      layout_ = &kLayout7;
    } else {
      fail(line, "",
           "expected 10 tab-separated fields (job_type, command, working_directory, "
           "num_steps_arg, needs_data_dir, total_steps, scale_factor, priority_weight, SLO, "
           "arrival_time) or 7 (job_type, command, num_steps_arg, needs_data_dir, total_steps, "
           "arrival_time, scale_factor), found " +
               std::to_string(f.size()));
    }
    layout_line_ = line;
  } else if (f.size() != layout_->fields) {
    fail(line, "",
         "expected " + std::to_string(layout_->fields) + " tab-separated fields as on line " +
             std::to_string(layout_line_) + ", found " + std::to_string(f.size()));
  }
  const Layout& l = *layout_;

  Job job;
  job.line = line;
  job.id += 'g';  // (not "g" + to_string: GCC 12 warns falsely about that, -Wrestrict)
  job.id += std::to_string(line);

  const std::string_view job_type = f[l.job_type];
  if (job_type.empty()) fail(line, "job_type", "missing value");
  job.job_type.assign(job_type);

  // needs_data_dir is not used, but it is a flag: anything else says the columns are not
  // where this layout puts them.
  {
    const std::string_view flag = f[l.needs_data_dir];
    int value = 0;
    if (!parse_int(flag, value)) {
      fail(line, "needs_data_dir", quote_for_message(flag) + " is not an integer (0 or 1)");
    }
  }

  double steps = 0;
  const std::string_view steps_text = f[l.total_steps];
  if (steps_text.empty()) fail(line, "total_steps", "missing value");
  if (!parse_double(steps_text, steps)) {
    fail(line, "total_steps", quote_for_message(steps_text) + " is not a number");
  }
  if (!(steps > 0)) fail(line, "total_steps", "must be > 0, got " + quote_for_message(steps_text));

  const std::string_view scale_text = f[l.scale_factor];
  if (scale_text.empty()) fail(line, "scale_factor", "missing value");
  if (!parse_int(scale_text, job.num_gpus)) {
    fail(line, "scale_factor", quote_for_message(scale_text) + " is not an integer");
  }
  if (job.num_gpus < 1) {
    fail(line, "scale_factor", "must be >= 1, got " + quote_for_message(scale_text));
  }

  double arrival = 0;
  const std::string_view arrival_text = f[l.arrival_time];
  if (arrival_text.empty()) fail(line, "arrival_time", "missing value");
  if (!parse_double(arrival_text, arrival)) {
    fail(line, "arrival_time", quote_for_message(arrival_text) + " is not a number");
  }
  if (arrival < 0) {
    fail(line, "arrival_time", "must be >= 0, got " + quote_for_message(arrival_text));
  }

  if (l.priority_weight >= 0) {
    const std::string_view text = f[static_cast<std::size_t>(l.priority_weight)];
    double weight = 0;
    if (text.empty()) fail(line, "priority_weight", "missing value");
    if (!parse_double(text, weight)) {
      fail(line, "priority_weight", quote_for_message(text) + " is not a number");
    }
    if (!(weight > 0) || weight > std::numeric_limits<int>::max()) {
      fail(line, "priority_weight",
           "must be > 0 and at most " + std::to_string(std::numeric_limits<int>::max()) + ", got " +
               quote_for_message(text));
    }
    const double rounded = std::round(weight);
    if (rounded != weight) ++rounded_priorities_;
    job.priority = static_cast<int>(rounded);
  }
  if (l.slo >= 0) {
    const std::string_view text = f[static_cast<std::size_t>(l.slo)];
    double slo = 0;
    if (text.empty()) fail(line, "SLO", "missing value");
    if (!parse_double(text, slo)) fail(line, "SLO", quote_for_message(text) + " is not a number");
    if (slo >= 0) ++with_slo_;  // Gavel: a negative SLO means none
  }

  const double rate = lookup(job_type, job.num_gpus, line);
  job.duration_s = steps / rate;
  job.reference_gpu = reference_gpu_;
  job.started_in_trace = true;
  first_arrival_.see(arrival, arrival_text);
  job.submit_s = arrival;  // made relative to the first arrival at the end
  workload_.jobs.push_back(std::move(job));
}

double GavelReader::lookup(std::string_view job_type, int scale, int line) {
  if (scale == last_scale_ && job_type == last_job_type_) {
    fallback_jobs_ += last_fallback_;
    return last_rate_;
  }
  const std::string& worker = options_.reference_worker;
  std::optional<double> rate = table_.steps_per_second(worker, job_type, scale);
  const std::string key = gavel_key(job_type, scale);
  const bool fallback = !rate && (rate = fallback_rate(job_type, scale));
  fallback_jobs_ += fallback;
  if (!rate) {
    const std::vector<int> scales = table_.scale_factors(worker, job_type);
    if (scales.empty()) {
      fail(line, "job_type",
           "no throughput for " + key + ": job type '" + std::string(job_type) +
               "' is not in the table for worker '" + worker + "' (" + table_.source() + ")");
    }
    std::string known = scales.size() == 1 ? "only scale factor " : "scale factors ";
    for (std::size_t i = 0; i < scales.size(); ++i) {
      if (i > 0) known += ", ";
      known += std::to_string(scales[i]);
    }
    fail(line, "scale_factor",
         "no throughput for " + key + " on worker '" + worker + "' (" + table_.source() + " has " +
             known +
             " for this job type; --throughput-fallback linear times it from the 1-GPU "
             "throughput)");
  }
  if (!(*rate > 0)) {
    fail(line, "job_type",
         "the throughput of " + key + " on worker '" + worker + "' is 0 in " + table_.source() +
             ": the job cannot run there; choose another --reference-worker");
  }
  last_job_type_.assign(job_type);
  last_scale_ = scale;
  last_rate_ = *rate;
  last_fallback_ = fallback;
  return *rate;
}

}  // namespace

Workload read_gavel(const std::string& path, const ReadOptions& options) {
  return GavelReader(path, options).read();
}

// Claims the file when its first complete lines (at most 5) all have Gavel's 7 or 10
// tab-separated fields with numbers where the layout has them, and the first field looks
// like a Gavel job type ("... (batch size N)", A3C, CycleGAN) or the file is named *.trace.
bool sniff_gavel(std::string_view head, std::string_view path) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  const bool trace_name = path.ends_with(".trace");
  std::vector<std::string_view> f;
  int checked = 0;
  while (!head.empty() && checked < 5) {
    const std::size_t newline = head.find('\n');
    // The last line of a 64 KiB head may be cut: only whole lines count, unless the head
    // holds a single unterminated line (a one-job file).
    if (newline == std::string_view::npos && checked > 0) break;
    std::string_view line = head.substr(0, newline);
    head.remove_prefix(newline == std::string_view::npos ? head.size() : newline + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (is_skipped_line(line, kGavelLines)) continue;
    split_tabs(line, f);
    const Layout* layout = f.size() == kLayout10.fields  ? &kLayout10
                           : f.size() == kLayout7.fields ? &kLayout7
                                                         : nullptr;
    if (layout == nullptr || !numeric_fields_fit(f, *layout)) return false;
    const std::string_view job_type = f[0];
    if (job_type.empty()) return false;
    if (!trace_name && job_type.find(" (batch size ") == std::string_view::npos &&
        !is_bare_job_type(job_type)) {
      return false;
    }
    ++checked;
  }
  return checked > 0;
}

// --throughputs is more than Gavel's: run/compare/validate also read a speed table from it.
std::span<const FormatOption> gavel_options() {
  static constexpr FormatOption kOptions[] = {
      {.name = "throughputs",
       .value_name = "FILE",
       .help = "steps/s per job type and GPU model: Gavel's throughputs JSON or a CSV "
               "job_type,gpu_type,num_gpus,steps_per_s. Gavel traces take their durations from it "
               "(JSON only); run/compare/validate run every job with a job type at its measured "
               "speed on each GPU model",
       .text = &ReadOptions::throughputs_path},
      {.name = "reference-worker",
       .help = "gavel: the worker type whose throughputs give durations",
       .text = &ReadOptions::reference_worker,
       .show_default = true},
      {.name = "throughput-fallback",
       .value_name = "RULE",
       .help = "gavel: how to time a (job type, GPU count) the table lacks: none (an error), "
               "linear (1-GPU throughput x GPUs x the table's median scaling efficiency at that "
               "count) or linear:E (x E)",
       .text = &ReadOptions::throughput_fallback,
       .show_default = true}};
  return kOptions;
}

}  // namespace suanli::workload
