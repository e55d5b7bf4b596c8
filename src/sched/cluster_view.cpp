#include "suanli/sched/cluster_view.hpp"

#include <stdexcept>

namespace suanli::sched {

double ClusterView::oracle_remaining_s(JobIndex /*job*/, int /*cluster*/) const {
  throw std::logic_error("this cluster view has no oracle (the policy's entry must say oracle)");
}

}  // namespace suanli::sched
