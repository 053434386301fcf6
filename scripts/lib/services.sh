# Running Stoke's services from the settings `./stoke up` wrote: launch, health, stop, supervise.
# Sourced after common.sh by up.sh and by `./stoke restart`. Each service reads all its settings,
# secrets included, from $STOKE_STATE/settings/SERVICE.properties (mode 600), so a restart, by the
# supervisor or by hand, runs it exactly as `up` did, and no secret is on a command line or in the
# environment.

STOKE_SERVICES=(stats-listener xds-control-plane state orchestrator api-server gateway)

# The supervisor restarts a crashed service after 1, 2, 4 ... s, at most this many seconds apart.
STOKE_RESTART_BACKOFF_MAX="${STOKE_RESTART_BACKOFF_MAX:-30}"
# A crash within this many seconds of the service's start counts as a quick one ...
STOKE_RESTART_QUICK="${STOKE_RESTART_QUICK:-60}"
# ... and after this many quick crashes in a row the supervisor gives up on that service.
STOKE_RESTART_LIMIT="${STOKE_RESTART_LIMIT:-5}"

# Replica k (k >= 2) of a service is named SERVICE-k: it runs SERVICE's jar with settings of its own.
service_base() { if [[ $1 =~ ^(.*)-([0-9]+)$ ]]; then echo "${BASH_REMATCH[1]}"; else echo "$1"; fi; }
service_replica() { if [[ $1 =~ -([0-9]+)$ ]]; then echo "${BASH_REMATCH[1]}"; else echo 1; fi; }

# The services the running `./stoke up` started, replicas included, one a line (written by up.sh).
running_services() {
  if [[ -s "$STOKE_STATE/pids/services" ]]; then cat "$STOKE_STATE/pids/services"; else printf '%s\n' "${STOKE_SERVICES[@]}"; fi
}

settings_file() { echo "$STOKE_STATE/settings/$1.properties"; }
pid_file() { echo "$STOKE_STATE/pids/$1.pid"; }
log_file() { echo "$STOKE_STATE/logs/$1.log"; }

is_service() {
  local svc base
  base="$(service_base "$1")"
  for svc in "${STOKE_SERVICES[@]}"; do [[ "$svc" == "$base" ]] && return 0; done
  return 1
}

# Writes SERVICE's settings from `key=value` lines on stdin, readable by root only.
write_settings() {
  local file tmp
  file="$(settings_file "$1")"
  mkdir -p "$(dirname "$file")"
  tmp="$file.tmp"
  # Backslashes escape in a .properties file; nothing else in Stoke's values needs escaping.
  (umask 077 && sed 's/\\/\\\\/g' >"$tmp")
  mv "$tmp" "$file"
}

# Records how SERVICE's health is checked: its URL and, for HTTPS, the certificate to trust.
write_health() {
  printf '%s\n%s\n' "$2" "${3:-}" >"$STOKE_STATE/settings/$1.health"
}

service_healthy() {
  local url cacert tls=()
  { read -r url; read -r cacert; } <"$STOKE_STATE/settings/$1.health" || return 1
  [[ -n "$cacert" ]] && tls=(--cacert "$cacert")
  curl -fsS "${tls[@]}" "$url" >/dev/null 2>&1
}

# Starts SERVICE in the background from its jar copy and settings file; the log is appended to.
launch_service() {
  local svc="$1" flags=("${SERVICE_JVM_FLAGS[@]}")
  [[ $(service_base "$svc") == gateway ]] && flags=("${GATEWAY_JVM_FLAGS[@]}")
  mkdir -p "$STOKE_STATE/pids" "$STOKE_STATE/logs"
  setsid "$JAVA" "${flags[@]}" -jar "$STOKE_STATE/run/$svc.jar" \
    "--spring.config.additional-location=file:$(settings_file "$svc")" \
    >>"$(log_file "$svc")" 2>&1 </dev/null &
  echo $! >"$(pid_file "$svc")"
  date +%s >"$STOKE_STATE/pids/$svc.started"
  info "$svc started (pid $!, log $(log_file "$svc"))"
}

# Waits up to SECONDS for SERVICE to answer its health check; fails when it exits or times out.
await_service_health() {
  local svc="$1" deadline=$((SECONDS + $2)) pid
  pid="$(cat "$(pid_file "$svc")")"
  until service_healthy "$svc"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$(log_file "$svc")" >&2
      echo "stoke: $svc exited during start-up; its log: $(log_file "$svc")" >&2
      return 1
    fi
    if (( SECONDS >= deadline )); then
      echo "stoke: $svc did not become healthy within $2 s; see $(log_file "$svc")" >&2
      return 1
    fi
    sleep 0.2
  done
}

