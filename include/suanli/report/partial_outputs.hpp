#pragma once
// The output files of one run, written as NAME.partial and renamed together once the run has
// finished, so that a run that fails leaves its directory as it was. Shared by the job and
// the serving recorders.
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace suanli::report {

// A run's energy, split so that the parts add up: GPUs (their idle floor, powered on or off,
// and the dynamic rest), nodes' and switches' static power, and cooling (facility - IT).
struct EnergyBreakdown {
  double gpu_j = 0;
  double gpu_idle_j = 0;
  double node_j = 0;
  double network_j = 0;
  double it_j = 0;
  double facility_j = 0;
  int total_gpus = 0;  // for kwh_per_gpu_hour
  double end_s = 0;
  // Carbon (location-based, kg CO2e) and cost, when every site gives an intensity and a price.
  bool has_carbon = false;
  bool has_price = false;
  double carbon_kg = 0;
  double cost = 0;
  std::string currency;
  // energy.csv: one row per site per interval of the facility meter (NaN: not given).
  struct Row {
    std::string site;
    double start_s = 0, end_s = 0, it_j = 0, facility_j = 0, pue = 1, outdoor_c = 0;
    double carbon_g_per_kwh = 0, carbon_kg = 0, price_per_kwh = 0, cost = 0;
  };
  std::vector<Row> rows;
};

class PartialOutputs {
 public:
  // Opens out_dir/NAME.partial for each streamed file (the directory must exist); the
  // summary goes to out_dir/summary_name.
  PartialOutputs(std::string out_dir, std::vector<std::string> streamed,
                 std::string summary_name = "summary.json");
  // Closes them, and removes them unless commit() succeeded.
  ~PartialOutputs();
  PartialOutputs(const PartialOutputs&) = delete;
  PartialOutputs& operator=(const PartialOutputs&) = delete;

  std::FILE* file(std::size_t i) const { return files_[i]; }
  // What every summary ends with: the energy of the run and what the run itself cost.
  struct RunCosts {
    EnergyBreakdown energy;
    double sim_wall_s = 0;
    double peak_rss_mb = 0;
    double decision_wall_s = -1;  // a training policy's cost; -1: none (not written)
    double decision_p99_ms = -1;
  };
  // Closes the streamed files, writes the summary (with `costs` appended as energy_*_kwh,
  // kwh_per_gpu_hour,
  // sim_wall_s, peak_rss_mb and, for training, decision_wall_s, decision_p99_ms), and renames
  // all of them into place.
  void commit(nlohmann::ordered_json summary, const RunCosts& costs);
  // Closes the streamed files and renames them into place, with no summary: a recorder whose
  // summary is a section of the run's one summary.json (report/combined_summary.hpp).
  void commit_streams();

 private:
  void close_streams();  // throws if a write failed (a full disk)
  void rename_into_place(const std::vector<std::string>& names);

  std::string out_dir_;
  std::vector<std::string> names_;
  std::string summary_name_;
  std::vector<std::FILE*> files_;
  bool committed_ = false;
};

// Shortest text that reads back to the same double: outputs are exact and byte-stable.
std::string exact_number(double value);

}  // namespace suanli::report
