# Shared helpers of the stoke scripts: messages, JDK selection, Maven, Docker and Redis set-up.
# Sourced, not run. Every ensure_* function is idempotent: it does nothing when all is there.

STOKE_HOME="${STOKE_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
STOKE_STATE="${STOKE_STATE:-$STOKE_HOME/.stoke}"
STOKE_CACHE="${STOKE_CACHE:-/var/cache/stoke}"

# JVM flags of the services as `./stoke up` runs them. The gateway is the data path: it keeps the
# full JIT (C2; C1 alone costs it ~3x the CPU per request). The control-plane services start
# faster and stay smaller with C1 only. The gateway benchmark runs with the gateway's flags.
GATEWAY_JVM_FLAGS=(-XX:+UseSerialGC -Xss512k -XX:MaxRAMPercentage=10)
SERVICE_JVM_FLAGS=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -XX:MaxRAMPercentage=10)
export STOKE_HOME STOKE_STATE STOKE_CACHE

if [[ -t 1 ]]; then BOLD=$'\e[1m'; DIM=$'\e[2m'; RED=$'\e[31m'; GREEN=$'\e[32m'; RESET=$'\e[0m'
else BOLD=""; DIM=""; RED=""; GREEN=""; RESET=""; fi

step() { printf '%s==>%s %s\n' "$BOLD" "$RESET" "$*"; }
info() { printf '    %s\n' "$*"; }
ok() { printf '    %s%s%s\n' "$GREEN" "$*" "$RESET"; }
die() { printf '%sstoke: %s%s\n' "$RED" "$*" "$RESET" >&2; exit 1; }

# Seconds since the epoch with milliseconds, for timing steps.
now_ms() { date +%s%3N; }

