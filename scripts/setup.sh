#!/usr/bin/env bash
# Set-up on a fresh Debian or Ubuntu machine, idempotent:
#   bash scripts/setup.sh          nginx, npm dependencies, build          (enough for `npm run demo`)
#   bash scripts/setup.sh --tests  also Chromium, pre-commit, and the offline VS Code the tests run in
#                                  (with the build tools it needs), before any test: the unit tests
#                                  read the Lua grammar it ships
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
have_package() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
have_package nginx || packages+=(nginx)
if [ "${1:-}" = "--tests" ]; then
  for package in chromium libkrb5-dev pkg-config build-essential python3 pre-commit; do
    have_package "$package" || packages+=("$package")
  done
fi

if [ ${#packages[@]} -gt 0 ]; then
  echo "setup: installing ${packages[*]} (Debian packages)"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
fi
# Debian starts the system nginx on install; nginx-ws never uses it (tests run their own on free ports).

echo "setup: npm ci"
npm ci --no-audit --no-fund --loglevel=error
echo "setup: build"
npm run --silent build
if [ "${1:-}" = "--tests" ]; then
  echo "setup: the offline VS Code (code-server)"
  node scripts/install-vscode.mjs
fi
echo "setup: done"
