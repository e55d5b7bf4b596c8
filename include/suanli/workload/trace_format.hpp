#pragma once
// Every workload format suanli reads, behind one registry: each reader is one file in
// src/workload/ and one line in src/workload/trace_registry.cpp. Readers turn a published
// trace into Jobs as it is published (times become seconds from the trace's first
// submission, the original epoch goes to metadata) and say what they kept and dropped.
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "suanli/common/registry.hpp"
#include "suanli/workload/job.hpp"

namespace suanli::workload {

struct ReadOptions {
  // Jobs that never started in the trace (pending, or failed/killed before starting): kept
  // (with started_in_trace = false and their trace_state) or dropped (counted in metadata).
  bool keep_unstarted = true;
  // SWF/Batsim: GPUs per allocated processor/resource; num_gpus = ceil(procs x this).
  double gpus_per_proc = 1.0;
  // Batsim: FLOP/s of one resource, to turn parallel-task profiles' cpu FLOPs into seconds
  // (0: the workload's own "suanli_flops_per_second", else such profiles are an error).
  double batsim_flops_per_second = 0;
  // Gavel: its throughputs JSON ({worker_type: {"(job_type, scale_factor)": {"null": steps
  // per second, ...}}}); a Gavel job's duration = total_steps / steps per second on
  // `reference_worker`, and Job::reference_gpu names that worker's GPU model.
  std::string throughputs_path;
  std::string reference_worker = "v100";
  // Gavel: what times a (job type, GPU count) the table lacks: "none" (an input error),
  // "linear" (the 1-GPU throughput x GPUs x the table's median scaling efficiency at that
  // count) or "linear:E" (x E).
  std::string throughput_fallback = "none";
};

// A command-line option of the formats that need one (--gpus-per-proc, ...): declared by the
// format's own file and listed in its registry entry, so that the CLI builds its workload
// options from the registry and a new format adds its option without touching the CLI. The
// value goes to one member of ReadOptions, a number or a text.
struct FormatOption {
  std::string_view name = {};                // without the dashes
  std::string_view value_name = {};          // for --help ("FILE"); "" for the default ("arg")
  std::string_view help = {};                // one line, naming the formats it applies to
  double ReadOptions::*number = nullptr;     // the member it sets: either a number ...
  std::string ReadOptions::*text = nullptr;  // ... or a text
  bool show_default = false;                 // --help shows ReadOptions' default ("(=1)")
};

struct TraceFormat {
  std::string_view name;         // as given to --format
  std::string_view description;  // one line, for --help and docs
  // Reads the whole file. Bad input: InputError("file:line: field: what").
  Workload (*read)(const std::string& path, const ReadOptions& options);
  // True when the start of the file (up to 64 KiB) looks like this format. Must be cheap and
  // specific: auto-detection takes the first format that claims the file.
  bool (*sniff)(std::string_view head, std::string_view path);
  // The options this format reads; several formats may list the same one (SWF and Batsim
  // share --gpus-per-proc): it is one option, described by the first in registry order.
  std::span<const FormatOption> options = {};
  // Writes a workload in this format, for `workload convert --to` (nullptr: not writable).
  // Throws std::invalid_argument "job 'x' (line N): ..." for a job the format cannot carry.
  void (*write)(const Workload& workload, std::ostream& out) = nullptr;
};

const Registry<TraceFormat>& trace_format_registry();
const std::vector<TraceFormat>& trace_formats();
const TraceFormat* find_trace_format(std::string_view name);
// The writable formats, comma-separated, in registry order.
std::string writable_trace_formats();
// The first format (registry order) whose sniff claims the file's first 64 KiB; nullptr when
// none does. InputError when the file cannot be opened.
const TraceFormat* detect_trace_format(const std::string& path);

// Reads `path` as `format`, or, when `format` is empty, as the format whose sniff claims it
// (InputError naming the known formats when none does).
Workload read_workload(const std::string& path, const std::string& format,
                       const ReadOptions& options);

// The readers (one file each).
Workload read_native(const std::string& path, const ReadOptions& options);
Workload read_swf(const std::string& path, const ReadOptions& options);
Workload read_batsim(const std::string& path, const ReadOptions& options);
Workload read_philly(const std::string& path, const ReadOptions& options);
Workload read_helios(const std::string& path, const ReadOptions& options);
Workload read_tiresias(const std::string& path, const ReadOptions& options);
Workload read_gavel(const std::string& path, const ReadOptions& options);
Workload read_alibaba_gpu_2023(const std::string& path, const ReadOptions& options);

bool sniff_native(std::string_view head, std::string_view path);
bool sniff_swf(std::string_view head, std::string_view path);
bool sniff_batsim(std::string_view head, std::string_view path);
bool sniff_philly(std::string_view head, std::string_view path);
bool sniff_helios(std::string_view head, std::string_view path);
bool sniff_tiresias(std::string_view head, std::string_view path);
bool sniff_gavel(std::string_view head, std::string_view path);
bool sniff_alibaba_gpu_2023(std::string_view head, std::string_view path);

// The options of the formats that have some (declared in each format's file).
std::span<const FormatOption> swf_options();
std::span<const FormatOption> batsim_options();
std::span<const FormatOption> gavel_options();

// Writers for `workload convert` (native is write_native_csv). Each writes every job so that
// its reader gives back the same submit times, sizes and durations.
void write_swf(const Workload& workload, std::ostream& out);
void write_batsim(const Workload& workload, std::ostream& out);

}  // namespace suanli::workload
