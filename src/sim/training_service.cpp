#include "suanli/sim/training_service.hpp"

#include <simgrid/s4u.hpp>

#include <boost/container/small_vector.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <functional>
#include <set>
#include <span>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "suanli/common/input_error.hpp"
#include "suanli/energy/accountant.hpp"
#include "suanli/report/progress.hpp"
#include "suanli/sched/allocation.hpp"
#include "suanli/sched/policy.hpp"

namespace suanli::sim {

namespace sg4 = simgrid::s4u;
using sched::JobIndex;

namespace {

// What travels through the scheduler's mailbox: preallocated (one per arrival instant, one
// completion per job, one wake-up), so that sending is a pointer and nothing is allocated per
// message. An arrival event carries every job submitted at that instant (`count` entries of
// arrival_order_ from `first`), so that the policy sees them together. A wake-up says another
// service gave GPUs back to the pool; a round, that the policy's round has come; an alarm,
// that the instant the policy asked to be woken at (Policy::wake_at_s) has come.
struct Event {
  enum class Kind : std::uint8_t { arrivals, completion, gpus_freed, round, alarm, budget } kind;
  JobIndex first;  // arrivals: position in arrival order; completion: the job
  JobIndex count;  // arrivals: how many jobs
};

// How far one run of a job is, so that a preemption keeps exactly the work done: the job
// actor registers each phase's activities here as it starts them, and the scheduler reads
// their remaining amounts (SimGrid's own progress, contention included) when it preempts.
struct Segment {
  int phases = 1;
  int phases_done = 0;
  bool working = false;      // false while restoring (restart cost, checkpoint transfer)
  double work_start_s = -1;  // when the work began, after the restore
  double phase_start_s = 0;
  // With their full amount; a job's GPUs and ring edges (small vector: most jobs have few).
  boost::container::small_vector<std::pair<sg4::ActivityPtr, double>, 4> activities;
  sg4::ExecPtr parallel_task;  // under ptask: its remaining ratio
  double timed_end_s = -1;     // a part timed by hand (in-node ring edges, a share under ptask)
  // What a preemption must undo besides cancelling the activities (work timed by hand).
  std::function<void()> on_stop;

  // Cancels what still runs once its actor is killed (an activity it started and was not
  // waiting for would go on without it). A cancel is a simcall, during which other actors run
  // and may change `activities`: work on a copy.
  void stop() {
    const auto running = [](const sg4::Activity& a) {
      return a.get_state() == sg4::Activity::State::STARTED;
    };
    const auto watched = activities;
    const sg4::ExecPtr task = parallel_task;
    for (const auto& [activity, amount] : watched)
      if (running(*activity)) activity->cancel();
    if (task && running(*task)) task->cancel();
    if (on_stop) on_stop();
    on_stop = nullptr;
  }
  void begin_phase(double now) {
    phase_start_s = now;
    activities.clear();
    parallel_task = nullptr;
    timed_end_s = -1;
  }
  void watch(const sg4::ActivityPtr& activity, double amount) {
    activities.emplace_back(activity, amount);
  }
  // The share of this run's work done at `now`: whole phases, and of the current one the
  // share its least advanced part has done (a phase is done only when all of it is). Reading
  // an activity's remaining amount is a simcall, during which other actors run, the job's own
  // among them (it may start its next phase): everything is read from a copy taken first.
  double done_at(double now) const {
    if (!working) return 0;
    const auto watched = activities;
    const sg4::ExecPtr task = parallel_task;
    const int whole = phases_done;
    const double start = phase_start_s, timed_end = timed_end_s;
    double phase = 1;
    for (const auto& [activity, amount] : watched)
      if (amount > 0) phase = std::min(phase, 1 - activity->get_remaining() / amount);
    if (task) phase = std::min(phase, 1 - task->get_remaining_ratio());
    if (timed_end > start) phase = std::min(phase, (now - start) / (timed_end - start));
    phase = std::clamp(phase, 0.0, 1.0);
    return std::min(1.0, (whole + phase) / phases);
  }
};

// What a job keeps across preemptions (only jobs preempted at least once have one).
struct Resumed {
  double done = 0;  // share of its work done
  double attained_gpu_s = 0;
  double lost_s = 0;  // wall seconds it held GPUs without progress (restores)
  double ran_s = 0;   // its runs' lengths added up
  double energy_j = 0;
  double first_start_s = 0;
  int preemptions = 0;
  int cluster = 0;
  std::vector<int> gpus;  // where it ran last: a restart elsewhere moves its checkpoint
};

// Bytes of a training job's checkpoint per parameter under mixed-precision Adam: fp16
// weights and gradients (2 + 2) and fp32 master weights, momentum and variance (4 + 4 + 4),
// the 16 bytes per parameter of Rajbhandari et al., "ZeRO", SC'20, section 3.1.
constexpr double kCheckpointBytesPerParam = 16;

class Training final : public sched::ClusterView, public TrainingService {
 public:
  Training(Core& core, const workload::Workload& workload,
           const std::vector<perf::PreparedJob>& jobs, const RunConfig& config)
      : core_(core),
        platform_(core.platform()),
        workload_(workload),
        jobs_(jobs),
        config_(config),
        accountant_(core.accountant()),
        models_(perf::model_table(platform_)),
        allocation_(core.allocation()),
        sim_(core.sim()) {
    policy_ = config.policy;
    placement_ = config.placement;
    if (!policy_ || !placement_) throw std::logic_error("a run needs a policy and a placement");
    bool others_hold = false;
    for (std::size_t c = 0; c < platform_.clusters.size(); ++c) {
      // What a job can ever count on: the cluster without what others hold for the whole run.
      const int left = platform_.clusters[c].gpu_count() - core.held_for_run_in_cluster(int(c));
      others_hold = others_hold || core.held_for_run_in_cluster(int(c)) > 0;
      clusters_.push_back({models_.cluster_model[c], left, left});
      const auto& device = platform_.device_of_cluster(int(c));
      cluster_peak_.push_back(device.peak_flops());
      cluster_device_.push_back(&device);
    }
    by_cluster_.resize(clusters_.size());
    total_gpus_ = platform_.total_gpus();
    if (others_hold) check_fit_beside_reserved();
    if (!config_.power_budget_w.empty()) check_fit_in_budget();
    for (std::size_t c = 0; c < clusters_.size(); ++c) refresh_free(int(c));
    completions_.resize(jobs.size());
    for (JobIndex i = 0; i < jobs.size(); ++i) {
      completions_[i] = {Event::Kind::completion, i, 1};
      if (!jobs[i].rejected) arrival_order_.push_back(i);
      has_pods_ = has_pods_ || (!jobs[i].rejected && workload.jobs[i].is_pod());
    }
    // The placement sees the workload's requests once (fgd weighs its mix of job types).
    std::vector<sched::QueuedJob> requests;
    for (const JobIndex i : arrival_order_) requests.push_back(queued_job(i));
    placement_->prepare(requests, config.seed);
    // Stable: jobs submitted at the same time arrive in file order.
    std::stable_sort(arrival_order_.begin(), arrival_order_.end(), [&](JobIndex a, JobIndex b) {
      return workload.jobs[a].submit_s < workload.jobs[b].submit_s;
    });
    for (JobIndex k = 0; k < arrival_order_.size(); ++k) {
      const double t = workload.jobs[arrival_order_[k]].submit_s;
      if (k == 0 || t != workload.jobs[arrival_order_[k - 1]].submit_s)
        arrivals_.push_back({Event::Kind::arrivals, k, 0});
      ++arrivals_.back().count;
    }
    mailbox_ = sg4::Mailbox::by_name("suanli-scheduler");
    // GPUs another service gives back may let a queued job start: wake the scheduler (a
    // message, so that the pass runs in its own actor, after everything at this instant).
    core.gpus_released.connect([this](const void* by) {
      if (by == this || !scheduling_) return;
      mailbox_->put_init(&gpus_freed_, 0)->detach();
    });
    core.timeline_sample.connect([this](report::TimelineSample& row) {
      row.queued_jobs = int(policy_->queued());
      row.running_jobs = int(running_.size());
      row.training_gpus = gpus_held_;
    });
  }

