#!/bin/sh
# Installs the dashboard's npm packages exactly as package-lock.json pins them, only when the lock
# changed since the last install: a rebuild then costs no network and no time.
set -eu
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is missing: install nodejs and npm (scripts/lib/common.sh does it with apt)" >&2
  exit 1
fi
want=$(sha256sum package-lock.json | cut -d' ' -f1)
marker=node_modules/.stoke-lock-sha256
if [ -f "$marker" ] && [ "$(cat "$marker")" = "$want" ]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$marker"
