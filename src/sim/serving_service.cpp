#include "suanli/sim/serving_service.hpp"

#include <simgrid/Exception.hpp>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "suanli/common/input_error.hpp"
#include "suanli/energy/accountant.hpp"
#include "suanli/energy/power_model.hpp"
#include "suanli/perf/llm_roofline.hpp"
#include "suanli/serving/kv_cache.hpp"
#include "suanli/serving/replica_scheduler.hpp"
#include "suanli/serving/router.hpp"

namespace suanli::sim {

namespace sg4 = simgrid::s4u;
using serving::SeqId;

namespace {

serving::BatchingMode batching_mode(serving::Scheduler scheduler) {
  switch (scheduler) {
    case serving::Scheduler::continuous:
      return serving::BatchingMode::continuous;
    case serving::Scheduler::continuous_chunked:
      return serving::BatchingMode::chunked;
    case serving::Scheduler::static_batch:
      return serving::BatchingMode::static_batch;
  }
  throw std::logic_error("unknown scheduler");
}

// SplitMix64's finaliser: spreads (trace block id, KV block within it) over 64 bits.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The trace's prefix ids cover blocks of `trace_block` tokens (Mooncake: 512); the KV cache
// pages blocks of `kv_block` tokens. KV block k (tokens [k*kv_block, (k+1)*kv_block)) lies in
// trace block k*kv_block / trace_block and gets a hash of that block's id and of its place in
// it; only full KV blocks inside the prompt and inside the hashed blocks get one. Equal trace
// ids give equal KV hashes, and the cache chains them, so only shared prefixes hit.
void kv_block_hashes(const workload::RequestWorkload& trace, const workload::Request& request,
                     int kv_block, std::vector<std::uint64_t>& out) {
  out.clear();
  if (request.hash_count == 0) return;
  const long long trace_block = trace.prefix_block_tokens;
  const long long hashed_tokens =
      std::min<long long>(request.prompt_tokens, trace_block * request.hash_count);
  const long long full = hashed_tokens / kv_block;
  out.reserve(std::size_t(full));
  for (long long k = 0; k < full; ++k) {
    const long long token = k * kv_block;
    const auto id = trace.hash_ids[request.hash_begin + std::size_t(token / trace_block)];
    out.push_back(mix(id ^ mix(std::uint64_t(token % trace_block))));
  }
}

struct Replica {
  int deployment = 0;
  int index = 0;  // within its deployment
  std::string name;
  std::vector<int> home;          // the GPUs it was placed on (global indices)
  std::vector<int> gpus;          // the GPUs it holds now: none while off
  std::vector<sg4::Host*> hosts;  // of `gpus` (of `home` while off), stage-major: stage s
                                  // holds hosts [s*tp, (s+1)*tp)
  std::unique_ptr<serving::KvCache> kv;
  std::unique_ptr<serving::ReplicaScheduler> scheduler;
  sg4::MutexPtr mutex;
  sg4::ConditionVariablePtr wake;
  bool sleeping = false;
  // Disaggregated deployments: a prefill replica computes prompts and first tokens only and
  // hands each request's KV cache to a decode replica, which decodes the rest.
  enum class Role : std::uint8_t { both, prefill, decode } role = Role::both;
  // Autoscaling: only `on` replicas take requests; `starting` ones load their weights (cold
  // start), `draining` ones finish what they hold, `off` ones have their GPUs powered off.
  enum class State : std::uint8_t { on, starting, draining, off } state = State::on;
  // Since when it holds `gpus` (-1: it holds none it has not been charged for), and what the
  // energy plugin had counted on them then: what serving used is charged per holding.
  double held_since_s = -1;
  double held_before_j = 0;
  int cluster = 0;  // of `gpus`: its power limit and power states
};

class Serving final : public ServingService {
 public:
  Serving(Core& core, const workload::RequestWorkload& trace,
          const std::vector<serving::Deployment>& deployments, const ServingConfig& config)
      : core_(core),
        platform_(core.platform()),
        trace_(trace),
        deployments_(deployments),
        config_(config),
        accountant_(core.accountant()),
        allocation_(core.allocation()),
        sim_(core.sim()) {
    deployment_of_ = route_to_deployments(trace, deployments);
    const std::size_t n = trace.requests.size();
    first_token_s_.assign(n, -1);
    energy_j_.assign(n, 0);
    prefix_hit_.assign(n, 0);
    preemptions_.assign(n, 0);
    last_scale_s_.assign(deployments.size(), -std::numeric_limits<double>::infinity());
    place_replicas();
    next_arrival_s_ = trace.requests.empty() ? kNever : trace.requests.front().arrival_s;
    update_barrier();
  }

  void start(Core& core) override {
    core.spawn("submitter", [this] { submit_all(); });
    for (auto& r : replicas_) {
      Replica* replica = r.get();
      core.spawn("replica-" + replica->name, [this, replica] { serve(*replica); });
    }
    if (config_.sample_seconds > 0)
      core.spawn(
          "sampler", [this] { sample_loop(); }, true);
  }

