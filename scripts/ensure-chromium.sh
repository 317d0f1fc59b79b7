#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser test when /usr/bin/chromium is missing.
# Quiet on success; on failure prints apt's last lines and exits non-zero (the test needs it).
set -euo pipefail
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  echo "[chromium] $("$CHROMIUM" --version 2>/dev/null | head -n1)"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=(sudo -n); else
  echo "[chromium] $CHROMIUM is missing and this user cannot install packages (not root, no passwordless sudo)" >&2
  exit 1
fi
log=$(mktemp)
echo "[chromium] installing Debian's chromium package"
for attempt in 1 2 3; do
  # apt may be busy (another install, unattended upgrades): wait for its lock, then retry.
  if "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 update -qq >"$log" 2>&1 &&
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -qq chromium >>"$log" 2>&1; then
    break
  fi
  [ "$attempt" -eq 3 ] && { tail -n 20 "$log" >&2; rm -f "$log"; exit 1; }
  sleep $((attempt * 5))
done
rm -f "$log"
[ -x "$CHROMIUM" ] || { echo "[chromium] installed, but $CHROMIUM is still missing" >&2; exit 1; }
echo "[chromium] $("$CHROMIUM" --version 2>/dev/null | head -n1)"