  void start(Core& core) override {
    core.spawn("submitter", [this] { submit_all(); });
    core.spawn("scheduler", [this] { schedule_loop(); });
    // Rounds tick until the last job ends (a daemon: it does not keep the simulation going).
    if (config_.round_seconds > 0)
      core.spawn(
          "rounds",
          [this] {
            for (std::uint64_t k = 1;; ++k) {
              sg4::this_actor::sleep_until(double(k) * config_.round_seconds);  // no drift
              mailbox_->put_init(&round_, 0)->detach();
            }
          },
          true);
    // The budget's changes wake the scheduler: a rise may let held jobs start, a fall may
    // suspend some.
    if (!config_.power_budget_w.empty() && !config_.power_budget_w.is_constant())
      core.spawn(
          "power-budget",
          [this] {
            for (double t = config_.power_budget_w.next_change_after(0); std::isfinite(t);
                 t = config_.power_budget_w.next_change_after(t)) {
              sg4::this_actor::sleep_until(t);
              mailbox_->put_init(&budget_, 0)->detach();
            }
          },
          true);
  }

  void finish() override {
    if (outcome_.completed != int(arrival_order_.size()))
      throw std::runtime_error(fmt::format("the simulation stopped with {} of {} jobs unfinished",
                                           arrival_order_.size() - std::size_t(outcome_.completed),
                                           arrival_order_.size()));
  }
  RunOutcome outcome() const override { return outcome_; }

  // A job that would take even an idle cluster above the budget's last value could never
  // start: an input error now rather than a run that waits forever.
  void check_fit_in_budget() const {
    const double last = config_.power_budget_w.at(std::numeric_limits<double>::max());
    const double idle = facility_power_w();
    if (idle > last)
      throw InputError(fmt::format(
          "--power-budget-w: the idle platform draws {:.0f} W of facility power, more than the "
          "budget's last value ({:.0f} W): no job could ever start",
          idle, last));
    for (JobIndex i = 0; i < jobs_.size(); ++i) {
      if (jobs_[i].rejected || workload_.jobs[i].num_gpus == 0) continue;
      double least = std::numeric_limits<double>::infinity();
      for (std::size_t c = 0; c < clusters_.size(); ++c)
        if (sched::allows(queued_job(i), clusters_[c].model))
          least = std::min(least, start_power_w(i, int(c)));
      if (idle + least > last)
        throw InputError(fmt::format(
            "{}:{}: num_gpus: job '{}' would take the idle platform to {:.0f} W of facility power, "
            "above "
            "the power budget's last value ({:.0f} W): it could never start",
            workload_.source, workload_.jobs[i].line, workload_.jobs[i].id, idle + least, last));
    }
  }

  // With GPUs held by replicas, a job may no longer fit any cluster it may use: an input
  // error now rather than a job waiting forever.
  void check_fit_beside_reserved() const {
    for (JobIndex i = 0; i < jobs_.size(); ++i) {
      if (jobs_[i].rejected) continue;
      const auto& job = workload_.jobs[i];
      int largest = 0;
      for (const auto& c : clusters_)
        if (sched::allows(queued_job(i), c.model)) largest = std::max(largest, c.total_gpus);
      if (job.num_gpus > largest)
        throw InputError(located(
            workload_.source, job.line, "num_gpus",
            fmt::format("job '{}' asks for {} GPUs but, beside the serving replicas, the largest "
                        "cluster it may use has {} GPUs left",
                        job.id, job.num_gpus, largest)));
    }
  }