  void finish() override {
    for (auto& r : replicas_) charge(*r);
    if (finished_ + rejected_ != trace_.requests.size())
      throw std::runtime_error(fmt::format("the simulation stopped with {} of {} requests open",
                                           trace_.requests.size() - finished_ - rejected_,
                                           trace_.requests.size()));
    // The last row closes the period in which the run ended.
    write_sample(config_.beside_training ? Core::now() : makespan_s_);
  }

  ServingOutcome outcome() const override {
    ServingOutcome outcome;
    outcome.makespan_s = makespan_s_;
    outcome.replicas = int(replicas_.size());
    for (const auto& r : replicas_) outcome.preemptions += r->scheduler->preemptions();
    outcome.energy = energy_;
    return outcome;
  }

 private:
  // Every replica's home GPUs, placed now (serving-service.hpp): each pipeline stage tp GPUs
  // of one node, the first nodes with room in platform order, deployment after deployment.
  // Replicas that start off give theirs back to the pool at once.
  void place_replicas() {
    for (std::size_t d = 0; d < deployments_.size(); ++d) {
      const auto& dep = deployments_[d];
      const int tp = dep.parallelism.tp;
      const int prefill = dep.disaggregated ? dep.disaggregated->prefill_replicas : 0;
      // An autoscaled deployment gets home GPUs for its most replicas; those above
      // `initial` start off.
      const int count = dep.disaggregated           ? prefill + dep.disaggregated->decode_replicas
                        : dep.replicas.autoscaled() ? dep.replicas.max
                                                    : dep.replicas.initial;
      by_deployment_.resize(deployments_.size());
      decoders_.resize(deployments_.size());
      for (int i = 0; i < count; ++i) {
        auto replica = std::make_unique<Replica>();
        replica->deployment = int(d);
        replica->index = i;
        if (i >= dep.replicas.initial && dep.replicas.autoscaled())
          replica->state = Replica::State::off;
        if (dep.disaggregated) {
          replica->role = i < prefill ? Replica::Role::prefill : Replica::Role::decode;
          replica->name = i < prefill ? fmt::format("{}/p{}", dep.name, i)
                                      : fmt::format("{}/d{}", dep.name, i - prefill);
        } else {
          replica->name = fmt::format("{}/{}", dep.name, i);
        }
        replica->home = free_gpus_for(dep);
        if (replica->home.empty())
          throw InputError(
              located(dep.source, dep.line, "replicas",
                      fmt::format("deployment '{}': replica {} finds no node with {} free {} GPUs "
                                  "(replicas are placed deployment after deployment; the "
                                  "platform has {} {} GPUs in all)",
                                  dep.name, i + 1, tp, dep.gpu, gpus_of_model(dep), dep.gpu)));
        core_.acquire(replica->home);
        hold(*replica, replica->home);
        // Held for the whole run: replicas autoscaling never turns off (scale-down drains the
        // highest-index replica that is on, and never below `min`).
        if (!dep.replicas.autoscaled() || i < dep.replicas.min) core_.hold_for_run(replica->home);
        serving::SchedulerConfig sc;
        sc.mode = batching_mode(dep.scheduler);
        sc.max_batch = std::uint32_t(dep.max_batch);
        sc.max_batch_tokens = std::uint32_t(dep.max_batch_tokens);
        sc.chunk_tokens =
            std::uint32_t(dep.chunk_tokens > 0 ? dep.chunk_tokens : dep.max_batch_tokens);
        const bool prefix = dep.prefix_caching.value_or(!trace_.hash_ids.empty());
        replica->kv = std::make_unique<serving::KvCache>(
            std::uint32_t(dep.kv.blocks), std::uint32_t(dep.kv_block_tokens), prefix);
        replica->scheduler = std::make_unique<serving::ReplicaScheduler>(sc, *replica->kv);
        replica->mutex = sg4::Mutex::create();
        replica->wake = sg4::ConditionVariable::create();
        // Arrivals go to the replicas that take prompts; decode replicas get theirs from
        // the prefill replicas.
        if (replica->role == Replica::Role::decode)
          decoders_[d].push_back(replica.get());
        else
          by_deployment_[d].push_back(replica.get());
        replicas_.push_back(std::move(replica));
      }
      serving::RouterOptions options;
      options.seed = config_.seed + 1 + d;
      const auto* entry = serving::find_router(dep.router);
      if (!entry) throw std::logic_error("unknown router");
      routers_.push_back(entry->make(options));
      loads_.emplace_back(by_deployment_[d].size());
      // Decode replicas are chosen by least outstanding tokens (a request's prefix arrives
      // with it: no affinity to keep).
      decode_routers_.push_back(serving::find_router("least-tokens")->make(options));
      decode_loads_.emplace_back(decoders_[d].size());
    }
    for (auto& r : replicas_)
      if (r->state == Replica::State::off) {
        charge(*r);
        core_.release(r->gpus, this);
        r->gpus.clear();
      }
    total_gpus_ = platform_.total_gpus();
  }

