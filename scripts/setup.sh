#!/usr/bin/env bash
# Installs, from Debian's archive, whatever Lona's build and tests need and this machine lacks.
# Quiet and fast when everything is already there (the common case: `make` calls it every time).
# `setup.sh bench` also installs the peers that `make bench` measures against (BEAM, CAF).
set -euo pipefail

packages=(
  cmake ninja-build g++ clang clang-format clang-tidy libclang-rt-14-dev
  flatbuffers-compiler libflatbuffers-dev python3-flatbuffers
  libarchive-dev libgtest-dev libgmock-dev libbenchmark-dev libabsl-dev
  libedit-dev python3
  lua5.4  # make bench compares with the Lua peer (../shared/peers/fib.lua)
)
if [ "${1:-}" = bench ]; then
  packages+=(erlang-nox libcaf-dev)  # the BEAM and CAF peers of scripts/bench_peers.sh
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