  // --- ClusterView ---
  double now() const override { return sg4::Engine::get_clock(); }
  std::span<const sched::ClusterInfo> clusters() const override { return clusters_; }
  void visit_running(int cluster,
                     const std::function<bool(const sched::RunningJob&)>& visit) const override {
    const bool budget = !config_.power_budget_w.empty();
    for (const auto& [end, job] : by_cluster_[cluster])
      if (!visit({job, whole_gpus_of(job), end,
                  budget ? running_.at(job).dynamic_w * core_.facility_factor() : 0.0}))
        return;
  }
  double carbon_g_per_kwh(int cluster, double t_s) const override {
    const auto& series =
        platform_.sites[std::size_t(platform_.clusters[cluster].site)].carbon_g_per_kwh;
    return series.empty() ? std::numeric_limits<double>::quiet_NaN() : series.at(t_s);
  }
  double power_headroom_w() const override {
    if (config_.power_budget_w.empty()) return std::numeric_limits<double>::infinity();
    return config_.power_budget_w.at(now()) - facility_power_w();
  }
  double start_power_w(const sched::QueuedJob& job, int cluster) const override {
    return config_.power_budget_w.empty() ? 0.0 : start_power_w(job.index, cluster);
  }
  double estimated_runtime(const sched::QueuedJob& job, int cluster) const override {
    if (job.gpus == 0) return job.walltime_s;  // CPU-only: the trace's time on any node
    return job.walltime_s / speed_on(jobs_[job.index], cluster) * slowdown_on(job.index, cluster);
  }
  // Nodes matter only to pods: without any, policies see clusters alone, as before.
  std::span<const sched::NodeRoom> node_rooms(int cluster) const override {
    if (!has_pods_) return {};
    return allocation_.node_rooms(cluster);
  }
  sched::Service service(JobIndex job) const override {
    sched::Service s;
    if (const auto r = resumed_.find(job); r != resumed_.end()) {
      s.attained_gpu_s = r->second.attained_gpu_s;
      s.preemptions = r->second.preemptions;
      s.first_start_s = r->second.first_start_s;
    }
    if (const auto it = running_.find(job); it != running_.end()) {
      const Running& run = it->second;
      s.running = true;
      if (s.first_start_s < 0) s.first_start_s = run.start_s;
      s.attained_gpu_s += run_gpu_s(job, run);
    }
    return s;
  }
  double work_done(JobIndex job) const override {
    double done = 0;
    if (const auto r = resumed_.find(job); r != resumed_.end()) done = r->second.done;
    if (const auto it = running_.find(job); it != running_.end())
      done = std::min(1.0, done + it->second.work * it->second.segment.done_at(now()));
    return done;
  }
  double oracle_remaining_s(JobIndex job, int cluster) const override {
    if (!config_.oracle)
      throw std::logic_error("policy '" + config_.policy_name +
                             "' asked for a job's true remaining time but is not an oracle");
    const auto& prepared = jobs_[job];
    const double left = 1 - work_done(job);
    if (workload_.jobs[job].num_gpus == 0) return left * prepared.work.reference_runtime_s;
    const double peak = cluster_peak_[cluster] * share_of(job);
    return left * flops_on(prepared, cluster) / peak * slowdown_on(job, cluster);
  }
  bool at_round() const override { return at_round_; }
  std::optional<std::uint64_t> releases() const override { return allocation_.releases(); }

 private:
  // What a job's work does on a cluster's GPUs: its compute share (MFU over the share of peak
  // dense matmuls reach) and the power state of that share, whose clock the cluster's power
  // limit sets.
  struct WorkPower {
    double share = 1;
    int state = 0;
  };
  WorkPower work_power(JobIndex job, int cluster) const {
    const double share =
        energy::GpuPower::share_of_mfu(workload_.jobs[job].mfu, *cluster_device_[cluster]);
    return {share, accountant_.cluster_power(cluster).states.state_for(share)};
  }
  // How much longer the job's work takes under the cluster's power limit (1 without one).
  double slowdown_on(JobIndex job, int cluster) const {
    const auto& power = accountant_.cluster_power(cluster);
    if (power.cap_w <= 0) return 1;
    const WorkPower w = work_power(job, cluster);
    return energy::GpuPower::slowdown(w.share, power.states.clock(w.state));
  }

  // How many times faster than on its reference GPU the job runs on a cluster: measured (a
  // throughput table) when known, else the ratio of peak FLOP/s.
  double speed_on(const perf::PreparedJob& job, int cluster) const {
    const auto model = std::size_t(models_.cluster_model[cluster]);
    if (model < job.model_speed.size() && job.model_speed[model] > 0) return job.model_speed[model];
    return cluster_peak_[cluster] / job.reference_peak;
  }
  // The FLOPs one GPU of the cluster executes, at its peak, so that the job runs
  // reference time / speed_on(): the work itself when speed is the peak ratio.
  double flops_on(const perf::PreparedJob& job, int cluster) const {
    const auto model = std::size_t(models_.cluster_model[cluster]);
    if (model < job.model_speed.size() && job.model_speed[model] > 0)
      return job.work.flops_per_gpu * cluster_peak_[cluster] /
             (job.reference_peak * job.model_speed[model]);
    return job.work.flops_per_gpu;
  }
  // Whole GPUs a running job gives back when it ends: none for a share job.
  int whole_gpus_of(JobIndex job) const {
    return jobs_[job].share_milli > 0 ? 0 : workload_.jobs[job].num_gpus;
  }
  double share_of(JobIndex job) const {
    return jobs_[job].share_milli > 0 ? jobs_[job].share_milli / 1000.0 : 1.0;
  }
  sched::QueuedJob queued_job(JobIndex i) const {
    const auto& job = workload_.jobs[i];
    return {i,
            job.submit_s,
            job.num_gpus,
            jobs_[i].walltime_ref_s,
            jobs_[i].models,
            job.priority,
            jobs_[i].share_milli,
            job.cpu_milli,
            job.memory_mib,
            job.user.index(),
            job.job_type.index(),
            job.deferrable() ? job.submit_s + double(job.deadline_s)
                             : std::numeric_limits<double>::infinity()};
  }
  void refresh_free(int cluster) {
    clusters_[cluster].free_gpus = allocation_.free_in_cluster(cluster);
    clusters_[cluster].share_room_milli = allocation_.largest_share_room(cluster);
  }