  // GPUs for one replica of `dep`, free now: per pipeline stage tp GPUs of one node, the first
  // nodes of the deployment's clusters with room, in platform order; empty when they are not
  // all there.
  std::vector<int> free_gpus_for(const serving::Deployment& dep) const {
    const int tp = dep.parallelism.tp;
    std::vector<int> gpus;
    std::vector<int> nodes_taken;  // a stage takes a whole node's worth of room
    for (int stage = 0; stage < dep.parallelism.pp; ++stage) {
      bool found = false;
      for (int c : dep.clusters) {
        const auto& cluster = platform_.clusters[c];
        for (int n = 0; n < cluster.nodes && !found; ++n) {
          const int node = cluster.first_node + n;
          const int taken = int(std::count(nodes_taken.begin(), nodes_taken.end(), node)) * tp;
          if (allocation_.free_in_node(node) - taken < tp) continue;
          int skip = taken;  // the node's first free GPUs went to earlier stages
          for (int local = 0, got = 0; local < cluster.node.gpus && got < tp; ++local) {
            const int g = allocation_.gpu_of_node(node, local);
            if (!allocation_.gpu_free(g) || skip-- > 0) continue;
            gpus.push_back(g);
            ++got;
          }
          nodes_taken.push_back(node);
          found = true;
        }
        if (found) break;
      }
      if (!found) return {};
    }
    return gpus;
  }

  // The replica now holds `gpus` (already acquired from the core).
  void hold(Replica& r, std::vector<int> gpus) {
    r.gpus = std::move(gpus);
    r.hosts.clear();
    for (int g : r.gpus) r.hosts.push_back(sim_.gpu_hosts[std::size_t(g)]);
    if (!r.gpus.empty()) r.cluster = platform_.cluster_of_gpu(r.gpus.front());
    r.held_since_s = sg4::Engine::get_clock();
    r.held_before_j = accountant_.gpus_energy_j(r.gpus);
  }

  // Charges serving for the replica's GPUs since it took them, up to now: what the energy
  // plugin counted on them (idle and computing; the computing it does not see is added as
  // it happens), and their share of their nodes' static power (a node's static_w split
  // evenly over its GPUs). Called when the replica gives its GPUs back or stops serving.
  void charge(Replica& r) {
    if (r.held_since_s < 0) return;
    const double now = sg4::Engine::get_clock();
    energy_.gpu_j += accountant_.gpus_energy_since(r.gpus, r.held_before_j);
    energy_.node_static_j += accountant_.node_share_energy_j(r.gpus, now - r.held_since_s);
    r.held_since_s = -1;
  }

  int gpus_of_model(const serving::Deployment& dep) const {
    int total = 0;
    for (int c : dep.clusters) total += platform_.clusters[c].gpu_count();
    return total;
  }

  // --- arrivals ---

  void submit_all() {
    std::vector<std::uint64_t> hashes;
    for (std::size_t i = 0; i < trace_.requests.size(); ++i) {
      const auto& request = trace_.requests[i];
      sg4::this_actor::sleep_until(request.arrival_s);
      next_arrival_s_ = i + 1 < trace_.requests.size() ? trace_.requests[i + 1].arrival_s : kNever;
      update_barrier();
      const std::uint32_t d = deployment_of_[i];
      const auto& dep = deployments_[d];
      kv_block_hashes(trace_, request, dep.kv_block_tokens, hashes);
      auto& loads = loads_[d];
      const auto& replicas = by_deployment_[d];
      for (std::size_t k = 0; k < replicas.size(); ++k) loads[k] = load_of(*replicas[k]);
      int chosen =
          routers_[d]->choose({SeqId(i), std::uint32_t(request.prompt_tokens), hashes}, loads);
      // No replica on: one that is starting takes it (it serves after its cold start), else
      // an autoscaled deployment starts one (scale from zero).
      if (chosen < 0) chosen = starting_replica(d);
      if (chosen < 0) {
        reject(i, "no replica accepting");
        continue;
      }
      Replica& replica = *replicas[std::size_t(chosen)];
      // A prefill replica computes the prompt and the first token, nothing more.
      const auto output = replica.role == Replica::Role::prefill
                              ? std::uint32_t(1)
                              : std::uint32_t(request.output_tokens);
      const auto status = replica.scheduler->enqueue(SeqId(i), std::uint32_t(request.prompt_tokens),
                                                     output, hashes);
      if (status != serving::EnqueueStatus::accepted) {
        reject(i, serving::enqueue_status_name(status));
        continue;
      }
      if (replica.role == Replica::Role::prefill && request.output_tokens > 1) ++handovers_pending_;
      if (replica.sleeping) replica.wake->notify_all();
      autoscale(d);
    }
    arrivals_done_ = true;
    wake_sleepers(nullptr);
  }

  void reject(std::size_t i, std::string_view why) {
    const auto& request = trace_.requests[i];
    const std::string id = trace_.request_id(i);
    report::RequestRecord record;
    record.id = id;
    record.arrival_s = request.arrival_s;
    record.prompt_tokens = request.prompt_tokens;
    record.output_tokens = request.output_tokens;
    record.rejected_because = why;
    core_.request_ended(record);
    ++rejected_;
  }