# Installs Debian packages, or says exactly what is missing when it cannot.
apt_install() {
  local packages=("$@")
  if [[ $(id -u) -ne 0 ]]; then
    die "missing ${packages[*]}; install them as root: apt-get install -y ${packages[*]}"
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    die "missing ${packages[*]}; this is not a Debian-like system, install them with its package manager"
  fi
  step "Installing ${packages[*]} (apt-get)"
  if [[ ! -f "$STOKE_STATE/.apt-updated" ]] || [[ -n $(find "$STOKE_STATE/.apt-updated" -mmin +720 2>/dev/null) ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq || die "apt-get update failed"
    mkdir -p "$STOKE_STATE" && touch "$STOKE_STATE/.apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null \
    || die "apt-get install ${packages[*]} failed"
}

java_major() { # JAVA_HOME → major version, or empty
  local release="$1/release"
  [[ -f "$release" ]] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
}

# Picks a JDK >= 21 (JAVA_HOME first, then the newest under /usr/lib/jvm) and exports JAVA_HOME.
require_java() {
  local candidate best="" best_major=0 major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [[ -n "$candidate" && -x "$candidate/bin/javac" ]] || continue
    major="$(java_major "$candidate")"
    [[ -n "$major" ]] || continue
    if [[ -n "${JAVA_HOME:-}" && "$candidate" == "$JAVA_HOME" && $major -ge 21 ]]; then best="$candidate"; break; fi
    if (( major >= 21 && major > best_major )); then best="$candidate"; best_major=$major; fi
  done
  [[ -n "$best" ]] || die "no JDK >= 21 found (JAVA_HOME=${JAVA_HOME:-unset}, /usr/lib/jvm has: $(ls /usr/lib/jvm 2>/dev/null | tr '\n' ' ')). Install a JDK 21+ (for example Temurin) and set JAVA_HOME."
  export JAVA_HOME="$best"
  JAVA="$JAVA_HOME/bin/java"
  export PATH="$JAVA_HOME/bin:$PATH"
}

# Runs the Maven Wrapper showing one line per module and every error, not the download noise.
mvnw_quiet() {
  (cd "$STOKE_HOME" && ./mvnw -B -ntp "$@") 2>&1 \
    | grep --line-buffered -E '^\[INFO\] Building |ERROR|FAIL|Tests run:.*Fail|BUILD' \
    | sed -u 's/^\[INFO\] /    /'
  return "${PIPESTATUS[0]}"
}

# True when any source under the given folders is newer than FILE.
sources_newer_than() {
  local file="$1"; shift
  [[ -n $(cd "$STOKE_HOME" && find "$@" -type f \( -name '*.java' -o -name 'pom.xml' -o -name '*.yml' -o -name '*.yaml' -o -name '*.properties' \) \
    -not -path '*/target/*' -newer "$file" -print -quit 2>/dev/null) ]]
}

docker_answers() { docker info >/dev/null 2>&1; }

# Makes sure a Docker engine answers: installs docker.io when absent and starts dockerd.
ensure_docker() {
  if [[ -n "${DOCKER_HOST:-}" && "$DOCKER_HOST" != unix://* ]]; then
    docker_answers || die "the Docker engine at DOCKER_HOST=$DOCKER_HOST does not answer"
    return
  fi
  if docker_answers; then return; fi
  if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    apt_install docker.io
  fi
  [[ $(id -u) -eq 0 ]] || die "the Docker engine is not running and only root can start it: sudo dockerd &"
  step "Starting the Docker engine"
  mkdir -p "$STOKE_STATE/logs"
  setsid nohup dockerd >"$STOKE_STATE/logs/dockerd.log" 2>&1 < /dev/null &
  local deadline=$((SECONDS + 60))
  until docker_answers; do
    (( SECONDS < deadline )) || die "dockerd did not answer within 60 s; see $STOKE_STATE/logs/dockerd.log"
    sleep 0.2
  done
  ok "Docker $(docker version --format '{{.Server.Version}}' 2>/dev/null) is answering"
}

# redis://[user:pass@]host:port[/db] → "host port"
redis_host_port() {
  local url="${1#redis://}"
  url="${url#*@}"; url="${url%%/*}"
  local host="${url%%:*}" port="${url##*:}"
  [[ "$port" == "$host" ]] && port=6379
  echo "$host $port"
}

redis_answers() {
  local host="$1" port="$2" reply=""
  { exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null || return 1
  printf 'PING\r\n' >&3
  IFS= read -r -t 2 reply <&3 || true
  exec 3>&- 3<&-
  [[ "$reply" == +PONG* || "$reply" == -NOAUTH* ]]
}

ensure_redis_binary() {
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
}

# Node and npm build the dashboard (dashboard/, run by Maven); a fresh machine may lack them.
ensure_node() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || apt_install nodejs npm
}

# Debian's Chromium runs the dashboard's end-to-end test (playwright-core drives it headless).
ensure_chromium() {
  [[ -x /usr/bin/chromium ]] || apt_install chromium
}

# Makes sure Redis answers at URL; a local address gets a redis-server started when needed.
ensure_redis() {
  local url="$1" host port
  read -r host port < <(redis_host_port "$url")
  if redis_answers "$host" "$port"; then return; fi
  case "$host" in
    127.0.0.1 | localhost) ;;
    *) die "Redis at $url does not answer (only a local Redis is started by stoke)" ;;
  esac
  ensure_redis_binary
  step "Starting redis-server on $host:$port"
  mkdir -p "$STOKE_STATE/redis" "$STOKE_STATE/logs"
  redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --dir "$STOKE_STATE/redis" \
    --appendonly yes --save "" --logfile "$STOKE_STATE/logs/redis.log" \
    --pidfile "$STOKE_STATE/redis/redis.pid" >/dev/null || die "redis-server failed to start; see $STOKE_STATE/logs/redis.log"
  local deadline=$((SECONDS + 20))
  until redis_answers "$host" "$port"; do
    (( SECONDS < deadline )) || die "redis-server did not answer within 20 s; see $STOKE_STATE/logs/redis.log"
    sleep 0.1
  done
  ok "Redis is answering at $url"
}

# Builds (or finds) the base images and exports STOKE_BASE_*.
ensure_bases() {
  bash "$STOKE_HOME/scripts/bases.sh" | sed -u 's/^/    /'
  [[ ${PIPESTATUS[0]} -eq 0 ]] || die "base images could not be prepared"
  set -a
  # shellcheck disable=SC1091
  source "$STOKE_CACHE/bases.env"
  set +a
}

# This checkout's installation id: every container its orchestrator makes is labelled
# io.stoke.installation=<id>, and `down`, `status` and the orchestrator itself touch only those, so
# other installations and test runs on the same Docker engine are left alone. Made once, then kept.
INSTALLATION_ID_FILE="$STOKE_STATE/installation-id"
installation_id() {
  if [[ ! -s "$INSTALLATION_ID_FILE" ]]; then
    mkdir -p "$STOKE_STATE"
    # "local-" + 8 hex digits: a valid stoke.installation-id, and never a test's "test-" prefix.
    echo "local-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')" >"$INSTALLATION_ID_FILE"
  fi
  cat "$INSTALLATION_ID_FILE"
}

# Removes the containers (function instances, exec activations) of one installation.
remove_function_containers() {
  local installation="$1"
  docker_answers || return 0
  local ids
  ids="$(docker ps -aq --filter "label=io.stoke.installation=$installation")"
  if [[ -n "$ids" ]]; then
    info "removing $(wc -w <<<"$ids") function container(s) of installation $installation"
    # shellcheck disable=SC2086
    docker rm -fv $ids >/dev/null 2>&1 || true
  fi
}

# Removes what test runs left (installations named test-*), never a platform's containers.
remove_test_containers() {
  docker_answers || return 0
  local ids
  ids="$(docker ps -a --filter label=io.stoke.installation --format '{{.ID}} {{.Label "io.stoke.installation"}}' \
    | awk '$2 ~ /^test-/ { print $1 }')"
  if [[ -n "$ids" ]]; then
    info "removing $(wc -w <<<"$ids") container(s) left by test runs"
    # shellcheck disable=SC2086
    docker rm -fv $ids >/dev/null 2>&1 || true
  fi
}