  struct Running {
    std::vector<int> gpus;
    int cluster = 0;
    int node = -1;  // a pod's node (global index), which also holds its CPUs and memory
    double start_s = 0;
    double energy_at_start_j = 0;
    double expected_end_s = 0;
    double work = 1;  // the share of the job's whole work this run has to do (1 - done)
    WorkPower power;
    double dynamic_w = 0;  // what it adds to the GPUs' idle power while it runs (timelines)
    sg4::ActorPtr actor;
    Segment segment;  // how far the run is, written by its actor (in place: no allocation)
  };

  void submit_all() {
    for (auto& batch : arrivals_) {
      sg4::this_actor::sleep_until(workload_.jobs[arrival_order_[batch.first]].submit_s);
      mailbox_->put(&batch, 0);
    }
  }

  void schedule_loop() {
    // Other services may have given GPUs back before this actor first ran (no wake-up then).
    for (std::size_t c = 0; c < clusters_.size(); ++c) refresh_free(int(c));
    record_rejected();
    const std::size_t expected = arrival_order_.size();
    progress_.start(expected, config_.progress);
    record_state();
    scheduling_ = completed_ < expected;
    while (completed_ < expected) {
      handle(mailbox_->get<Event>());
      // Everything that happens at this instant is handled before one scheduling pass: jobs
      // ending at the same time have posted their messages by the time this one is received
      // (a message takes a simulation step, even at zero latency), so take every pending one.
      while (mailbox_->listen()) handle(mailbox_->get<Event>());
      schedule_pass();
      at_round_ = false;
      set_alarm(policy_->wake_at_s());
      ++passes_;
      record_state();
      progress_.update(now(), completed_);
    }
    scheduling_ = false;
    progress_.finish(now(), completed_);
    spdlog::debug("{} messages handled in {} scheduling passes", messages_, passes_);
    outcome_.makespan_s = now();
    outcome_.completed = int(completed_);
    outcome_.preemptions = preemptions_;
    for (const float d : decision_s_) outcome_.decision_wall_s += d;
    if (!decision_s_.empty()) {
      std::sort(decision_s_.begin(), decision_s_.end());
      outcome_.decision_p99_ms =
          1e3 *
          decision_s_[std::min(decision_s_.size() - 1,
                               std::size_t(std::ceil(0.99 * double(decision_s_.size()))) - 1)];
    }
  }

  void handle(const Event* event) {
    ++messages_;
    if (event->kind == Event::Kind::completion) {
      finish_job(event->first);
      return;
    }
    if (event->kind == Event::Kind::gpus_freed) {
      for (std::size_t c = 0; c < clusters_.size(); ++c) refresh_free(int(c));
      return;
    }
    if (event->kind == Event::Kind::round) {
      at_round_ = true;
      return;
    }
    if (event->kind == Event::Kind::alarm) return;
    if (event->kind == Event::Kind::budget) {
      keep_to_budget();
      return;
    }
    for (JobIndex k = event->first; k < event->first + event->count; ++k) {
      const JobIndex job = arrival_order_[k];
      policy_->submit(queued_job(job));
      wait(job);
    }
  }

  // --- the power budget (docs/model.md, "Power budget") ---
  // The facility's power now (the timeline's), and what a start would add to it: its GPUs'
  // power above idle in the state of its work, times the PUE of the moment.
  double facility_power_w() const { return accountant_.it_power_w() * core_.facility_factor(); }
  double start_power_w(JobIndex job, int cluster) const {
    const WorkPower w = work_power(job, cluster);
    return workload_.jobs[job].num_gpus * share_of(job) *
           accountant_.cluster_power(cluster).states.dynamic_w(w.state) * core_.facility_factor();
  }
  bool over_budget_with(const sched::Decision& decision) const {
    if (config_.power_budget_w.empty()) return false;
    return facility_power_w() + start_power_w(decision.job, decision.cluster) >
           config_.power_budget_w.at(now()) * (1 + 1e-12);
  }
  // Under a budget that fell below the power drawn: suspends the jobs started last (they keep
  // their work and go back to the policy's queue) until the facility fits.
  void keep_to_budget() {
    const double budget = config_.power_budget_w.at(now());
    while (facility_power_w() > budget * (1 + 1e-12) && !running_.empty()) {
      const auto latest =
          std::max_element(running_.begin(), running_.end(), [](const auto& a, const auto& b) {
            return std::pair(a.second.start_s, a.first) < std::pair(b.second.start_s, b.first);
          });
      const JobIndex job = latest->first;
      preempt_job(job);
      policy_->requeue(queued_job(job));
      ++outcome_.power_suspensions;
    }
  }

  // A policy's tally of room for shares and of nodes for pods is cautious (sched::take), so
  // after starting share jobs or pods it is asked again, with the pool as it really is,
  // until it starts none; with pods, any start may have been what held a pod back.
  // Wakes the scheduler at `t` if the policy still wants it then: an alarm actor per new time
  // asked for, which posts only if no other time was asked for since.
  void set_alarm(double t) {
    if (!(t > now()) || !std::isfinite(t) || t == alarm_at_s_) return;
    alarm_at_s_ = t;
    core_.spawn(
        "alarm",
        [this, t] {
          sg4::this_actor::sleep_until(t);
          if (alarm_at_s_ == t) mailbox_->put_init(&alarm_, 0)->detach();
        },
        true);
  }

  // A plan's preemptions come first, so that its starts may take their GPUs.
  void schedule_pass() {
    bool ask_again = true;
    while (ask_again) {
      ask_again = false;
      const auto asked = std::chrono::steady_clock::now();
      const sched::Plan plan = policy_->plan(*this);
      decision_s_.push_back(
          std::chrono::duration<float>(std::chrono::steady_clock::now() - asked).count());
      for (const JobIndex job : plan.preempt) preempt_job(job);
      for (std::size_t k = 0; k < plan.start.size(); ++k) {
        const auto& decision = plan.start[k];
        if (over_budget_with(decision)) {
          // Held: back in the policy's queue, asked again when power frees up.
          policy_->requeue(queued_job(decision.job));
          ++outcome_.power_holds;
          continue;
        }
        start_job(decision, std::span(plan.start).subspan(k + 1));
        ask_again = ask_again || jobs_[decision.job].share_milli > 0 || has_pods_;
      }
    }
  }