# Stops SERVICE: SIGTERM, then SIGKILL after 30 s (the gateway finishes its calls for up to 130 s).
# Returns once the process is gone, so a new one can bind its ports.
stop_one_service() {
  local svc="$1" pid waits=300
  pid="$(cat "$(pid_file "$svc")" 2>/dev/null)" || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  [[ $(service_base "$svc") == gateway ]] && waits=1300
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 "$waits"); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  info "$svc did not stop within $((waits / 10)) s of SIGTERM: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# How a process ended, from its wait status (127: not our child, e.g. restarted by hand).
describe_exit() {
  local status="$1"
  if (( status == 127 )); then echo "exit status unknown: not started by this ./stoke up"
  elif (( status > 128 )); then echo "killed by SIG$(kill -l $((status - 128)) 2>/dev/null || echo $((status - 128)))"
  else echo "exit status $status"; fi
}

# The foreground loop of `./stoke up`: restarts a service that exits, with the same settings, after
# an exponential backoff; gives up on a service after STOKE_RESTART_LIMIT quick crashes in a row
# while the others keep serving. Returns only through a signal (the caller's trap stops everything).
supervise_services() {
  local -A crashes=() retry_at=() gave_up=() recovering=()
  local svc pid services=()
  mapfile -t services < <(running_services)
  for svc in "${services[@]}"; do crashes[$svc]=0; done
  while true; do
    for svc in "${services[@]}"; do
      # `./stoke down` from another shell is stopping the platform: stop supervising, restart nothing.
      [[ ! -e "$STOKE_STATE/pids/stopping" ]] || return 0
      [[ -z "${gave_up[$svc]:-}" ]] || continue
      # `./stoke restart` has this one in hand.
      [[ ! -e "$STOKE_STATE/pids/$svc.restarting" ]] || continue
      if [[ -n "${retry_at[$svc]:-}" ]]; then
        (( SECONDS >= ${retry_at[$svc]} )) || continue
        unset "retry_at[$svc]"
        launch_service "$svc"
        recovering[$svc]=1
        continue
      fi
      pid="$(cat "$(pid_file "$svc")" 2>/dev/null || true)"
      if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        if [[ -n "${recovering[$svc]:-}" ]] && service_healthy "$svc"; then
          unset "recovering[$svc]"
          ok "$svc is healthy again (pid $pid)"
        fi
        continue
      fi
      note_crash "$svc" "$pid"
    done
    sleep 1 &
    wait $! || true
  done
}

# Part of supervise_services (uses its arrays): logs a service's exit and schedules its restart.
note_crash() {
  local svc="$1" pid="$2" status ran delay
  status=127
  [[ -n "$pid" ]] && { wait "$pid" 2>/dev/null && status=0 || status=$?; }
  ran=$(($(date +%s) - $(cat "$STOKE_STATE/pids/$svc.started" 2>/dev/null || date +%s)))
  if (( ran < STOKE_RESTART_QUICK )); then crashes[$svc]=$((crashes[$svc] + 1)); else crashes[$svc]=1; fi
  printf '%sstoke: %s stopped (%s) after %d s; the last lines of %s:%s\n' \
    "$RED" "$svc" "$(describe_exit "$status")" "$ran" "$(log_file "$svc")" "$RESET" >&2
  tail -n 15 "$(log_file "$svc")" | sed 's/^/      | /' >&2
  if (( crashes[$svc] >= STOKE_RESTART_LIMIT )); then
    gave_up[$svc]=1
    printf '%sstoke: giving up on %s after %d quick crashes in a row; the other services keep serving. Fix it, then: ./stoke restart %s%s\n' \
      "$RED" "$svc" "${crashes[$svc]}" "$svc" "$RESET" >&2
    return
  fi
  delay=$((1 << (crashes[$svc] - 1)))
  (( delay <= STOKE_RESTART_BACKOFF_MAX )) || delay=$STOKE_RESTART_BACKOFF_MAX
  retry_at[$svc]=$((SECONDS + delay))
  info "restarting $svc in $delay s with the same settings (quick crash ${crashes[$svc]} of $STOKE_RESTART_LIMIT in a row)"
}
