#pragma once
// The policy comparison: one row per run, read back from each run's summary.json, printed as
// an aligned table and written as compare.csv.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace suanli::report {

struct CompareRow {
  std::string label;  // policy (or other varied setting)
  nlohmann::json summary;
};

nlohmann::json read_summary(const std::string& path);
// One section ("training", "serving") of a combined run's summary, as a summary of its own:
// the section's fields and the whole run's energy_*_kwh.
nlohmann::json summary_section(const nlohmann::json& summary, const std::string& section);
std::string format_compare_table(const std::vector<CompareRow>& rows);
void write_compare_csv(const std::vector<CompareRow>& rows, const std::string& path);

}  // namespace suanli::report