  // The node a pod goes on by default: the policy's choice (checked), else the first that
  // holds it.
  int pod_node(const sched::QueuedJob& queued, const sched::Decision& decision) const {
    const auto rooms = allocation_.node_rooms(decision.cluster);
    const int node =
        decision.node >= 0 ? decision.node : sched::pod_node(queued, sched::FreeGpus{0, 0, rooms});
    if (node < 0 || std::size_t(node) >= rooms.size() || !sched::pod_fits(queued, rooms[node]))
      throw std::logic_error("policy '" + config_.policy_name + "' started pod '" +
                             workload_.jobs[decision.job].id + "' on a node where it does not fit");
    return platform_.clusters[decision.cluster].first_node + node;
  }

  // A pod's node and GPUs: the placement's choice among the nodes that hold it, away from the
  // nodes the plan's later pods were promised (the default placements keep the policy's node).
  sched::PodChoice place_pod(const sched::QueuedJob& queued, const sched::Decision& decision,
                             std::span<const sched::Decision> later) const {
    std::vector<int> reserved;
    const int first = platform_.clusters[decision.cluster].first_node;
    for (const auto& d : later)
      if (d.cluster == decision.cluster && d.node >= 0 && workload_.jobs[d.job].is_pod())
        reserved.push_back(first + d.node);
    const sched::PodRequest request{decision.cluster, pod_node(queued, decision), reserved};
    sched::PodChoice choice = placement_->place_pod(allocation_, queued, request);
    if (!sched::pod_allowed(allocation_, queued, request, choice))
      throw std::logic_error("placement put pod '" + workload_.jobs[decision.job].id +
                             "' where it may not go");
    std::sort(choice.gpus.begin(), choice.gpus.end());
    return choice;
  }

  // `later`: the plan's starts after this one (pods among them keep their promised nodes).
  void start_job(const sched::Decision& decision, std::span<const sched::Decision> later) {
    const auto& job = workload_.jobs[decision.job];
    const auto& prepared = jobs_[decision.job];
    const auto& info = clusters_.at(decision.cluster);
    const sched::QueuedJob queued = queued_job(decision.job);
    if (running_.count(decision.job) != 0)
      throw std::logic_error("policy '" + config_.policy_name + "' started job '" + job.id +
                             "', which is running");
    if (!sched::fits(queued, {info.free_gpus, info.share_room_milli}) ||
        !sched::allows(queued, info.model))
      throw std::logic_error("policy '" + config_.policy_name + "' started job '" + job.id +
                             "' on a cluster where it does not fit");
    Running run;
    if (job.is_pod()) {
      auto choice = place_pod(queued, decision, later);
      run.node = choice.node;
      run.gpus = std::move(choice.gpus);
      core_.acquire_host(run.node, job.cpu_milli, job.memory_mib);
    } else if (prepared.share_milli > 0) {
      // The placement's GPU: room beside other shares when one GPU has it, else a free GPU
      // (the default: best fit, else place()).
      const int gpu = placement_->place_share(allocation_, decision.cluster, queued);
      if (!sched::share_allowed(allocation_, decision.cluster, prepared.share_milli, gpu))
        throw std::logic_error("placement put share job '" + job.id + "' where it may not go");
      run.gpus = {gpu};
    } else {
      run.gpus = placement_->place(allocation_, decision.cluster, job.num_gpus);
      std::sort(run.gpus.begin(), run.gpus.end());
    }
    run.power = work_power(decision.job, decision.cluster);
    const auto& states = accountant_.cluster_power(decision.cluster).states;
    const int state = run.power.state;
    if (prepared.share_milli > 0) {
      // A shared GPU stays in the state the work of its first share set.
      if (allocation_.share_used(run.gpus.front()) == 0) {
        ++gpus_held_;
        Core::set_power_state(sim_.gpu_hosts[run.gpus.front()], state);
      }
      core_.acquire_share(run.gpus.front(), prepared.share_milli);
    } else {
      for (int g : run.gpus) Core::set_power_state(sim_.gpu_hosts[g], state);
      core_.acquire(run.gpus);
      gpus_held_ += int(run.gpus.size());
    }
    refresh_free(decision.cluster);
    run.cluster = decision.cluster;
    run.start_s = now();
    waiting_.erase({job.submit_s, decision.job});
    allocated_gpus_ += job.num_gpus * share_of(decision.job);
    // A job that ran before resumes with the work it has left, after the restart cost; its
    // checkpoint travels from its old GPUs when it lands on others.
    double restore_s = 0;
    std::vector<std::pair<int, int>> moves;  // (from GPU, to GPU)
    double move_bytes = 0;
    if (const auto it = resumed_.find(decision.job); it != resumed_.end()) {
      run.work = 1 - it->second.done;
      restore_s = config_.preempt_cost_s;
      if (job.params > 0 && !run.gpus.empty() && !it->second.gpus.empty() &&
          it->second.gpus != run.gpus) {
        // Each new GPU receives its share of the checkpoint from one old GPU.
        const auto& old = it->second.gpus;
        for (std::size_t k = 0; k < run.gpus.size(); ++k)
          moves.emplace_back(old[k % old.size()], run.gpus[k]);
        move_bytes = job.params * kCheckpointBytesPerParam / double(run.gpus.size());
      }
    }
    run.expected_end_s =
        run.start_s + restore_s + estimated_runtime(queued, decision.cluster) * run.work;
    std::vector<sg4::Host*> hosts;
    hosts.reserve(run.gpus.size());
    for (int g : run.gpus) hosts.push_back(sim_.gpu_hosts[g]);
    run.energy_at_start_j = accountant_.gpus_energy_j(run.gpus);
    by_cluster_[decision.cluster].emplace(run.expected_end_s, decision.job);
    run.dynamic_w = job.num_gpus * share_of(decision.job) * states.dynamic_w(state);
    core_.work_started(run.dynamic_w);

    // At clock c the host computes at c x peak: the amount that takes the work's time there.
    const double clock = states.clock(state);
    const double flops = flops_on(prepared, decision.cluster) * run.work * clock *
                         energy::GpuPower::slowdown(run.power.share, clock);
    run.segment.phases = phase_count(flops, decision.cluster);
    std::vector<std::uint8_t> edge_in_node(hosts.size(), 0);
    for (std::size_t i = 0; i < run.gpus.size(); ++i)
      edge_in_node[i] = platform_.node_of_gpu(run.gpus[i]) ==
                        platform_.node_of_gpu(run.gpus[(i + 1) % run.gpus.size()]);
    Restore restore{restore_s, {}, move_bytes};
    for (const auto& [from, to] : moves)
      restore.moves.emplace_back(sim_.gpu_hosts[from], sim_.gpu_hosts[to]);
    const double work = run.work;
    Running& placed = running_.emplace(decision.job, std::move(run)).first->second;
    placed.actor = core_.spawn(
        "job", [this, hosts = std::move(hosts), edge_in_node = std::move(edge_in_node), flops, work,
                segment = &placed.segment, restore = std::move(restore), index = decision.job,
                cluster = decision.cluster, power = placed.power] {
          execute(index, hosts, edge_in_node, cluster, power, flops, work, *segment, restore);
        });
  }

