#include "suanli/perf/speed_table.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <span>
#include <tuple>

#include "suanli/common/input_error.hpp"
#include "suanli/workload/csv_util.hpp"

namespace suanli::perf {

namespace {

std::string upper(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

enum Column : int { kJobType, kGpuType, kNumGpus, kStepsPerS, kColumnCount };
constexpr std::array<std::string_view, kColumnCount> kColumnNames = {"job_type", "gpu_type",
                                                                     "num_gpus", "steps_per_s"};
constexpr std::string_view kHeader = "job_type,gpu_type,num_gpus,steps_per_s";

// One row of a CSV table; count 0 = any GPU count.
struct Row {
  std::string job_type;
  std::string gpu;  // upper-cased
  int count = 0;
  double steps_per_s = 0;
};

class CsvReader {
 public:
  explicit CsvReader(const std::string& source) : source_(source) {}

  // The rows of `data` (changed in place while it is split).
  std::vector<Row> read(std::string& data);

 private:
  [[noreturn]] void fail(int line, std::string_view column, const std::string& what) const {
    throw InputError(located(source_, line, std::string(column), what));
  }
  std::string_view field(Column c) const {
    const int i = index_[c];
    return i < 0 ? std::string_view() : fields_[static_cast<std::size_t>(i)];
  }
  void read_header(std::span<char> text, int line);

  const std::string& source_;
  int header_line_ = 0;
  std::vector<std::string> header_names_;
  std::array<int, kColumnCount> index_{};
  std::vector<std::string_view> fields_;
  // Where each (job type, GPU, count) was first given, for duplicates.
  std::map<std::tuple<std::string, std::string, int>, int> seen_;
};

void CsvReader::read_header(std::span<char> text, int line) {
  header_line_ = line;
  std::vector<std::string> unknown;
  workload::read_csv_header(source_, line, text, kColumnNames, index_, fields_, header_names_,
                            unknown);
  if (!unknown.empty()) {
    // A misspelt num_gpus would silently make every row hold for any GPU count.
    fail(line, unknown.front(),
         "unknown column (a speed table CSV has the columns " + std::string(kHeader) +
             "; num_gpus may be left out)");
  }
  for (Column c : {kJobType, kGpuType, kStepsPerS}) {
    if (index_[c] < 0) {
      fail(line, kColumnNames[c],
           "required column missing from the header (a speed table is Gavel's throughputs JSON "
           "or a CSV with the header " +
               std::string(kHeader) + "; num_gpus may be left out)");
    }
  }
}

std::vector<Row> CsvReader::read(std::string& data) {
  std::vector<Row> rows;
  workload::for_each_line(data, [&](std::span<char> text, int line) {
    if (header_line_ == 0) {
      read_header(text, line);
      return;
    }
    workload::read_csv_row(source_, line, text, fields_, header_names_, header_line_);
    const std::string_view job_type = field(kJobType);
    if (job_type.empty()) fail(line, "job_type", "missing value");
    const std::string_view gpu = field(kGpuType);
    if (gpu.empty()) fail(line, "gpu_type", "missing value");
    int count = 0;  // any
    if (const std::string_view n = field(kNumGpus); !n.empty()) {
      count = workload::read_gpu_count(source_, line, "num_gpus", n);
      if (count < 1) fail(line, "num_gpus", "must be >= 1 (or empty: any count), got 0");
    }
    const std::string_view rate_text = field(kStepsPerS);
    if (rate_text.empty()) fail(line, "steps_per_s", "missing value");
    double rate = 0;
    if (!workload::parse_double(rate_text, rate))
      fail(line, "steps_per_s", workload::quote_for_message(rate_text) + " is not a number");
    if (rate < 0)
      fail(line, "steps_per_s",
           "must be >= 0 (0: cannot run there), got " + workload::quote_for_message(rate_text));
    std::string gpu_key = upper(gpu);
    const auto [at, added] =
        seen_.emplace(std::make_tuple(std::string(job_type), gpu_key, count), line);
    if (!added) {
      fail(line, "",
           "job type '" + std::string(job_type) + "' on " + std::string(gpu) +
               (count == 0 ? std::string(" (any GPU count)") : " x" + std::to_string(count)) +
               " is already given on line " + std::to_string(at->second));
    }
    rows.push_back(Row{std::string(job_type), std::move(gpu_key), count, rate});
  });
  if (header_line_ == 0)
    fail(0, "", "no header line (the file is empty); expected " + std::string(kHeader));
  if (rows.empty()) fail(0, "", "no rows after the header");
  return rows;
}

}  // namespace

SpeedTable SpeedTable::read(const std::string& path) {
  return parse(workload::read_whole_file(path), path);
}

SpeedTable::Format SpeedTable::sniff(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  const auto first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && text[first] == '{' ? Format::gavel_json : Format::csv;
}

SpeedTable SpeedTable::parse(std::string_view text, const std::string& source) {
  if (sniff(text) == Format::gavel_json)
    return from_gavel(workload::GavelThroughputs::parse(text, source));
  return parse_csv(text, source);
}

SpeedTable SpeedTable::parse_csv(std::string_view text, const std::string& source) {
  SpeedTable table;
  table.format_ = Format::csv;
  table.source_ = source;
  std::string data(text);
  for (Row& row : CsvReader(source).read(data))
    table.csv_[std::move(row.job_type)][std::move(row.gpu)][row.count] = row.steps_per_s;
  return table;
}

SpeedTable SpeedTable::from_gavel(workload::GavelThroughputs gavel) {
  SpeedTable table;
  table.format_ = Format::gavel_json;
  table.source_ = gavel.source();
  // One worker per GPU: a plain worker ("v100") before a "_unconsolidated" one, then the
  // first in sorted order.
  std::map<std::string, std::string> chosen;
  for (const std::string& worker : gavel.workers()) {
    const std::string gpu = workload::gavel_worker_gpu(worker);
    const auto at = chosen.find(gpu);
    const bool plain = upper(worker) == gpu;
    if (at == chosen.end()) {
      chosen.emplace(gpu, worker);
    } else if (plain && upper(at->second) != gpu) {
      at->second = worker;
    }
  }
  table.gavel_workers_.assign(chosen.begin(), chosen.end());
  table.gavel_ = std::move(gavel);
  return table;
}

std::optional<double> SpeedTable::steps_per_second(std::string_view job_type, std::string_view gpu,
                                                   int num_gpus) const {
  const std::string key = upper(gpu);
  if (gavel_) {
    for (const auto& [name, worker] : gavel_workers_)
      if (name == key) return gavel_->steps_per_second(worker, job_type, num_gpus);
    return std::nullopt;
  }
  const auto by_gpu = csv_.find(job_type);
  if (by_gpu == csv_.end()) return std::nullopt;
  const auto by_count = by_gpu->second.find(key);
  if (by_count == by_gpu->second.end()) return std::nullopt;
  auto rate = by_count->second.find(num_gpus);
  if (rate == by_count->second.end()) rate = by_count->second.find(0);
  if (rate == by_count->second.end()) return std::nullopt;
  return rate->second;
}

bool SpeedTable::has_job_type(std::string_view job_type) const {
  if (gavel_) {
    return std::any_of(gavel_workers_.begin(), gavel_workers_.end(), [&](const auto& gpu_worker) {
      return !gavel_->scale_factors(gpu_worker.second, job_type).empty();
    });
  }
  return csv_.find(job_type) != csv_.end();
}

std::vector<std::string> SpeedTable::gpus() const {
  std::vector<std::string> out;
  for (const auto& [gpu, worker] : gavel_workers_) out.push_back(gpu);
  for (const auto& [job_type, by_gpu] : csv_)
    for (const auto& [gpu, by_count] : by_gpu) out.push_back(gpu);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::size_t SpeedTable::entries() const {
  if (gavel_) return gavel_->entries();
  std::size_t n = 0;
  for (const auto& [job_type, by_gpu] : csv_)
    for (const auto& [gpu, by_count] : by_gpu) n += by_count.size();
  return n;
}

}  // namespace suanli::perf
