#!/usr/bin/env bash
# Installs Debian's `chromium` (the browser the dashboard test loads the operator's page in,
# test/integration/operator/dashboard-browser.test.ts) and prints the path of its binary.
#
#   chromium="$(.ci/install-chromium.sh)"
#
# An installed chromium that runs is reused at once (no apt, no network): repeat runs cost a
# `chromium --version`. Otherwise it is installed from Debian's packages with apt-get, as root
# or through sudo without a password; apt keeps the .debs it fetched in /var/cache/apt/archives.
# The package lists are refreshed only when apt does not know the package yet. Without root
# and without sudo it stops with a message instead: chromium's shared libraries come from some
# forty other packages, which `apt-get download` + `dpkg -x` cannot resolve reliably.
# FEATUREJOB_CHROMIUM names a browser binary to use instead (checked the same way).
set -euo pipefail

# True when $1 is a chromium that starts and answers --version.
runs() {
  [ -x "$1" ] && "$1" --version >/dev/null 2>&1
}

if [ -n "${FEATUREJOB_CHROMIUM:-}" ]; then
  runs "$FEATUREJOB_CHROMIUM" || { echo "install-chromium: FEATUREJOB_CHROMIUM=$FEATUREJOB_CHROMIUM does not run" >&2; exit 1; }
  echo "$FEATUREJOB_CHROMIUM"
  exit 0
fi

for candidate in "$(command -v chromium 2>/dev/null || true)" /usr/bin/chromium; do
  if [ -n "$candidate" ] && runs "$candidate"; then
    echo "$candidate"
    exit 0
  fi
done

if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "install-chromium: chromium is not installed and installing it needs root or passwordless sudo:" >&2
  echo "  apt-get install chromium   (or set FEATUREJOB_CHROMIUM to a Chromium binary)" >&2
  exit 1
fi
command -v apt-get >/dev/null || { echo "install-chromium: no apt-get here: install chromium yourself" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
# apt-cache policy prints "Candidate: (none)" when the lists do not offer the package (yet).
if ! apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  echo "install-chromium: refreshing apt's package lists" >&2
  "${as_root[@]}" apt-get update -qq >&2
fi
echo "install-chromium: installing Debian's chromium" >&2
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >&2

runs /usr/bin/chromium || { echo "install-chromium: /usr/bin/chromium was installed but does not run" >&2; exit 1; }
echo /usr/bin/chromium
