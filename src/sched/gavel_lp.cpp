// Gavel's two allocation LPs (Narayanan et al., "Heterogeneity-Aware Cluster Scheduling
// Policies for Deep Learning Workloads", OSDI'20, section 4; the public code
// stanford-futuredata/gavel, scheduler/policies/max_min_fairness.py
// MaxMinFairnessPolicyWithPerf and max_sum_throughput.py ThroughputSumWithPerf), solved with
// GLPK's primal simplex. The variables are x_jc, the fraction of time job j spends on pool c.
#include <glpk.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched::detail {

namespace {

struct ProblemDeleter {
  void operator()(glp_prob* lp) const { glp_delete_prob(lp); }
};

// policy.py's Policy.flatten and proportional.py: the "isolated" allocation gives every job
// the fraction gpus_c / sum(gpus) of each pool, whatever the number of jobs (ProportionalPolicy
// divides the per-job share by the largest row sum), so its throughput is sum_c speed_jc *
// gpus_c / sum(gpus).
std::vector<double> equal_share_throughputs(const GavelLpInput& in) {
  double total = 0;
  for (const double g : in.capacity) total += g;
  std::vector<double> out(in.scale.size(), 0.0);
  for (std::size_t j = 0; j < in.scale.size(); ++j)
    for (std::size_t c = 0; c < in.capacity.size(); ++c)
      out[j] += in.speed[j * in.capacity.size() + c] * in.capacity[c] / total;
  return out;
}

}  // namespace

std::vector<double> solve_gavel_lp(const GavelLpInput& in, GavelObjective objective) {
  const std::size_t jobs = in.scale.size();
  const std::size_t pools = in.capacity.size();
  if (in.speed.size() != jobs * pools) throw std::logic_error("solve_gavel_lp: bad speed matrix");
  std::vector<double> x(jobs * pools, 0.0);
  if (jobs == 0 || pools == 0) return x;
  const bool fair = objective == GavelObjective::max_min_fairness;
  const std::vector<double> equal_share =
      fair ? equal_share_throughputs(in) : std::vector<double>{};

  // Only pairs with a positive speed on a pool large enough get a column: a job never runs
  // where it cannot, and the LP stays as small as the allowed pairs (Gavel keeps them at 0
  // through a zero throughput).
  std::vector<int> column(jobs * pools, 0);
  int columns = 0;
  for (std::size_t j = 0; j < jobs; ++j)
    for (std::size_t c = 0; c < pools; ++c)
      if (in.speed[j * pools + c] > 0 && in.capacity[c] >= in.scale[j])
        column[j * pools + c] = ++columns;
  // A job with no pool at all would pin the max-min at 0: it takes no part.
  std::vector<bool> placed(jobs, false);
  for (std::size_t j = 0; j < jobs; ++j)
    for (std::size_t c = 0; c < pools; ++c) placed[j] = placed[j] || column[j * pools + c] > 0;
  if (columns == 0) return x;

  std::unique_ptr<glp_prob, ProblemDeleter> lp(glp_create_prob());
  glp_set_obj_dir(lp.get(), GLP_MAX);
  // Rows: 1..jobs  sum_c x_jc <= 1;  jobs+1..jobs+pools  sum_j scale_j x_jc <= gpus_c;
  // max-min only: jobs+pools+1..2 jobs+pools  t - sum_c coef_jc x_jc <= 0.
  const int fairness_row0 = int(jobs + pools);
  glp_add_rows(lp.get(), fair ? int(2 * jobs + pools) : int(jobs + pools));
  for (std::size_t j = 0; j < jobs; ++j) {
    glp_set_row_bnds(lp.get(), int(j + 1), GLP_UP, 0, 1);
    if (fair) glp_set_row_bnds(lp.get(), fairness_row0 + int(j + 1), GLP_UP, 0, 0);
  }
  for (std::size_t c = 0; c < pools; ++c)
    glp_set_row_bnds(lp.get(), int(jobs + c + 1), GLP_UP, 0, in.capacity[c]);
  glp_add_cols(lp.get(), fair ? columns + 1 : columns);

  // GLPK's sparse matrix is 1-based: entry 0 is unused.
  std::vector<int> ia{0}, ja{0};
  std::vector<double> ar{0};
  auto entry = [&](int row, int col, double value) {
    ia.push_back(row), ja.push_back(col), ar.push_back(value);
  };
  for (std::size_t j = 0; j < jobs; ++j) {
    for (std::size_t c = 0; c < pools; ++c) {
      const int col = column[j * pools + c];
      if (col == 0) continue;
      const double speed = in.speed[j * pools + c];
      glp_set_col_bnds(lp.get(), col, GLP_DB, 0, 1);
      entry(int(j + 1), col, 1);
      entry(int(jobs + c + 1), col, in.scale[j]);
      if (fair) {
        // max_min_fairness.py: throughput * scale_factor / (weight * isolated throughput),
        // so a job on k GPUs counts k times the time of a 1-GPU job (its comment says why).
        entry(fairness_row0 + int(j + 1), col, -speed * in.scale[j] / equal_share[j]);
      } else {
        // max_sum_throughput.py maximises sum(throughputs * x): no scale factor, no
        // normalisation (its `scale` is computed and never used; instance costs are 1).
        glp_set_obj_coef(lp.get(), col, speed);
      }
    }
  }
  if (fair) {
    const int t = columns + 1;
    glp_set_col_bnds(lp.get(), t, GLP_LO, 0, 0);
    glp_set_obj_coef(lp.get(), t, 1);
    for (std::size_t j = 0; j < jobs; ++j)
      if (placed[j]) entry(fairness_row0 + int(j + 1), t, 1);
  }
  glp_load_matrix(lp.get(), int(ia.size() - 1), ia.data(), ja.data(), ar.data());

  glp_smcp parm;
  glp_init_smcp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  parm.presolve = GLP_ON;
  // x = 0 is feasible and the region is bounded, so the simplex ends optimal; anything else
  // (a numerical failure) leaves x = 0, and the rounds still run every job by arrival order.
  if (glp_simplex(lp.get(), &parm) != 0 || glp_get_status(lp.get()) != GLP_OPT) return x;
  for (std::size_t k = 0; k < jobs * pools; ++k)
    if (column[k] > 0) x[k] = std::clamp(glp_get_col_prim(lp.get(), column[k]), 0.0, 1.0);
  return x;
}

}  // namespace suanli::sched::detail