  // --- replicas ---

  // The replica's loop. Its GPUs and their intra-node links are its own, so an iteration
  // whose traffic stays inside nodes takes a time known in advance (roofline + all-reduce
  // transfers, each alone on its links): such iterations are not run as SimGrid activities
  // but chained in this actor's own time, up to the next instant anything else could happen
  // (an arrival, a timeline sample), and only an iteration that crosses that instant is
  // slept in SimGrid. That is exact and ~100x faster on a request trace. An iteration whose
  // pipeline stages hand over between nodes (traffic that can meet other traffic), and every
  // iteration under --exec-model ptask, runs as SimGrid executions and communications.
  void serve(Replica& replica) {
    const auto& dep = deployments_[std::size_t(replica.deployment)];
    // Recomputed when the replica comes on: a scale-up may have taken other GPUs.
    bool in_simgrid =
        core_.exec_model() == sim::ExecModel::ptask || stages_cross_nodes(replica, dep);
    // Requests reach a decode replica when their KV transfer ends, an instant no barrier
    // knows in advance: replicas of a disaggregated deployment sleep every iteration in
    // SimGrid instead of chaining iterations in their own clock.
    const bool sleep_each = dep.disaggregated.has_value();
    std::vector<perf::SequenceWork> work;
    double now = sg4::Engine::get_clock();  // this replica's time, ahead of SimGrid's at most
                                            // to the next barrier
    if (replica.state == Replica::State::off) core_.park(replica.home);
    while (true) {
      if (replica.state == Replica::State::off) {
        if (all_input_done()) return;
        wait_for_work(replica);
        now = sg4::Engine::get_clock();
        continue;
      }
      if (replica.state == Replica::State::starting) {
        sg4::this_actor::sleep_until(std::max(now, sg4::Engine::get_clock()) +
                                     cold_start_seconds(dep));
        replica.state = Replica::State::on;
        in_simgrid =
            core_.exec_model() == sim::ExecModel::ptask || stages_cross_nodes(replica, dep);
        now = sg4::Engine::get_clock();
        continue;
      }
      if (replica.scheduler->idle()) {
        if (replica.state == Replica::State::draining) {
          sg4::this_actor::sleep_until(now);
          power_off(replica);
          continue;
        }
        // Requests may still come from KV transfers in flight (disaggregation).
        if (all_input_done()) {
          sg4::this_actor::sleep_until(now);  // so that SimGrid's clock reaches the makespan
          if (config_.beside_training && dep.replicas.autoscaled() &&
              replicas_on(std::size_t(replica.deployment)) > dep.replicas.min)
            power_off(replica);
          // Serving is done with it: whatever it holds on (for the run, beside training) is
          // not serving's energy any more.
          charge(replica);
          return;
        }
        wait_for_work(replica);
        // Its own time may be ahead of SimGrid's (iterations chained past the last arrival):
        // it is free again only then.
        now = std::max(now, sg4::Engine::get_clock());
        continue;
      }
      const serving::Batch batch = replica.scheduler->next_batch();
      for (const auto& a : batch.admitted)
        if (!a.recompute) prefix_hit_[a.seq] = a.prefix_hit_tokens;
      work.clear();
      long long new_tokens = 0;
      for (const auto& item : batch.items) {
        work.push_back({item.new_tokens, item.context_tokens});
        new_tokens += item.new_tokens;
      }
      auto cost = perf::iteration_cost(dep.llm, dep.device, dep.parallelism, work);
      // The iteration runs in the power state of its compute share: under a power limit, at
      // the clock the limit settles at for that share, where its compute part stretches and
      // its memory part does not (docs/model.md, "GPU power").
      const auto& states = accountant_.cluster_power(replica.cluster).states;
      const int state = states.state_for(cost.compute_share());
      if (states.clock(state) < 1) cost = perf::at_clock(cost, states.clock(state));
      double energy = 0;
      if (in_simgrid) {
        const double before = energy::Accountant::hosts_energy_j(replica.hosts);
        sg4::this_actor::sleep_until(now);
        for (auto* host : replica.hosts) Core::set_power_state(host, state);
        set_busy(replica, true);
        run_iteration(replica, dep, cost);
        set_busy(replica, false);
        energy = energy::Accountant::hosts_energy_j(replica.hosts) - before;
        now = sg4::Engine::get_clock();
      } else {
        const double comm = allreduce_seconds(dep, cost);
        const double end = now + dep.parallelism.pp * (cost.time_s + comm);
        if (sleep_each || end > barrier_s_) {
          sg4::this_actor::sleep_until(now);
          set_busy(replica, true);
          sg4::this_actor::sleep_until(end);
          set_busy(replica, false);
        }
        // The GPUs draw their state's power while computing and idle power otherwise; SimGrid's
        // energy plugin, seeing them idle, has the idle part, the accountant the rest.
        const double gpus = double(replica.hosts.size());
        const double computing = dep.parallelism.pp * cost.time_s;
        const double unseen =
            accountant_.add_unseen_compute(replica.cluster, state, gpus * computing);
        energy_.gpu_j += unseen;
        energy = unseen + energy::Accountant::idle_energy_j(states, gpus * (end - now));
        now = end;
      }
      // The iteration's GPU energy goes to its sequences by their share of its tokens.
      for (const auto& item : batch.items)
        energy_j_[item.seq] += energy * double(item.new_tokens) / double(new_tokens);

      const auto result = replica.scheduler->complete(batch);
      tokens_emitted_ += result.tokens_emitted;
      for (SeqId seq : result.first_tokens)
        if (first_token_s_[seq] < 0) first_token_s_[seq] = now;
      for (const auto& f : result.finished) {
        if (replica.role == Replica::Role::prefill && trace_.requests[f.seq].output_tokens > 1)
          hand_over(f, replica, now);
        else
          finish(f, replica, now);
      }
    }
  }

