#!/usr/bin/env bash
# Lint (ctest lint/module_deps): every module includes only the modules it may depend on,
# and only energy, sim and cli include SimGrid. Scans src/<module>/*.cpp and
# include/suanli/<module>/*.hpp for #include "suanli/<other>/..." and <simgrid/...> (or
# <xbt/...>, SimGrid's toolbox), then checks that no scheduling-policy header reaches
# Boost.Graph through its includes (run through the preprocessor: $CXX, else c++).
# Prints file:line and the broken rule, and exits 1, on any violation.
#   usage: tests/check_module_deps.sh [SOURCE_DIR]   (default: the repository of this script)
set -uo pipefail
root=${1:-"$(dirname "$0")/.."}
cd "$root" || exit 2

# The allowed dependencies, one line per module; "simgrid" means it may include SimGrid.
# Modules are listed bottom-up, and a module may only depend on modules listed above it,
# so the table has no loop. CMakeLists.txt links each suanli_<module> the same way.
modules=(common platform workload perf sched serving energy report sim cli)
declare -A allowed=(
  [common]=""
  [platform]="common"
  [workload]="common platform"
  [perf]="common platform workload"
  [sched]="platform"
  [serving]="common perf platform"
  [energy]="platform simgrid"
  [report]="common"
  [sim]="common platform workload perf sched serving energy report simgrid"
  [cli]="common platform workload perf sched serving energy report sim simgrid"
)

failures=0
fail() {
  echo "$1"
  failures=$((failures + 1))
}

# The table itself: known modules only, each depending on modules below it.
declare -A rank=()
for i in "${!modules[@]}"; do rank[${modules[$i]}]=$i; done
for m in "${modules[@]}"; do
  for dep in ${allowed[$m]}; do
    [ "$dep" = simgrid ] && continue
    if [ -z "${rank[$dep]+x}" ] || ((rank[$dep] >= rank[$m])); then
      fail "check_module_deps.sh: table: $m may not depend on $dep (not a module below it)"
    fi
  done
done

# Every module directory must be in the table.
for dir in src/*/ include/suanli/*/; do
  m=$(basename "$dir")
  [ -n "${allowed[$m]+x}" ] || fail "$dir: module '$m' is not in the table of tests/check_module_deps.sh"
done

include_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]'
for m in "${modules[@]}"; do
  files=()
  for f in src/"$m"/*.cpp include/suanli/"$m"/*.hpp; do [ -f "$f" ] && files+=("$f"); done
  ((${#files[@]})) || continue
  # file:line:text of every include of a suanli module or of SimGrid.
  while IFS=: read -r file line text; do
    loc=$file:$line
    if [[ $text =~ [\<\"]suanli/([A-Za-z0-9_]+)/ ]]; then
      dep=${BASH_REMATCH[1]}
      [ "$dep" = "$m" ] && continue
      [[ " ${allowed[$m]} " == *" $dep "* ]] && continue
      fail "$loc: $m may not include $dep (allowed: ${allowed[$m]:-nothing}): $text"
    else
      [[ " ${allowed[$m]} " == *" simgrid "* ]] && continue
      fail "$loc: $m may not include SimGrid (only energy, sim and cli may): $text"
    fi
  done < <(grep -HnE "${include_re}(suanli/|simgrid/|simgrid\\.h|xbt/|xbt\\.h)" "${files[@]}")
done

# Light headers: a scheduling policy sees no Boost.Graph (Topology is only declared there).
cxx=${CXX:-c++}
for h in include/suanli/sched/*.hpp; do
  name=${h#include/}
  if ! out=$(echo "#include \"$name\"" | "$cxx" -std=c++20 -Iinclude -x c++ -E - 2>&1); then
    fail "$h: does not preprocess on its own with $cxx: $(head -n 3 <<<"$out")"
    continue
  fi
  n=$(grep -c 'boost/graph' <<<"$out")
  ((n == 0)) || fail "$h: reaches boost/graph ($n preprocessor lines): a sched header may not include suanli/platform/topology.hpp"
done

if ((failures)); then
  echo "check_module_deps: $failures violation(s)"
  exit 1
fi
echo "check_module_deps: ${#modules[@]} modules OK"
