#!/usr/bin/env bash
# Lint (ctest lint/module_deps): every module includes only the modules it may depend on,
# and only energy, sim and cli include SimGrid. Scans src/<module>/*.cpp and
# include/suanli/<module>/*.hpp for #include "suanli/<other>/..." and <simgrid/...> (or
# <xbt/...>, SimGrid's toolbox), then checks that no scheduling-policy header reaches
# Boost.Graph through its includes (run through the preprocessor: $CXX, else c++).
# Prints file:line and the broken rule, and exits 1, on any violation.
# With --libs, checks the built libraries instead (ctest lint/module_links): no
# libsuanli_<module>.a refers to a symbol defined by a module it may not depend on, or to
# SimGrid unless it may use it (SimGrid's headers are on the system include path, so only
# this and the include check above stop a module from using it).
#   usage: tests/check_module_deps.sh [SOURCE_DIR [--libs LIB_DIR]]
#   (SOURCE_DIR defaults to the repository of this script)
set -uo pipefail
root=${1:-"$(dirname "$0")/.."}
libdir=
if [ "${2:-}" = --libs ]; then
  libdir=$(cd "${3:?--libs needs a directory}" && pwd) || exit 2
fi
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
  [sched]="common platform"
  [serving]="common perf platform"
  [energy]="platform simgrid"
  [report]="common"
  [sim]="common platform workload perf sched serving energy report simgrid"
  [cli]="common platform workload perf sched serving energy report sim simgrid"
)

failures=0
fail() {
  echo "$*"
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

# The libraries: which module defines each global symbol (nm, mangled), then every symbol a
# module's library refers to but does not define, with its object file.
if [ -n "$libdir" ]; then
  for m in "${modules[@]}"; do
    [ -f "$libdir/libsuanli_$m.a" ] || fail "$libdir/libsuanli_$m.a: missing (build first)"
  done
  for tool in nm c++filt; do command -v "$tool" >/dev/null || fail "--libs: needs $tool"; done
  ((failures)) && exit 1
  # "<module> <object> <dependency> <symbol>": the first reference per (module, dependency).
  while read -r m object dep sym; do
    if [ "$dep" = simgrid ]; then
      [[ " ${allowed[$m]} " == *" simgrid "* ]] && continue
      fail "libsuanli_$m.a[$object]: $m may not use SimGrid (only energy, sim and cli may):" \
        "$(c++filt "$sym")"
    elif [[ " ${allowed[$m]} " != *" $dep "* ]]; then
      fail "libsuanli_$m.a[$object]: $m may not use $dep (allowed: ${allowed[$m]:-nothing}):" \
        "$(c++filt "$sym")"
    fi
  done < <(for m in "${modules[@]}"; do
    nm --format=posix --defined-only "$libdir/libsuanli_$m.a" |
      awk -v m="$m" '$2 ~ /^[TDBR]$/ { print "D", m, "-", $1 }'
    nm --format=posix --undefined-only "$libdir/libsuanli_$m.a" |
      awk -v m="$m" '/^.*\[.*\]:$/ { o = $1; sub(/^.*\[/, "", o); sub(/\]:$/, "", o); next }
                     $2 == "U" { print "U", m, o, $1 }'
  done | awk '$1 == "D" { owner[$4] = $2; next }
              { refs[++n] = $0 }
              END {
                for (i = 1; i <= n; ++i) {
                  split(refs[i], f, " ")
                  dep = (f[4] in owner) ? owner[f[4]] : ""
                  if (dep == "" && f[4] ~ /7simgrid|^(sg|xbt|simgrid)_/) dep = "simgrid"
                  if (dep == "" || dep == f[2] || seen[f[2] " " dep]++) continue
                  print f[2], f[3], dep, f[4]
                }
              }')
  if ((failures)); then
    echo "check_module_deps --libs: $failures violation(s)"
    exit 1
  fi
  echo "check_module_deps --libs: ${#modules[@]} libraries OK"
  exit 0
fi

# Every module directory must be in the table.
for dir in src/*/ include/suanli/*/; do
  m=$(basename "$dir")
  [ -n "${allowed[$m]+x}" ] || fail "$dir: module '$m' is not in the table of $0"
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
  ((n == 0)) || fail "$h: reaches boost/graph ($n preprocessor lines): a sched header" \
    "declares platform::Topology; only a .cpp may include suanli/platform/topology.hpp"
done

if ((failures)); then
  echo "check_module_deps: $failures violation(s)"
  exit 1
fi
echo "check_module_deps: ${#modules[@]} modules OK"
