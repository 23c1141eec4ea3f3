#!/usr/bin/env bash
# Installs the Debian 12 packages that r1.cpp builds against. Safe to re-run:
# it installs only what is missing. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake git pkg-config
  libtorch-dev libopenblas0-pthread
  nlohmann-json3-dev libcli11-dev libfmt-dev
  libicu-dev
  libgtest-dev libgmock-dev
  libgmp-dev
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all packages present"
  exit 0
fi

sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd="sudo"
fi
echo "install_deps: installing ${missing[*]}"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
