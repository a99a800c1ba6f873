#!/usr/bin/env bash
# Prepare a fresh Debian/Ubuntu machine for setsim: system packages (Jupyter, SciPy for the
# reference benchmarks, fonts for figures, strace for the tasks' no-DNS test, chromium for the HTML report, web app and Jupyter UI tests, redis-server for the queue tests), npm packages (pinned
# by package-lock.json; install scripts off, so onnxruntime-node never tries to download CUDA), and
# the converted offline models.
# Safe to run again: each step skips what is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(python3-nbclient python3-nbformat python3-ipykernel jupyter-core jupyter-client strace
  python3-scipy python3-numpy fonts-dejavu-core chromium redis-server jupyter-notebook)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "bootstrap: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "bootstrap: please install these Debian packages (as root): apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

# npm ci wipes node_modules; skip it when the lockfile has not changed since the last install.
stamp=node_modules/.setsim-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "bootstrap: npm ci" >&2
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

export PATH="$PWD/node_modules/.bin:$PATH" NO_COLOR=1
deno task setup