  // What a resumed job does before its work: wait out the restart cost, and receive its
  // checkpoint over the network when it moved.
  struct Restore {
    double seconds = 0;
    std::vector<std::pair<sg4::Host*, sg4::Host*>> moves;  // (from, to)
    double bytes_per_move = 0;
  };

  int phase_count(double flops_per_gpu, int cluster) const {
    if (config_.phase_seconds <= 0) return 1;
    const double seconds = flops_per_gpu / cluster_peak_[cluster];
    return std::max(1, int(std::ceil(seconds / config_.phase_seconds)));
  }

  // The job actor: the restore of a resumed job, then its phases one after the other, then a
  // completion message. Each phase is computation on every GPU and, for data-parallel
  // training, a ring of gradient traffic (GPU i sends to GPU i+1), overlapping fully: the
  // phase ends when the last of them does. `work` is the share of the job's work left.
  void execute(JobIndex index, const std::vector<sg4::Host*>& hosts,
               const std::vector<std::uint8_t>& edge_in_node, int cluster, WorkPower power,
               double total_flops, double work_left, Segment& segment, const Restore& restore) {
    const auto& work = jobs_[index].work;
    if (restore.seconds > 0) sg4::this_actor::sleep_for(restore.seconds);
    if (!restore.moves.empty()) {
      std::vector<sg4::CommPtr> comms;
      for (const auto& [from, to] : restore.moves) {
        comms.push_back(
            sg4::Comm::sendto_async(from, to, static_cast<std::uint64_t>(restore.bytes_per_move)));
        segment.watch(comms.back(), restore.bytes_per_move);
      }
      for (auto& c : comms) c->wait();
    }
    if (restore.seconds > 0 || !restore.moves.empty()) {
      // Under ptask_L07, SimGrid's energy plugin charges a host's time since its last update
      // at the load it has once a parallel task starts: read the GPUs now, while they are
      // idle, so that the restore is charged as idle (checked by tests/unit/test_preemption).
      energy::Accountant::hosts_energy_j(hosts);
    }
    segment.working = true;
    segment.work_start_s = sg4::Engine::get_clock();
    if (hosts.empty()) {
      // A CPU-only pod: its node's CPUs are not simulated hosts; it holds them for the
      // trace's duration (their power is in the node's static_w).
      segment.begin_phase(segment.work_start_s);
      segment.timed_end_s = segment.work_start_s + work.reference_runtime_s * work_left;
      sg4::this_actor::sleep_until(segment.timed_end_s);
      mailbox_->put(&completions_[index], 0);
      return;
    }
    const int phases = segment.phases;
    const double flops = total_flops / phases;
    const double bytes = hosts.size() > 1 ? work.ring_bytes_per_gpu * work_left / phases : 0.0;
    const int share_milli = jobs_[index].share_milli;
    for (int p = 0; p < phases; ++p) {
      segment.begin_phase(sg4::Engine::get_clock());
      if (share_milli > 0)
        run_share(hosts.front(), flops, share_milli / 1000.0, cluster, power, segment);
      else if (core_.exec_model() == sim::ExecModel::ptask)
        run_parallel_task(hosts, flops, bytes, segment);
      else
        run_flows(hosts, edge_in_node, platform_.clusters[cluster].node.intra, flops, bytes,
                  segment);
      segment.phases_done = p + 1;
    }
    mailbox_->put(&completions_[index], 0);
  }

  // A share of a GPU computes at most at that share of its peak, whatever else runs there:
  // the shares on one GPU add up to at most one, so each gets exactly its bound, and the
  // energy plugin sees the GPU's load as the sum of its shares. SimGrid's ptask_L07 model
  // refuses bounds; since only shares use that GPU and each gets exactly its bound, the
  // time is known, flops / bound: the actor sleeps it and tells the accountant, which accrues
  // the dynamic power the plugin cannot see (it sees an idle host) while it lasts.
  void run_share(sg4::Host* host, double flops, double share, int cluster, WorkPower power,
                 Segment& segment) {
    const auto& states = accountant_.cluster_power(cluster).states;
    const double bound_flops_per_s = share * cluster_peak_[cluster] * states.clock(power.state);
    if (core_.exec_model() != sim::ExecModel::ptask) {
      sg4::ExecPtr exec = sg4::this_actor::exec_init(flops);
      exec->set_host(host)->set_bound(bound_flops_per_s);
      segment.watch(exec, flops);
      exec->wait();
      return;
    }
    accountant_.unseen_compute_started(cluster, power.state, share);
    // A preemption kills this actor in its sleep: the accountant stops the load then.
    segment.on_stop = [this, cluster, power, share] {
      accountant_.unseen_compute_ended(cluster, power.state, share);
    };
    segment.timed_end_s = sg4::Engine::get_clock() + flops / bound_flops_per_s;
    sg4::this_actor::sleep_until(segment.timed_end_s);
    segment.on_stop = nullptr;
    accountant_.unseen_compute_ended(cluster, power.state, share);
  }

