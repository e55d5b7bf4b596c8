#include "suanli/sim/simgrid_session.hpp"

#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

namespace suanli::sim {

SimgridSession::SimgridSession(ExecModel model) {
  int argc = 3;
  char arg0[] = "suanli";
  char arg1[] = "--log=root.thresh:critical";
  char arg2[] = "--log=xbt_cfg.thresh:critical";
  char* argv[] = {arg0, arg1, arg2, nullptr};
  engine_ = std::make_unique<simgrid::s4u::Engine>(&argc, argv);
  if (model == ExecModel::ptask) {
    simgrid::s4u::Engine::set_config("host/model:ptask_L07");
  } else {
    // Plain max-min sharing, so that hand-derived times hold: no latency/bandwidth correction
    // factors (CM02), no TCP window limit (GPU traffic is RDMA), no acknowledgement traffic
    // on the reverse direction.
    simgrid::s4u::Engine::set_config("network/model:CM02");
    simgrid::s4u::Engine::set_config("network/TCP-gamma:0");
    simgrid::s4u::Engine::set_config("network/crosstraffic:0");
  }
  // An actor per running job: small stacks without guard pages make creating one cheap (the
  // job actor body is shallow; see simgrid-3.32-notes.md).
  simgrid::s4u::Engine::set_config("contexts/stack-size:64");
  simgrid::s4u::Engine::set_config("contexts/guard-size:0");
  simgrid::s4u::Engine::set_config("contexts/factory:raw");
  sg_host_energy_plugin_init();
}

SimgridSession::~SimgridSession() = default;

}  // namespace suanli::sim