  // Disaggregation: the prompt's KV cache goes from the prefill replica's GPUs to a decode
  // replica's, rank to rank (same tp and pp on both sides), as SimGrid communications that
  // share the links they cross with everything else; the request joins the decode
  // replica's queue when the last byte has arrived.
  void hand_over(const serving::FinishedSeq& f, const Replica& from, double now) {
    const auto d = std::size_t(from.deployment);
    const auto& dep = deployments_[d];
    preemptions_[f.seq] += f.preemptions;
    auto& loads = decode_loads_[d];
    const auto& decoders = decoders_[d];
    for (std::size_t k = 0; k < decoders.size(); ++k) loads[k] = load_of(*decoders[k]);
    const auto& request = trace_.requests[f.seq];
    const int chosen =
        decode_routers_[d]->choose({f.seq, std::uint32_t(request.prompt_tokens), {}}, loads);
    if (chosen < 0) throw std::logic_error("no decode replica");
    Replica* to = decoders[std::size_t(chosen)];
    const auto bytes =
        std::uint64_t(std::ceil(double(request.prompt_tokens) *
                                perf::kv_bytes_per_token_per_gpu(dep.llm, dep.parallelism)));
    const Replica* source = &from;
    core_.spawn("kv-transfer", [this, source, to, seq = f.seq, bytes, now] {
      transfer(*source, *to, seq, bytes, now);
    });
  }

  void transfer(const Replica& from, Replica& to, SeqId seq, std::uint64_t bytes, double at) {
    sg4::this_actor::sleep_until(at);
    std::vector<sg4::CommPtr> comms;
    for (std::size_t k = 0; k < from.hosts.size(); ++k)
      comms.push_back(sg4::Comm::sendto_async(from.hosts[k], to.hosts[k], bytes));
    for (auto& c : comms) c->wait();
    const auto& request = trace_.requests[seq];
    std::vector<std::uint64_t> hashes;
    kv_block_hashes(trace_, request, deployments_[std::size_t(to.deployment)].kv_block_tokens,
                    hashes);
    const auto status = to.scheduler->enqueue_prefilled(
        seq, std::uint32_t(request.prompt_tokens), std::uint32_t(request.output_tokens), hashes);
    --handovers_pending_;
    if (status != serving::EnqueueStatus::accepted)
      reject(seq, serving::enqueue_status_name(status));
    wake_sleepers(&to);
  }

  // Wakes `to` if it sleeps (it has work now) and, once nothing more can arrive anywhere,
  // every sleeping replica so that it can end.
  void wake_sleepers(Replica* to) {
    if (to && to->sleeping) to->wake->notify_all();
    if (!all_input_done()) return;
    for (auto& r : replicas_)
      if (r->sleeping) r->wake->notify_all();
  }

  bool all_input_done() const { return arrivals_done_ && handovers_pending_ == 0; }

  serving::ReplicaLoad load_of(const Replica& r) const {
    const auto& s = *r.scheduler;
    return {s.outstanding_tokens(), std::uint32_t(s.waiting()), std::uint32_t(s.running()),
            s.kv_utilization(), r.state == Replica::State::on};
  }

  // --- autoscaling (docs/serving-model.md) ---

  // A replica of deployment d that is starting, else one just started if the deployment is
  // autoscaled and has one off; -1 when none.
  int starting_replica(std::size_t d) {
    const auto& replicas = by_deployment_[d];
    for (std::size_t k = 0; k < replicas.size(); ++k)
      if (replicas[k]->state == Replica::State::starting) return int(k);
    if (!deployments_[d].replicas.autoscaled()) return -1;
    return start_one_off(d);
  }

  // Starts the first replica of deployment d that is off and finds GPUs; its index, or -1.
  int start_one_off(std::size_t d) {
    const auto& replicas = by_deployment_[d];
    for (std::size_t k = 0; k < replicas.size(); ++k)
      if (replicas[k]->state == Replica::State::off && start(*replicas[k])) {
        last_scale_s_[d] = sg4::Engine::get_clock();
        return int(k);
      }
    return -1;
  }

