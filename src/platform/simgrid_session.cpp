#include "suanli/platform/simgrid_session.hpp"

#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

namespace suanli::platform {

SimgridSession::SimgridSession() {
  int argc = 3;
  char arg0[] = "suanli";
  char arg1[] = "--log=root.thresh:critical";
  char arg2[] = "--log=xbt_cfg.thresh:critical";
  char* argv[] = {arg0, arg1, arg2, nullptr};
  engine_ = std::make_unique<simgrid::s4u::Engine>(&argc, argv);
  simgrid::s4u::Engine::set_config("host/model:ptask_L07");
  // An actor per running job: small stacks without guard pages make creating one cheap (the
  // job actor body is shallow; see simgrid-3.32-notes.md).
  simgrid::s4u::Engine::set_config("contexts/stack-size:64");
  simgrid::s4u::Engine::set_config("contexts/guard-size:0");
  simgrid::s4u::Engine::set_config("contexts/factory:raw");
  sg_host_energy_plugin_init();
}

SimgridSession::~SimgridSession() = default;

}  // namespace suanli::platform
