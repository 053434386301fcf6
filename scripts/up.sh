#!/usr/bin/env bash
# ./stoke up — set up what is missing and run the platform in the foreground.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib/services.sh"

GATEWAY_PORT="${STOKE_GATEWAY_PORT:-8080}"
REDIS_URL="${STOKE_REDIS_URL:-redis://127.0.0.1:6379}"
XDS_PORT="${STOKE_XDS_PORT:-18000}"
STATS_PORT="${STOKE_STATS_PORT:-8125}"
# The gateway's load reports get a UDP socket of their own, so a flood at STATS_PORT cannot drown them.
STATS_GATEWAY_PORT="${STOKE_STATS_GATEWAY_PORT:-8126}"
API_PORT="${STOKE_API_PORT:-8083}"
ORCHESTRATOR_PORT="${STOKE_ORCHESTRATOR_PORT:-8081}"
STATS_ADMIN_PORT="${STOKE_STATS_ADMIN_PORT:-8082}"
XDS_HTTP_PORT="${STOKE_XDS_HTTP_PORT:-18001}"
STATE_PORT="${STOKE_STATE_PORT:-8084}"
TLS="${STOKE_TLS:-0}"
DEFINITIONS="${STOKE_DEFINITIONS:-$STOKE_HOME/global-function-definition.yml}"
BUILD=1
EXTRA_GATEWAY_ARGS=()
# How many of each replicable service to run (replica k >= 2 is SERVICE-k on base port + 100*(k-1)).
GATEWAYS="${STOKE_GATEWAYS:-1}"
ORCHESTRATORS="${STOKE_ORCHESTRATORS:-1}"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) GATEWAY_PORT="$2"; shift 2 ;;
    --redis-url) REDIS_URL="$2"; shift 2 ;;
    --docker-host) export DOCKER_HOST="$2"; shift 2 ;;
    --xds-port) XDS_PORT="$2"; shift 2 ;;
    --stats-port) STATS_PORT="$2"; shift 2 ;;
    --stats-gateway-port) STATS_GATEWAY_PORT="$2"; shift 2 ;;
    --api-port) API_PORT="$2"; shift 2 ;;
    --orchestrator-port) ORCHESTRATOR_PORT="$2"; shift 2 ;;
    --stats-admin-port) STATS_ADMIN_PORT="$2"; shift 2 ;;
    --xds-http-port) XDS_HTTP_PORT="$2"; shift 2 ;;
    --state-port) STATE_PORT="$2"; shift 2 ;;
    --gateways) GATEWAYS="$2"; shift 2 ;;
    --orchestrators) ORCHESTRATORS="$2"; shift 2 ;;
    --tls) TLS=1; shift ;;
    --definitions) DEFINITIONS="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h | --help) "$STOKE_HOME/stoke" help; exit 0 ;;
    *) die "up: unknown option '$1' (see ./stoke help)" ;;
  esac
done

for count in "$GATEWAYS" "$ORCHESTRATORS"; do
  [[ $count =~ ^[1-9]$ ]] || die "up: --gateways and --orchestrators take a count from 1 to 9, not '$count'"
done
# SERVICE, SERVICE-2 ... SERVICE-N
replicas() { local k; echo "$1"; for ((k = 2; k <= $2; k++)); do echo "$1-$k"; done; }
mapfile -t SERVICES < <(echo stats-listener; echo xds-control-plane; echo state;
  replicas orchestrator "$ORCHESTRATORS"; echo api-server; replicas gateway "$GATEWAYS")
PIDS_DIR="$STOKE_STATE/pids"
# One folder per function holding its state socket; the orchestrator mounts a function's folder.
STATE_SOCKETS="$STOKE_STATE/state-sockets"
LOGS_DIR="$STOKE_STATE/logs"
mkdir -p "$PIDS_DIR" "$LOGS_DIR"
rm -f "$PIDS_DIR/stopping"
printf '%s\n' "${SERVICES[@]}" >"$PIDS_DIR/services"
started_at=$(now_ms)

require_java
info "JDK: $JAVA_HOME"

ensure_docker
ensure_redis "$REDIS_URL"
ensure_node

jar_of() { echo "$STOKE_HOME/$(service_base "$1")/target/stoke-$(service_base "$1").jar"; }

needs_build() {
  local svc
  for svc in "${SERVICES[@]}"; do
    [[ -f "$(jar_of "$svc")" ]] || return 0
    sources_newer_than "$(jar_of "$svc")" common "$svc" pom.xml && return 0
  done
  return 1
}

if [[ $BUILD == 1 ]] && needs_build; then
  step "Building Stoke (Maven; the first build downloads dependencies)"
  mvnw_quiet -DskipTests -Dspotless.check.skip=true package || die "the build failed (see the errors above)"
else
  info "jars are up to date"
fi

step "Preparing base images"
ensure_bases