  // Evaluated at arrivals and timeline samples (instants every replica has reached): one
  // step per cooldown. Up when the requests waiting per live replica (on or starting)
  // exceed scale_up_queue; down (the highest-index replica on drains, then powers off) when
  // the replicas on use less than scale_down_util of their KV cache on average.
  void autoscale(std::size_t d) {
    const auto& dep = deployments_[d];
    if (!dep.replicas.autoscaled()) return;
    const double now = sg4::Engine::get_clock();
    if (now - last_scale_s_[d] < dep.autoscale.cooldown_s) return;
    const auto& replicas = by_deployment_[d];
    int on = 0, live = 0, starting = 0;
    std::uint64_t waiting = 0;
    double kv = 0;
    Replica* off = nullptr;
    Replica* last_on = nullptr;
    for (Replica* r : replicas) {
      if (r->state == Replica::State::off && !off) off = r;
      if (r->state == Replica::State::on) {
        ++on;
        kv += r->scheduler->kv_utilization();
        last_on = r;
      }
      if (r->state == Replica::State::starting) ++starting;
      if (r->state == Replica::State::on || r->state == Replica::State::starting) {
        ++live;
        waiting += r->scheduler->waiting();
      }
    }
    if (off && live < dep.replicas.max && live > 0 &&
        double(waiting) / live > dep.autoscale.scale_up_queue) {
      start_one_off(d);  // waits for the next evaluation when no GPUs are free
    } else if (on > dep.replicas.min && starting == 0 && last_on &&
               kv / on < dep.autoscale.scale_down_util) {
      last_on->state = Replica::State::draining;
      if (last_on->sleeping) last_on->wake->notify_all();
      last_scale_s_[d] = now;
    }
  }

  // A scale-up (serving_service.hpp): false, and nothing changes, when the GPUs are not free.
  bool start(Replica& r) {
    const auto& dep = deployments_[std::size_t(r.deployment)];
    const bool home_free =
        std::all_of(r.home.begin(), r.home.end(), [&](int g) { return allocation_.gpu_free(g); });
    std::vector<int> gpus = home_free ? r.home : free_gpus_for(dep);
    if (gpus.empty()) return false;
    core_.unpark(r.home);
    core_.acquire(gpus);
    hold(r, std::move(gpus));
    r.state = Replica::State::starting;
    if (r.sleeping) r.wake->notify_all();
    return true;
  }

  int replicas_on(std::size_t d) const {
    int on = 0;
    for (const Replica* r : by_deployment_[d]) on += r->state == Replica::State::on;
    return on;
  }

  // Cold start: the replica reads its weights from storage at storage_bps.
  double cold_start_seconds(const serving::Deployment& dep) const {
    return dep.llm.weight_bytes() / (dep.autoscale.storage_bps / 8.0);
  }

  // Scale-down done: its GPUs go back to the pool, and its home GPUs are powered off while
  // nobody else holds them.
  void power_off(Replica& r) {
    charge(r);
    core_.park(r.home);
    core_.release(r.gpus, this);
    r.gpus.clear();
    r.state = Replica::State::off;
  }

  // Sleeps on the replica's condition variable until the submitter wakes it.
  void wait_for_work(Replica& replica) {
    std::unique_lock lock(*replica.mutex);
    replica.sleeping = true;
    replica.wake->wait(lock);
    replica.sleeping = false;
  }

  void set_busy(Replica& replica, bool busy) {
    busy_gpus_ += (busy ? 1 : -1) * int(replica.hosts.size());
  }

  bool stages_cross_nodes(const Replica& replica, const serving::Deployment& dep) const {
    const int tp = dep.parallelism.tp;
    for (int stage = 1; stage < dep.parallelism.pp; ++stage)
      if (replica.hosts[std::size_t(stage * tp)]->get_englobing_zone() !=
          replica.hosts[0]->get_englobing_zone())
        return true;
    return false;
  }

  // Latency of one hop between two GPUs of a node: up one GPU's link, down the other's.
  double intra_hop_latency(const serving::Deployment& dep) const {
    return 2 * platform_.clusters[std::size_t(dep.clusters.front())].node.intra.latency_s;
  }

  // One stage's tensor-parallel all-reduce, alone on its GPUs' links: the ring's bytes at the
  // link bandwidth, and one hop latency per ring step (2 (tp - 1) steps per all-reduce, two
  // all-reduces per layer). A pipeline hand-over inside a node adds its bytes and one hop.
  double allreduce_seconds(const serving::Deployment& dep, const perf::IterationCost& cost) const {
    const int tp = dep.parallelism.tp;
    const int pp = dep.parallelism.pp;
    const double bandwidth =
        platform_.clusters[std::size_t(dep.clusters.front())].node.intra.bandwidth_Bps;
    double seconds = 0;
    if (tp > 1 && cost.allreduce_bytes_per_gpu > 0)
      seconds += cost.allreduce_bytes_per_gpu / bandwidth +
                 2.0 * 2.0 * (tp - 1) * dep.llm.layers / pp * intra_hop_latency(dep);
    if (pp > 1 && cost.pp_send_bytes_per_gpu > 0)
      seconds += (cost.pp_send_bytes_per_gpu / bandwidth + intra_hop_latency(dep)) * (pp - 1) / pp;
    return seconds;
  }