  static void run_parallel_task(const std::vector<sg4::Host*>& hosts, double flops, double bytes,
                                Segment& segment) {
    const std::size_t n = hosts.size();
    std::vector<double> matrix(n * n, 0.0);
    if (bytes > 0)
      for (std::size_t i = 0; i < n; ++i) matrix[i * n + (i + 1) % n] = bytes;
    segment.parallel_task =
        sg4::this_actor::exec_init(hosts, std::vector<double>(n, flops), matrix);
    segment.parallel_task->wait();
  }

  // A ring edge between two GPUs of one node crosses only the sender's intra-node link (up)
  // and the receiver's (down). In a ring every GPU sends once and receives once, and GPUs are
  // never shared between jobs, so nothing else ever crosses those two link directions: the
  // edge takes exactly latency + bytes / bandwidth (max-min with one flow), and is accounted
  // for as that instead of as a SimGrid flow. Only edges leaving a node, which can meet other
  // traffic, become flows: 4 instead of 32 for a 32-GPU job on 8-GPU nodes.
  static void run_flows(const std::vector<sg4::Host*>& hosts,
                        const std::vector<std::uint8_t>& edge_in_node,
                        const platform::LinkSpec& intra, double flops, double bytes,
                        Segment& segment) {
    const std::size_t n = hosts.size();
    if (n == 1) {
      // Host::exec_async ignores its host in SimGrid 3.32: set the host explicitly.
      sg4::ExecPtr exec = sg4::this_actor::exec_init(flops);
      exec->set_host(hosts[0]);
      segment.watch(exec, flops);
      exec->wait();
      return;
    }
    const double start = sg4::Engine::get_clock();
    std::vector<sg4::ExecPtr> execs;
    std::vector<sg4::CommPtr> comms;
    execs.reserve(n);
    for (auto* host : hosts) {
      execs.push_back(sg4::this_actor::exec_init(flops));
      execs.back()->set_host(host);
      execs.back()->start();
      segment.watch(execs.back(), flops);
    }
    bool any_in_node = false;
    if (bytes > 0) {
      for (std::size_t i = 0; i < n; ++i) {
        if (edge_in_node[i]) {
          any_in_node = true;
          continue;
        }
        comms.push_back(sg4::Comm::sendto_async(hosts[i], hosts[(i + 1) % n],
                                                static_cast<std::uint64_t>(bytes)));
        segment.watch(comms.back(), bytes);
      }
    }
    if (any_in_node)
      segment.timed_end_s = start + 2 * intra.latency_s + bytes / intra.bandwidth_Bps;
    for (auto& exec : execs) exec->wait();
    for (auto& comm : comms) comm->wait();
    if (any_in_node) sg4::this_actor::sleep_until(segment.timed_end_s);
  }

  // Ends a run (completion or preemption): gives back what it held and returns the energy
  // its GPUs drew during it (a share job: its share).
  double end_run(JobIndex index, Running& run) {
    const auto& job = workload_.jobs[index];
    const int share_milli = jobs_[index].share_milli;
    double energy = 0;
    if (share_milli > 0) {
      // Its GPU's energy also pays for the other shares there: the job is charged its share.
      energy = energy::Accountant::share_energy_j(accountant_.cluster_power(run.cluster).states,
                                                  run.power.state,
                                                  (now() - run.start_s) * share_of(index));
      core_.release_share(run.gpus.front(), share_milli, this);
      gpus_held_ -= allocation_.share_used(run.gpus.front()) == 0;
    } else if (!run.gpus.empty()) {
      gpus_held_ -= int(run.gpus.size());
      energy = accountant_.gpus_energy_since(run.gpus, run.energy_at_start_j);
      core_.release(run.gpus, this);
    }
    if (run.node >= 0) core_.release_host(run.node, job.cpu_milli, job.memory_mib, this);
    refresh_free(run.cluster);
    by_cluster_[run.cluster].erase({run.expected_end_s, index});
    core_.work_ended(run.dynamic_w);
    allocated_gpus_ -= job.num_gpus * share_of(index);
    return energy;
  }

  // GPU-seconds a run held and the seconds of it without progress (its restore), up to now.
  double run_gpu_s(JobIndex index, const Running& run) const {
    return (now() - run.start_s) * workload_.jobs[index].num_gpus * share_of(index);
  }
  double run_lost_s(const Running& run) const {
    const double work_start = run.segment.working ? run.segment.work_start_s : now();
    return work_start - run.start_s;
  }

  // Suspends a running job: it keeps the work done so far (SimGrid's own progress of its
  // activities) and goes back to waiting; its GPUs are free at once.
  void preempt_job(JobIndex index) {
    const auto it = running_.find(index);
    if (it == running_.end())
      throw std::logic_error("policy '" + config_.policy_name + "' preempted job '" +
                             workload_.jobs[index].id + "', which is not running");
    Running& run = it->second;
    auto [resumed, first] = resumed_.try_emplace(index);
    Resumed& r = resumed->second;
    if (first) r.first_start_s = run.start_s;
    r.done = std::min(1.0, r.done + run.work * run.segment.done_at(now()));
    r.attained_gpu_s += run_gpu_s(index, run);
    r.lost_s += run_lost_s(run);
    r.ran_s += now() - run.start_s;
    ++r.preemptions;
    r.cluster = run.cluster;
    r.gpus = run.gpus;
    run.actor->kill();
    run.segment.stop();
    r.energy_j += end_run(index, run);
    running_.erase(it);
    ++preemptions_;
    wait(index);
  }