# One internal secret per installation: the gateway proves with it to the api-server that the user
# it forwards was authenticated, the api-server to the orchestrator that an image check is its own.
# It travels in the services' settings files (mode 600), never on a command line or in the environment.
SECRET_FILE="$STOKE_STATE/internal-secret"
if [[ ! -s "$SECRET_FILE" ]]; then
  (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '/+=\n' >"$SECRET_FILE")
  info "generated the internal secret ($SECRET_FILE)"
fi
chmod 600 "$SECRET_FILE"
INTERNAL_SECRET="$(cat "$SECRET_FILE")"

# The gateway's Prometheus and metrics endpoints name every function and its load: they answer
# only Authorization: Bearer <this token> (scrape with bearer_token_file pointing at the file).
METRICS_TOKEN_FILE="$STOKE_STATE/metrics-token"
if [[ ! -s "$METRICS_TOKEN_FILE" ]]; then
  (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '/+=\n' >"$METRICS_TOKEN_FILE")
  info "generated the metrics token ($METRICS_TOKEN_FILE)"
fi
chmod 600 "$METRICS_TOKEN_FILE"

INSTALLATION_ID="$(installation_id)"
info "installation id: $INSTALLATION_ID ($INSTALLATION_ID_FILE)"

SCHEME=http
CURL_TLS=()
if [[ $TLS == 1 ]]; then
  step "HTTPS"
  TLS_DIR="$STOKE_STATE/tls"
  FINGERPRINT="$("$STOKE_HOME/scripts/tls.sh" "$TLS_DIR")" || die "the certificate could not be prepared"
  SCHEME=https
  CURL_TLS=(--cacert "$TLS_DIR/gateway.crt")
  EXTRA_GATEWAY_ARGS+=("--server.ssl.key-store=file:$TLS_DIR/gateway.p12" "--server.ssl.key-store-type=PKCS12")
  info "certificate: $TLS_DIR/gateway.crt (self-signed, SAN localhost and 127.0.0.1)"
  info "SHA-256 fingerprint: $FINGERPRINT"
fi

stop_services() {
  trap - INT TERM EXIT
  echo
  step "Stopping Stoke"
  "$STOKE_HOME/scripts/down.sh" --quiet
  exit 0
}
trap stop_services INT TERM EXIT

health_port() {
  echo $(($(base_port "$(service_base "$1")") + 100 * ($(service_replica "$1") - 1)))
}

base_port() {
  case "$1" in
    stats-listener) echo "$STATS_ADMIN_PORT" ;;
    xds-control-plane) echo "$XDS_HTTP_PORT" ;;
    orchestrator) echo "$ORCHESTRATOR_PORT" ;;
    state) echo "$STATE_PORT" ;;
    api-server) echo "$API_PORT" ;;
    gateway) echo "$GATEWAY_PORT" ;;
  esac
}

service_args() {
  local common=("--stoke.redis-url=$REDIS_URL" "--server.port=$(health_port "$1")" "--stoke.service-name=$1")
  # Only the gateway faces callers; every other service listens on loopback, out of reach of the
  # network and of function containers (which see the host through the bridge, not loopback).
  [[ "$(service_base "$1")" == gateway ]] || common+=("--server.address=127.0.0.1")
  case "$(service_base "$1")" in
    stats-listener) printf '%s\n' "${common[@]}" "--stoke.stats.port=$STATS_PORT" "--stoke.stats.bind=127.0.0.1" "--stoke.stats.gateway-port=$STATS_GATEWAY_PORT" ;;
    xds-control-plane) printf '%s\n' "${common[@]}" "--stoke.xds.port=$XDS_PORT" ;;
    orchestrator) printf '%s\n' "${common[@]}" "--stoke.definitions=$DEFINITIONS" "--stoke.functions-dir=$(dirname "$DEFINITIONS")/functions" \
      "--stoke.docker-host=${DOCKER_HOST:-unix:///var/run/docker.sock}" "--stoke.installation-id=$INSTALLATION_ID" "--stoke.state-socket-root=$STATE_SOCKETS" ;;
    # The state service's HTTP API is its own listener (no Spring web server): port and sockets.
    state) printf '%s\n' "${common[@]}" "--stoke.state.port=$(health_port state)" "--stoke.state.socket-root=$STATE_SOCKETS" ;;
    api-server) printf '%s\n' "${common[@]}" "--stoke.orchestrator-url=http://127.0.0.1:$(health_port orchestrator)" ;;
    gateway) printf '%s\n' "${common[@]}" "--stoke.gateway.mode=direct" "--management.statsd.metrics.export.port=$STATS_GATEWAY_PORT" "--stoke.api.url=http://127.0.0.1:$API_PORT" "${EXTRA_GATEWAY_ARGS[@]}" ;;
  esac
}

