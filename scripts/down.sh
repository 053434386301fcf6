#!/usr/bin/env bash
# ./stoke down — stop the services `./stoke up` started and remove this installation's function
# containers.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

quiet=0
[[ "${1:-}" == "--quiet" ]] && quiet=1
PIDS_DIR="$STOKE_STATE/pids"
# Tells the supervisor of a running `./stoke up` that its services are being stopped, not crashing:
# it then restarts nothing and exits. `up` removes the marker when it starts.
mkdir -p "$PIDS_DIR"
touch "$PIDS_DIR/stopping"

stopped=0
# Gateway first, so no new work arrives while the others stop.
# Replicas (SERVICE-k) stop with their service.
for pidfile in $(for base in gateway api-server worker orchestrator state xds-control-plane stats-listener; do
  ls "$PIDS_DIR/$base.pid" "$PIDS_DIR/$base"-[0-9]*.pid 2>/dev/null; done); do
  svc="$(basename "$pidfile" .pid)"
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    # The gateway finishes its calls in flight first, for up to 2 min
    # (spring.lifecycle.timeout-per-shutdown-phase); the others stop within seconds.
    waits=100
    if [[ $svc == gateway* ]]; then
      waits=1300
      sleep 0.5
      kill -0 "$pid" 2>/dev/null && info "gateway: finishing the calls in flight (up to 2 min)"
    fi
    for _ in $(seq 1 $waits); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    info "stopped $svc"
    stopped=$((stopped + 1))
  fi
  rm -f "$pidfile"
done
[[ $stopped -gt 0 || $quiet == 1 ]] || info "no Stoke service was running"
# Only this checkout's containers: other installations and test runs may share the engine.
if [[ -s "$INSTALLATION_ID_FILE" ]]; then
  remove_function_containers "$(cat "$INSTALLATION_ID_FILE")"
fi

# The redis-server `up` started, and only that one (a Redis that was already running is left
# alone): stopped last. Its append-only file in $STOKE_STATE/redis keeps users, keys and user
# functions for the next `up`.
redis_pidfile="$STOKE_STATE/redis/redis.pid"
if [[ -f "$redis_pidfile" ]]; then
  pid="$(cat "$redis_pidfile")"
  if kill -0 "$pid" 2>/dev/null && grep -q redis-server "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    info "stopped redis-server (its data stays in $STOKE_STATE/redis)"
  fi
  rm -f "$redis_pidfile"
fi