  void finish_job(JobIndex index) {
    auto it = running_.find(index);
    Running& run = it->second;
    const auto& job = workload_.jobs[index];
    const double energy = end_run(index, run);

    report::JobRecord record;
    record.id = job.id;
    record.user = job.user.view();
    record.submit_s = job.submit_s;
    record.start_s = run.start_s;
    record.end_s = now();
    record.num_gpus = job.num_gpus;
    record.gpu_type = models_.names[models_.cluster_model[run.cluster]];
    record.hosts = report::index_ranges(run.gpus);
    record.energy_j = energy;
    record.gpu_fraction = share_of(index);
    record.attained_gpu_s = run_gpu_s(index, run);
    record.lost_work_s = run_lost_s(run);
    record.ran_s = now() - run.start_s;
    if (const auto r = resumed_.find(index); r != resumed_.end()) {
      record.start_s = r->second.first_start_s;
      record.energy_j += r->second.energy_j;
      record.attained_gpu_s += r->second.attained_gpu_s;
      record.lost_work_s += r->second.lost_s;
      record.ran_s += r->second.ran_s;
      record.preemptions = r->second.preemptions;
      resumed_.erase(r);
    }
    record.final_state = "COMPLETED";
    core_.job_ended(record);
    running_.erase(it);
    ++completed_;
    policy_->ended(index, now());
  }

  void record_rejected() {
    for (JobIndex i = 0; i < jobs_.size(); ++i) {
      if (!jobs_[i].rejected) continue;
      report::JobRecord record;
      record.id = workload_.jobs[i].id;
      record.user = workload_.jobs[i].user.view();
      record.submit_s = workload_.jobs[i].submit_s;
      record.num_gpus = workload_.jobs[i].num_gpus;
      if (workload_.jobs[i].gpu_milli > 0)
        record.gpu_fraction = workload_.jobs[i].gpu_milli / 1000.0;
      record.final_state = "REJECTED";
      core_.job_ended(record);
    }
  }

  // A job that waits for GPUs (arrived, or preempted): the earliest is the head of the queue
  // for the fragmentation metric, whatever the policy's own order.
  void wait(JobIndex job) {
    if (workload_.jobs[job].num_gpus > 0) waiting_.emplace(workload_.jobs[job].submit_s, job);
  }

  // Idle GPUs that cannot serve the earliest waiting job: the free GPUs of every cluster
  // where it does not fit now (its model not allowed there, or not enough free).
  int fragmented_gpus() const {
    if (waiting_.empty()) return 0;
    const sched::QueuedJob head = queued_job(waiting_.begin()->second);
    int idle = 0;
    for (const auto& c : clusters_)
      if (!sched::allows(head, c.model) || !sched::fits(head, {c.free_gpus, c.share_room_milli}))
        idle += c.free_gpus;
    return idle;
  }

  void record_state() {
    report::ClusterState s;
    s.time_s = now();
    int free = 0;
    for (const auto& c : clusters_) free += c.free_gpus;
    s.busy_gpus = total_gpus_ - free;
    s.total_gpus = total_gpus_;
    s.queued_jobs = int(policy_->queued());
    s.running_jobs = int(running_.size());
    s.allocated_gpus = allocated_gpus_;
    s.fragmented_gpus = fragmented_gpus();
    s.it_power_w = accountant_.it_power_w();
    s.facility_power_w = s.it_power_w * core_.facility_factor();
    core_.training_state(s);
  }

  Core& core_;
  const platform::Platform& platform_;
  const workload::Workload& workload_;
  const std::vector<perf::PreparedJob>& jobs_;
  const RunConfig& config_;
  energy::Accountant& accountant_;
  perf::ModelTable models_;
  const sched::AllocationState& allocation_;  // the core's: shared with every service
  std::shared_ptr<sched::Policy> policy_;
  std::shared_ptr<sched::Placement> placement_;
  const sim::SimPlatform& sim_;

  std::vector<sched::ClusterInfo> clusters_;
  std::vector<double> cluster_peak_;
  std::vector<const platform::DeviceSpec*> cluster_device_;
  std::vector<std::set<std::pair<double, JobIndex>>> by_cluster_;
  std::unordered_map<JobIndex, Running> running_;
  std::vector<Event> arrivals_;     // one per distinct submit time
  std::vector<Event> completions_;  // one per job
  Event gpus_freed_{Event::Kind::gpus_freed, 0, 0};
  Event round_{Event::Kind::round, 0, 0};
  Event alarm_{Event::Kind::alarm, 0, 0};
  Event budget_{Event::Kind::budget, 0, 0};
  double alarm_at_s_ = -1;
  bool at_round_ = false;  // the pass being made is a round's
  std::unordered_map<JobIndex, Resumed> resumed_;
  std::uint64_t preemptions_ = 0;
  std::set<std::pair<double, JobIndex>> waiting_;  // (submit time, job): GPU jobs not running
  double allocated_gpus_ = 0;                      // GPUs held by running jobs, shares by share
  std::vector<float> decision_s_;                  // wall seconds of each plan() call
  bool scheduling_ = false;                        // the scheduler is waiting for events
  bool has_pods_ = false;  // some job asks for CPUs or memory: policies see nodes
  std::vector<JobIndex> arrival_order_;
  sg4::Mailbox* mailbox_ = nullptr;
  int total_gpus_ = 0;
  int gpus_held_ = 0;  // by running jobs: whole GPUs, and GPUs holding any share
  std::size_t completed_ = 0;
  std::size_t messages_ = 0;
  std::size_t passes_ = 0;
  report::Progress progress_;
  RunOutcome outcome_;
};

}  // namespace

std::unique_ptr<TrainingService> make_training_service(Core& core,
                                                       const workload::Workload& workload,
                                                       const std::vector<perf::PreparedJob>& jobs,
                                                       const RunConfig& config) {
  return std::make_unique<Training>(core, workload, jobs, config);
}

}  // namespace suanli::sim
