// The registry of workload formats: one line per format. Auto-detection asks each format's
// sniff in this order and takes the first that claims the file, so the more specific
// formats come first and suanli's own CSV last.
#include <algorithm>

#include <fmt/format.h>

#include "suanli/common/input_error.hpp"
#include "suanli/common/registry.hpp"
#include "suanli/workload/csv_util.hpp"
#include "suanli/workload/native_csv.hpp"
#include "suanli/workload/trace_format.hpp"

namespace suanli::workload {

constexpr std::span<const FormatOption> kNoOptions;

const Registry<TraceFormat>& trace_format_registry() {
  static const Registry<TraceFormat> formats{
      {"philly", "Microsoft Philly cluster_job_log (JSON list of jobs with attempts)", &read_philly,
       &sniff_philly},
      {"batsim", "Batsim JSON workload (jobs + delay profiles)", &read_batsim, &sniff_batsim,
       batsim_options(), &write_batsim},
      {"helios", "SenseTime Helios cluster_log.csv", &read_helios, &sniff_helios},
      {"alibaba-gpu-2023", "Alibaba cluster-trace-gpu-v2023 (openb) pod list",
       &read_alibaba_gpu_2023, &sniff_alibaba_gpu_2023},
      {"tiresias", "Tiresias simulator job CSV", &read_tiresias, &sniff_tiresias},
      {"gavel", "Gavel tab-separated job trace (needs --throughputs)", &read_gavel, &sniff_gavel,
       gavel_options()},
      {"swf", "Standard Workload Format (Parallel Workloads Archive)", &read_swf, &sniff_swf,
       swf_options(), &write_swf},
      {"native", "suanli's own CSV (docs/workload-format.md)", &read_native, &sniff_native,
       kNoOptions, &write_native_csv},
  };
  return formats;
}

const std::vector<TraceFormat>& trace_formats() {
  return trace_format_registry().entries();
}

const TraceFormat* find_trace_format(std::string_view name) {
  return trace_format_registry().find(name);
}

std::string writable_trace_formats() {
  std::string names;
  for (const auto& f : trace_formats())
    if (f.write) names += fmt::format("{}{}", names.empty() ? "" : ", ", f.name);
  return names;
}

const TraceFormat* detect_trace_format(const std::string& path) {
  std::string head;
  if (!read_file_head(path, head)) throw InputError(path + ": cannot open the workload file");
  for (const auto& f : trace_formats())
    if (f.sniff(head, path)) return &f;
  return nullptr;
}

Workload read_workload(const std::string& path, const std::string& format,
                       const ReadOptions& options) {
  if (!format.empty()) {
    const TraceFormat* f = find_trace_format(format);
    if (!f)
      throw InputError("--format: " + trace_format_registry().unknown_message("format", format));
    return f->read(path, options);
  }
  if (const TraceFormat* f = detect_trace_format(path)) return f->read(path, options);
  throw InputError(fmt::format(
      "{}: cannot tell the workload format from its first lines; give --format (known: {})", path,
      trace_format_registry().known()));
}

Workload read_native(const std::string& path, const ReadOptions& /*options*/) {
  Workload w = read_native_csv(path);
  w.format = "native";
  return w;
}

// The native header: the first line that is not blank or a comment has job_id and num_gpus
// columns (Helios says gpu_num, Tiresias num_gpu). A native file missing another required
// column is still read as native, and its reader names the missing column.
bool sniff_native(std::string_view head, std::string_view /*path*/) {
  std::size_t at = 0;
  if (head.substr(0, 3) == "\xEF\xBB\xBF") at = 3;
  while (at < head.size()) {
    const std::size_t end = std::min(head.find('\n', at), head.size());
    std::string_view line = head.substr(at, end - at);
    at = end + 1;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#') continue;
    bool id = false, gpus = false;
    while (!line.empty()) {
      const std::size_t comma = std::min(line.find(','), line.size());
      std::string_view column = line.substr(0, comma);
      while (!column.empty() && (column.front() == ' ' || column.front() == '"'))
        column.remove_prefix(1);
      while (!column.empty() &&
             (column.back() == ' ' || column.back() == '"' || column.back() == '\r'))
        column.remove_suffix(1);
      id = id || column == "job_id";
      gpus = gpus || column == "num_gpus";
      line.remove_prefix(std::min(comma + 1, line.size()));
    }
    return id && gpus;
  }
  return false;
}

}  // namespace suanli::workload