start_service() {
  local svc="$1" pidfile="$PIDS_DIR/$1.pid"
  if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    info "$svc is already running (pid $(cat "$pidfile"))"
    return
  fi
  # Run a copy: a rebuild while the platform runs must not swap the jar under a live JVM.
  mkdir -p "$STOKE_STATE/run"
  cp "$(jar_of "$svc")" "$STOKE_STATE/run/$svc.jar"
  { service_args "$svc" | sed 's/^--//'; service_secrets "$svc"; } | write_settings "$svc"
  local health="http://127.0.0.1:$(health_port "$svc")/actuator/health" cacert=""
  if [[ $(service_base "$svc") == gateway ]]; then health="$SCHEME://127.0.0.1:$(health_port "$svc")/actuator/health"; cacert="${CURL_TLS[1]:-}"; fi
  write_health "$svc" "$health" "$cacert"
  : >"$LOGS_DIR/$svc.log"
  launch_service "$svc"
}

# Settings that must not be seen on a command line or in the environment, and the offline base
# images (from bases.sh), so that every restart of the orchestrator builds images without a registry.
service_secrets() {
  case "$(service_base "$1")" in
    api-server)
      echo "stoke.internal-secret=$INTERNAL_SECRET"
      echo "stoke.metrics-token=$(cat "$METRICS_TOKEN_FILE")"
      ;;
    stats-listener) echo "stoke.metrics-token=$(cat "$METRICS_TOKEN_FILE")" ;;
    orchestrator)
      echo "stoke.internal-secret=$INTERNAL_SECRET"
      echo "stoke.metrics-token=$(cat "$METRICS_TOKEN_FILE")"
      echo "stoke.base.python=${STOKE_BASE_PYTHON:-}"
      echo "stoke.base.java-jre=${STOKE_BASE_JAVA_JRE:-}"
      echo "stoke.base.java-jdk=${STOKE_BASE_JAVA_JDK:-}"
      echo "stoke.base.minimal=${STOKE_BASE_MINIMAL:-}"
      ;;
    gateway)
      echo "stoke.api.internal-secret=$INTERNAL_SECRET"
      echo "stoke.gateway.metrics-token=$(cat "$METRICS_TOKEN_FILE")"
      # The dashboard's platform page checks these (the first replica of each).
      echo "stoke.dashboard.health.orchestrator=http://127.0.0.1:$ORCHESTRATOR_PORT/actuator/health"
      echo "stoke.dashboard.health.stats-listener=http://127.0.0.1:$STATS_ADMIN_PORT/actuator/health"
      echo "stoke.dashboard.health.xds-control-plane=http://127.0.0.1:$XDS_HTTP_PORT/actuator/health"
      echo "stoke.dashboard.health.state=http://127.0.0.1:$STATE_PORT/actuator/health"
      [[ $TLS == 1 ]] && echo "server.ssl.key-store-password=$(cat "$TLS_DIR/password")"
      ;;
  esac
  return 0
}

await_health() {
  local svc="$1" port deadline=$((SECONDS + 120))
  port="$(health_port "$svc")"
  local url="http://127.0.0.1:$port/actuator/health" tls=()
  if [[ $(service_base "$svc") == gateway ]]; then url="$SCHEME://127.0.0.1:$port/actuator/health"; tls=("${CURL_TLS[@]}"); fi
  until curl -fsS "${tls[@]}" "$url" >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$PIDS_DIR/$svc.pid")" 2>/dev/null; then
      tail -n 30 "$LOGS_DIR/$svc.log" >&2
      die "$svc exited during start-up; its log: $LOGS_DIR/$svc.log"
    fi
    (( SECONDS < deadline )) || die "$svc did not become healthy within 120 s; see $LOGS_DIR/$svc.log"
    sleep 0.2
  done
  ok "$svc is ready"
}

step "Starting services"
for svc in "${SERVICES[@]}"; do start_service "$svc"; done
for svc in "${SERVICES[@]}"; do await_health "$svc"; done

elapsed=$(( ($(now_ms) - started_at) / 100 ))
echo
printf '%sStoke is up%s in %d.%d s. Gateway: %s%s://127.0.0.1:%s%s\n' \
  "$BOLD" "$RESET" $((elapsed / 10)) $((elapsed % 10)) "$BOLD" "$SCHEME" "$GATEWAY_PORT" "$RESET"
curl_cmd="curl${CURL_TLS[*]:+ ${CURL_TLS[*]}}"
for ((k = 2; k <= GATEWAYS; k++)); do info "gateway-$k: $SCHEME://127.0.0.1:$(health_port "gateway-$k")"; done
info "try:   $curl_cmd $SCHEME://127.0.0.1:$GATEWAY_PORT/hello"
info "API:   $curl_cmd $SCHEME://127.0.0.1:$GATEWAY_PORT/api/v1/openapi.json   (README: Management API)"
info "load:  ./stoke load hello --profile step"
info "logs:  $LOGS_DIR/   Ctrl-C stops the platform and removes the function containers."

info "       A service that crashes is restarted; ./stoke restart SERVICE restarts one by hand."

# Stay in the foreground, restarting a service that exits, until we are told to stop (a signal,
# whose trap stops everything, or `./stoke down` from another shell, which stops it all itself).
supervise_services
trap - INT TERM EXIT
info "stopped by ./stoke down"
