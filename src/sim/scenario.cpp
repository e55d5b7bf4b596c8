#include "suanli/sim/scenario.hpp"

#include <memory>
#include <stdexcept>

#include "suanli/sim/core.hpp"

namespace suanli::sim {

ScenarioOutcome run_scenario(const Scenario& scenario, const ScenarioRecorders& recorders) {
  const bool training = scenario.workload != nullptr;
  const bool serving = scenario.requests != nullptr;
  if (!scenario.platform || !scenario.topology || (training && !recorders.training) ||
      (serving && (!recorders.serving || !scenario.deployments)))
    throw std::logic_error("run_scenario: incomplete scenario");
  Core core(*scenario.platform, *scenario.topology, scenario.exec_model);
  core.meter_energy(scenario.energy_interval_s);
  // The recorders are subscribers like any other: the services only emit.
  if (report::Recorder* r = recorders.training) {
    core.job_ended.connect([r](const report::JobRecord& job) { r->job(job); });
    core.training_state.connect([r](const report::ClusterState& state) { r->state(state); });
  }
  if (report::ServingRecorder* r = recorders.serving) {
    core.request_ended.connect([r](const report::RequestRecord& request) { r->request(request); });
    core.timeline_row.connect([r](const report::TimelineSample& row) { r->sample(row); });
  }
  // Serving first: its replicas take their GPUs, and training learns what they hold for the
  // whole run.
  std::unique_ptr<ServingService> serving_service;
  if (serving) {
    ServingConfig config = scenario.serving;
    config.beside_training = training;
    serving_service = make_serving_service(core, *scenario.requests, *scenario.deployments, config);
    core.add(*serving_service);
  }
  std::unique_ptr<TrainingService> training_service;
  if (training) {
    training_service =
        make_training_service(core, *scenario.workload, *scenario.jobs, scenario.training);
    core.add(*training_service);
  }
  core.run();
  ScenarioOutcome outcome;
  if (training_service) outcome.training = training_service->outcome();
  if (serving_service) outcome.serving = serving_service->outcome();
  // The simulation ends with its last actor: a replica may still be loading its weights
  // after the last request, a training run may go on after the trace. Energy is counted up to
  // there, GPUs (the plugin's and what the services timed themselves) and static power alike.
  outcome.end_s = Core::now();
  outcome.energy = energy::energy_totals(*scenario.platform, core.accountant().gpu_energy_j(),
                                         core.accountant().gpu_idle_energy_j(), outcome.end_s);
  core.finish_meter(outcome.end_s);
  energy::apply_meter(outcome.energy, *core.meter());
  return outcome;
}

}  // namespace suanli::sim
