#!/usr/bin/env bash
# Installs suanli's build dependencies from Debian bookworm (idempotent: only what is missing)
# and builds it into build/. Run as root (or with sudo) from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config
  libsimgrid-dev                                   # SimGrid 3.32: the simulation kernel
  libboost-graph-dev libboost-program-options-dev  # topology graph, CLI
  libspdlog-dev libfmt-dev                         # logging, formatting
  nlohmann-json3-dev libyaml-cpp-dev               # summary.json, platform YAML
  libglpk-dev                                      # the LP of the gavel policies
  doctest-dev                                      # tests
  python3                                          # scripts/ (workload generator, bench)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)"
