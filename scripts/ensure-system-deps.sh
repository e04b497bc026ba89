#!/usr/bin/env bash
# System packages the test suite needs, from Debian: PostgreSQL server binaries (state
# backend tests start their own throwaway cluster) and Chromium with a CJK font (the
# browser sign-in test; playwright-core drives the system browser and never downloads
# one). Installed only when missing; needs root (as on CI and the dev machines).
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium fonts-wqy-microhei)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "!! missing system packages: ${need[*]} (apt-get install ${need[*]}); the tests that need them will fail and say so" >&2
  exit 0
fi
echo "installing ${need[*]} (Debian)…" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