  // One iteration: every pipeline stage in turn computes (its GPUs busy for the roofline
  // time: the execution's FLOPs are that time at the host's speed, so the energy plugin sees
  // the GPUs at full load), then its tensor-parallel ranks all-reduce (a ring: rank i sends
  // the bytes to rank i+1, over the links between them), then it hands the activations to
  // the next stage. No micro-batching: the stages of one iteration do not overlap.
  void run_iteration(Replica& replica, const serving::Deployment& dep,
                     const perf::IterationCost& cost) {
    const int tp = dep.parallelism.tp;
    const int pp = dep.parallelism.pp;
    for (int stage = 0; stage < pp; ++stage) {
      const auto first = replica.hosts.begin() + stage * tp;
      const std::vector<sg4::Host*> hosts(first, first + tp);
      compute(hosts, cost.time_s);
      if (tp > 1 && cost.allreduce_bytes_per_gpu > 0) {
        std::vector<double> matrix(std::size_t(tp * tp), 0.0);
        for (int i = 0; i < tp; ++i)
          matrix[std::size_t(i * tp + (i + 1) % tp)] = cost.allreduce_bytes_per_gpu;
        communicate(hosts, hosts, matrix);
        // The ring runs 2 (tp - 1) steps per all-reduce and 2 all-reduces per layer: the
        // transfer above paid one hop's latency, the other steps' are waited here.
        const double steps = 2.0 * 2.0 * (tp - 1) * dep.llm.layers / pp;
        const double latency = intra_hop_latency(dep);
        if (steps > 1 && latency > 0) sg4::this_actor::sleep_for((steps - 1) * latency);
      }
      if (stage + 1 < pp && cost.pp_send_bytes_per_gpu > 0) {
        const auto next = replica.hosts.begin() + (stage + 1) * tp;
        const std::vector<sg4::Host*> to(next, next + tp);
        std::vector<sg4::CommPtr> comms;
        for (int i = 0; i < tp; ++i)
          comms.push_back(sg4::Comm::sendto_async(hosts[std::size_t(i)], to[std::size_t(i)],
                                                  std::uint64_t(cost.pp_send_bytes_per_gpu)));
        for (auto& c : comms) c->wait();
      }
    }
  }

  void compute(const std::vector<sg4::Host*>& hosts, double seconds) {
    if (seconds <= 0) return;
    if (core_.exec_model() == sim::ExecModel::ptask) {
      std::vector<double> flops;
      for (auto* h : hosts) flops.push_back(seconds * h->get_speed());
      sg4::this_actor::exec_init(hosts, flops, std::vector<double>(hosts.size() * hosts.size(), 0))
          ->wait();
      return;
    }
    std::vector<sg4::ExecPtr> execs;
    for (auto* h : hosts) {
      execs.push_back(sg4::this_actor::exec_init(seconds * h->get_speed()));
      execs.back()->set_host(h);
      execs.back()->start();
    }
    for (auto& e : execs) e->wait();
  }

  // `matrix[i * n + j]`: bytes from hosts[i] to to[j].
  void communicate(const std::vector<sg4::Host*>& from, const std::vector<sg4::Host*>& to,
                   const std::vector<double>& matrix) {
    const std::size_t n = from.size();
    std::vector<sg4::CommPtr> comms;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        if (matrix[i * n + j] > 0)
          comms.push_back(
              sg4::Comm::sendto_async(from[i], to[j], std::uint64_t(matrix[i * n + j])));
    for (auto& c : comms) c->wait();
  }

  void finish(const serving::FinishedSeq& f, const Replica& replica, double now) {
    const auto& request = trace_.requests[f.seq];
    const std::string id = trace_.request_id(f.seq);
    report::RequestRecord record;
    record.id = id;
    record.arrival_s = request.arrival_s;
    record.first_token_s = first_token_s_[f.seq];
    record.end_s = now;
    record.prompt_tokens = request.prompt_tokens;
    record.output_tokens = request.output_tokens;
    record.replica = replica.name;
    record.preemptions = f.preemptions + preemptions_[f.seq];
    record.prefix_hit_tokens = prefix_hit_[f.seq];
    record.energy_j = energy_j_[f.seq];
    core_.request_ended(record);
    ++finished_;
    makespan_s_ = std::max(makespan_s_, now);
  }

  // --- timeline ---

  void sample_loop() {
    for (std::uint64_t k = 1;; ++k) {
      next_sample_s_ = double(k) * config_.sample_seconds;  // k x period: no drift
      update_barrier();
      sg4::this_actor::sleep_until(next_sample_s_);
      write_sample(sg4::Engine::get_clock());
      for (std::size_t d = 0; d < deployments_.size(); ++d) autoscale(d);
    }
  }

  // Replicas chain iterations on their own up to this instant (see serve()).
  void update_barrier() { barrier_s_ = std::min(next_arrival_s_, next_sample_s_); }

