#include "suanli/report/compare_table.hpp"

#include <algorithm>
#include <fstream>
#include <span>
#include <stdexcept>

#include <fmt/format.h>

namespace suanli::report {

namespace {

struct Column {
  const char* header;  // table header
  const char* key;     // summary.json key
  double scale;        // table value = json value x scale
  int decimals;
};

// Durations in hours in the table (seconds in compare.csv); energy in kWh.
const Column kColumns[] = {
    {"jobs", "jobs_completed", 1, 0},
    {"makespan_h", "makespan_s", 1 / 3600.0, 2},
    {"mean_jct_h", "mean_jct_s", 1 / 3600.0, 2},
    {"p95_jct_h", "p95_jct_s", 1 / 3600.0, 2},
    {"mean_wait_h", "mean_wait_s", 1 / 3600.0, 2},
    {"gpu_util_%", "gpu_utilization", 100, 1},
    {"it_kwh", "energy_it_kwh", 1, 1},
    {"facility_kwh", "energy_facility_kwh", 1, 1},
};

// An inference-serving run's summary: latencies in seconds, energy per 1000 output tokens.
const Column kServingColumns[] = {
    {"requests", "requests_completed", 1, 0},
    {"rejected", "requests_rejected", 1, 0},
    {"ttft_p50_s", "ttft_p50_s", 1, 3},
    {"ttft_p99_s", "ttft_p99_s", 1, 3},
    {"tpot_p50_ms", "tpot_p50_s", 1000, 1},
    {"tpot_p99_ms", "tpot_p99_s", 1000, 1},
    {"e2e_p99_s", "e2e_p99_s", 1, 2},
    {"slo_%", "slo_attainment", 100, 1},
    {"tokens_per_s", "throughput_tokens_per_s", 1, 0},
    {"J_per_1k_tok", "energy_per_1k_output_tokens_j", 1, 0},
    {"facility_kwh", "energy_facility_kwh", 1, 1},
};

// Shown when the platform gives every site a grid intensity (a price): summary.json has them.
const Column kCarbon{"carbon_kg", "carbon_kg", 1, 1};
const Column kCost{"cost", "energy_cost", 1, 2};

// The columns of these rows: the base ones, then carbon and cost when every row has them.
std::vector<Column> columns_of(const std::vector<CompareRow>& rows, std::span<const Column> base) {
  std::vector<Column> columns(base.begin(), base.end());
  for (const Column& optional : {kCarbon, kCost}) {
    const bool all = !rows.empty() && std::all_of(rows.begin(), rows.end(), [&](const auto& r) {
      return r.summary.contains(optional.key);
    });
    if (all) columns.push_back(optional);
  }
  return columns;
}

bool is_serving(const std::vector<CompareRow>& rows) {
  return !rows.empty() && rows.front().summary.contains("requests_total");
}

}  // namespace

nlohmann::json read_summary(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  return nlohmann::json::parse(in);
}

nlohmann::json summary_section(const nlohmann::json& summary, const std::string& section) {
  nlohmann::json out = summary.at(section);
  for (const auto& [key, value] : summary.items())
    if (key.starts_with("energy_") || key == "carbon_kg" || key == "currency") out[key] = value;
  return out;
}

std::string format_compare_table(const std::vector<CompareRow>& rows) {
  const bool serving = is_serving(rows);
  const std::vector<Column> columns = columns_of(
      rows, serving ? std::span<const Column>(kServingColumns) : std::span<const Column>(kColumns));
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> header{serving ? "variant" : "policy"};
  for (const auto& c : columns) header.push_back(c.header);
  cells.push_back(header);
  for (const auto& row : rows) {
    std::vector<std::string> line{row.label};
    for (const auto& c : columns)
      line.push_back(
          fmt::format("{:.{}f}", row.summary.at(c.key).get<double>() * c.scale, c.decimals));
    cells.push_back(line);
  }
  std::vector<std::size_t> width(header.size(), 0);
  for (const auto& line : cells)
    for (std::size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
  std::string out;
  for (const auto& line : cells) {
    for (std::size_t i = 0; i < line.size(); ++i)
      out += i == 0 ? fmt::format("{:<{}}", line[i], width[i])
                    : fmt::format("  {:>{}}", line[i], width[i]);
    out += '\n';
  }
  return out;
}

void write_compare_csv(const std::vector<CompareRow>& rows, const std::string& path) {
  std::ofstream out(path);
  static const std::vector<const char*> job_keys = {
      "jobs_total",      "jobs_completed", "jobs_rejected", "makespan_s",         "mean_jct_s",
      "p50_jct_s",       "p95_jct_s",      "p99_jct_s",     "mean_wait_s",        "mean_slowdown",
      "gpu_utilization", "gpu_hours",      "energy_it_kwh", "energy_facility_kwh"};
  static const std::vector<const char*> serving_keys = {"requests_total",
                                                        "requests_completed",
                                                        "requests_rejected",
                                                        "makespan_s",
                                                        "ttft_mean_s",
                                                        "ttft_p50_s",
                                                        "ttft_p90_s",
                                                        "ttft_p99_s",
                                                        "tpot_mean_s",
                                                        "tpot_p50_s",
                                                        "tpot_p90_s",
                                                        "tpot_p99_s",
                                                        "e2e_mean_s",
                                                        "e2e_p99_s",
                                                        "slo_attainment",
                                                        "goodput_rps",
                                                        "throughput_tokens_per_s",
                                                        "preemptions",
                                                        "prefix_hit_tokens",
                                                        "energy_per_1k_output_tokens_j",
                                                        "energy_it_kwh",
                                                        "energy_facility_kwh"};
  const bool serving = is_serving(rows);
  std::vector<const char*> keys = serving ? serving_keys : job_keys;
  for (const Column& c : columns_of(rows, {})) keys.push_back(c.key);
  out << (serving ? "variant" : "policy");
  for (const char* k : keys) out << ',' << k;
  out << '\n';
  for (const auto& row : rows) {
    out << row.label;
    for (const char* k : keys) out << ',' << fmt::format("{}", row.summary.at(k).get<double>());
    out << '\n';
  }
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace suanli::report
