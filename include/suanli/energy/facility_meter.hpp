#pragma once
// From each site's IT energy to what the facility drew, emitted and cost, interval by interval
// (docs/model.md, "Cooling, climate and carbon"): over each interval a site's facility energy
// is its IT energy times its PUE at the outdoor temperature of the interval, its carbon that
// times the grid's intensity, its cost that times the price. Intervals end at every multiple
// of `interval_s` and wherever a site's temperature, intensity or price changes row, so each
// interval sees one value of each. No SimGrid here: the engine reads the IT energy.
#include <span>
#include <vector>

#include "suanli/energy/power_model.hpp"
#include "suanli/platform/platform.hpp"

namespace suanli::energy {

class FacilityMeter {
 public:
  FacilityMeter(const platform::Platform& platform, double interval_s);

  // The end of the interval that is open at t_s.
  double next_tick_after(double t_s) const;
  // Closes the intervals up to t_s, given every site's IT energy so far (cumulative, by site).
  void advance(double t_s, std::span<const double> site_it_j);

  const std::vector<MeterRow>& rows() const { return rows_; }
  double facility_j() const { return facility_j_; }
  // Whether every site gives an intensity (a price): otherwise no total is known.
  bool has_carbon() const { return has_carbon_; }
  bool has_price() const { return has_price_; }
  double carbon_kg() const { return carbon_kg_; }
  double cost() const { return cost_; }
  // Whether every site's PUE is one constant, the same for all: facility = IT x that PUE.
  bool constant_pue() const { return constant_pue_; }

 private:
  const platform::Platform& platform_;
  std::vector<platform::Cooling> cooling_;
  double interval_s_;
  double last_s_ = 0;
  std::vector<double> last_it_j_;
  std::vector<MeterRow> rows_;
  double facility_j_ = 0, carbon_kg_ = 0, cost_ = 0;
  bool has_carbon_ = true, has_price_ = true, constant_pue_ = true;
};

// The meter's figures in the totals: facility energy (unless every site has one constant PUE,
// the platform's, when IT x PUE stays exact), carbon, cost and the rows.
void apply_meter(EnergyTotals& totals, const FacilityMeter& meter);

}  // namespace suanli::energy