  void write_sample(double now) {
    const double period = now - last_sample_s_;
    if (period <= 0 && samples_ > 0) return;
    report::TimelineSample s;
    s.time_s = now;
    double kv = 0;
    for (const auto& r : replicas_) {
      s.running_requests += r->scheduler->running();
      s.queued_requests += r->scheduler->waiting();
      kv += r->scheduler->kv_utilization();
    }
    s.kv_cache_util = replicas_.empty() ? 0 : kv / double(replicas_.size());
    for (const auto& r : replicas_) s.replicas_on += r->state != Replica::State::off;
    const double energy = accountant_.gpu_energy_j();
    if (period > 0) {
      s.tokens_per_s = double(tokens_emitted_ - last_tokens_) / period;
      s.it_power_w = accountant_.mean_it_power_w(energy - last_energy_j_, period);
    } else {
      s.it_power_w = energy::idle_gpu_power_w(platform_) + accountant_.static_w();
    }
    s.facility_power_w = s.it_power_w * core_.facility_factor();
    s.busy_gpus = busy_gpus_;
    s.total_gpus = total_gpus_;
    core_.timeline_sample(s);
    core_.timeline_row(s);
    last_sample_s_ = now;
    last_tokens_ = tokens_emitted_;
    last_energy_j_ = energy;
    ++samples_;
  }

  Core& core_;
  const platform::Platform& platform_;
  const workload::RequestWorkload& trace_;
  const std::vector<serving::Deployment>& deployments_;
  const ServingConfig& config_;
  energy::Accountant& accountant_;
  const sched::AllocationState& allocation_;  // the core's: shared with every service
  const sim::SimPlatform& sim_;
  std::vector<std::uint32_t> deployment_of_;
  std::vector<std::unique_ptr<Replica>> replicas_;
  std::vector<std::vector<Replica*>> by_deployment_;
  std::vector<std::unique_ptr<serving::Router>> routers_;
  std::vector<std::vector<serving::ReplicaLoad>> loads_;
  std::vector<std::vector<Replica*>> decoders_;  // per deployment, disaggregated only
  std::vector<std::unique_ptr<serving::Router>> decode_routers_;
  std::vector<std::vector<serving::ReplicaLoad>> decode_loads_;
  // Requests accepted by a prefill replica that have not reached their decode replica yet:
  // until none is left, an idle decode replica must wait rather than end.
  std::size_t handovers_pending_ = 0;
  std::vector<double> last_scale_s_;  // per deployment: when it last scaled
  // Per request: fixed-size records.
  std::vector<double> first_token_s_;
  std::vector<double> energy_j_;
  std::vector<std::uint32_t> prefix_hit_;
  std::vector<std::uint32_t> preemptions_;  // on a prefill replica, before its hand-over
  bool arrivals_done_ = false;
  std::size_t finished_ = 0;
  std::size_t rejected_ = 0;
  double makespan_s_ = 0;
  ServingEnergy energy_;
  std::uint64_t tokens_emitted_ = 0;
  int busy_gpus_ = 0;
  int total_gpus_ = 0;
  double last_sample_s_ = 0;
  std::uint64_t last_tokens_ = 0;
  double last_energy_j_ = 0;
  std::uint64_t samples_ = 0;
  static constexpr double kNever = std::numeric_limits<double>::infinity();
  double next_arrival_s_ = 0;
  double next_sample_s_ = kNever;
  double barrier_s_ = 0;
};

}  // namespace

std::vector<std::uint32_t> route_to_deployments(
    const workload::RequestWorkload& requests,
    const std::vector<serving::Deployment>& deployments) {
  // Model names of the trace (few) mapped once to deployments.
  std::vector<int> by_model(requests.models.size(), -1);
  by_model[0] = 0;
  for (std::size_t m = 1; m < requests.models.size(); ++m)
    for (std::size_t d = 0; d < deployments.size() && by_model[m] < 0; ++d)
      if (platform::same_device_name(deployments[d].llm.name, requests.models[m]) ||
          platform::same_device_name(deployments[d].name, requests.models[m]) ||
          std::any_of(deployments[d].serves.begin(), deployments[d].serves.end(),
                      [&](const std::string& name) {
                        return platform::same_device_name(name, requests.models[m]);
                      }))
        by_model[m] = int(d);
  std::vector<std::uint32_t> out(requests.requests.size(), 0);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int d = by_model[requests.requests[i].model];
    if (d < 0)
      throw InputError(located(requests.source, requests.requests[i].line, "model",
                               fmt::format("no deployment serves model '{}' (list it under "
                                           "a deployment's serves:)",
                                           requests.models[requests.requests[i].model])));
    out[i] = std::uint32_t(d);
  }
  return out;
}

std::unique_ptr<ServingService> make_serving_service(
    Core& core, const workload::RequestWorkload& requests,
    const std::vector<serving::Deployment>& deployments, const ServingConfig& config) {
  return std::make_unique<Serving>(core, requests, deployments, config);
}

}  // namespace suanli::sim
