#include "suanli/energy/facility_meter.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "suanli/energy/power_model.hpp"

namespace suanli::energy {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

FacilityMeter::FacilityMeter(const platform::Platform& platform, double interval_s)
    : platform_(platform), interval_s_(interval_s), last_it_j_(platform.sites.size(), 0) {
  for (std::size_t s = 0; s < platform.sites.size(); ++s) {
    const auto& site = platform.sites[s];
    cooling_.push_back(platform.cooling_of(int(s)));
    has_carbon_ = has_carbon_ && !site.carbon_g_per_kwh.empty();
    has_price_ = has_price_ && !site.price_per_kwh.empty();
    const auto& c = cooling_.back();
    const bool constant = c.type == platform::Cooling::Type::fixed ||
                          (site.outdoor_c.is_constant() ||
                           c.pue_at(site.outdoor_c.min()) == c.pue_at(site.outdoor_c.max()));
    const double pue = c.pue_at(site.outdoor_c.empty() ? 0 : site.outdoor_c.at(0));
    constant_pue_ = constant_pue_ && constant && pue == platform.pue;
  }
}

double FacilityMeter::next_tick_after(double t_s) const {
  double next = (std::floor(t_s / interval_s_) + 1) * interval_s_;
  for (const auto& site : platform_.sites)
    for (const auto* series : {&site.outdoor_c, &site.carbon_g_per_kwh, &site.price_per_kwh})
      if (!series->empty()) next = std::min(next, series->next_change_after(t_s));
  return next;
}

void FacilityMeter::advance(double t_s, std::span<const double> site_it_j) {
  if (t_s <= last_s_) return;
  for (std::size_t s = 0; s < platform_.sites.size(); ++s) {
    const auto& site = platform_.sites[s];
    MeterRow row;
    row.site = int(s);
    row.start_s = last_s_;
    row.end_s = t_s;
    row.it_j = site_it_j[s] - last_it_j_[s];
    // The interval's values are those in force at its start (it ends where any changes).
    row.outdoor_c = site.outdoor_c.empty() ? kNaN : site.outdoor_c.at(last_s_);
    row.pue = cooling_[s].pue_at(site.outdoor_c.empty() ? 0 : row.outdoor_c);
    row.facility_j = row.it_j * row.pue;
    const double kwh = row.facility_j / kJoulesPerKwh;
    row.carbon_g_per_kwh = site.carbon_g_per_kwh.empty() ? kNaN : site.carbon_g_per_kwh.at(last_s_);
    row.carbon_kg = kwh * row.carbon_g_per_kwh / 1000;
    row.price_per_kwh = site.price_per_kwh.empty() ? kNaN : site.price_per_kwh.at(last_s_);
    row.cost = kwh * row.price_per_kwh;
    facility_j_ += row.facility_j;
    if (has_carbon_) carbon_kg_ += row.carbon_kg;
    if (has_price_) cost_ += row.cost;
    last_it_j_[s] = site_it_j[s];
    rows_.push_back(row);
  }
  last_s_ = t_s;
}

void apply_meter(EnergyTotals& totals, const FacilityMeter& meter) {
  if (!meter.constant_pue()) totals.facility_j = meter.facility_j();
  totals.has_carbon = meter.has_carbon();
  totals.has_price = meter.has_price();
  totals.carbon_kg = meter.carbon_kg();
  totals.cost = meter.cost();
  totals.rows = meter.rows();
}

}  // namespace suanli::energy
