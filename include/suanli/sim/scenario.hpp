#pragma once
// One simulation as a value: the platform, what runs on it (a job trace for the training
// service, a request trace and deployments for the serving service, or both on one cluster),
// the policy objects and the options. run_scenario() builds the core, creates the services,
// runs them and returns what happened, energy totals included, so that callers (the CLI,
// tests, benchmarks) only turn outcomes into outputs.
#include <optional>
#include <vector>

#include "suanli/energy/power_model.hpp"
#include "suanli/perf/prepared_job.hpp"
#include "suanli/platform/platform.hpp"
#include "suanli/platform/topology.hpp"
#include "suanli/report/recorder.hpp"
#include "suanli/report/serving_recorder.hpp"
#include "suanli/serving/deployment.hpp"
#include "suanli/sim/serving_service.hpp"
#include "suanli/sim/simgrid_session.hpp"
#include "suanli/sim/training_service.hpp"
#include "suanli/workload/job.hpp"
#include "suanli/workload/request.hpp"

namespace suanli::sim {

struct Scenario {
  const platform::Platform* platform = nullptr;
  const platform::Topology* topology = nullptr;
  ExecModel exec_model = ExecModel::flows;
  // Training: a job trace (with its prepared work) and how to schedule it; none if null.
  const workload::Workload* workload = nullptr;
  const std::vector<perf::PreparedJob>* jobs = nullptr;
  RunConfig training;
  // Serving: a request trace on deployments; none if null.
  const workload::RequestWorkload* requests = nullptr;
  const std::vector<serving::Deployment>* deployments = nullptr;
  ServingConfig serving;
  // The facility meter's interval (energy.csv rows per site): docs/model.md.
  double energy_interval_s = 3600;
};

// Where each service writes (one per service the scenario has).
struct ScenarioRecorders {
  report::Recorder* training = nullptr;
  report::ServingRecorder* serving = nullptr;
};

struct ScenarioOutcome {
  std::optional<RunOutcome> training;
  std::optional<ServingOutcome> serving;
  double end_s = 0;             // when the simulation ended (its last actor)
  energy::EnergyTotals energy;  // the whole cluster over [0, end_s]
};

// Throws InputError as the services do (a replica or job that cannot fit).
ScenarioOutcome run_scenario(const Scenario& scenario, const ScenarioRecorders& recorders);

}  // namespace suanli::sim
