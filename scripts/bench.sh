#!/usr/bin/env bash
# ./stoke bench — runs the benchmark suite and writes docs/benchmarks.md. Every figure is printed by
# its benchmark, as a ratio to a baseline measured in the same run where one exists.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

OUT="$STOKE_HOME/docs/benchmarks.md"
RAW="$STOKE_STATE/bench"
mkdir -p "$RAW"
started=$SECONDS
ONLY=""         # --only TEXT: run only the benchmarks whose class name contains TEXT
REPORT_ONLY=0   # --report-only: rewrite docs/benchmarks.md from the last run's outputs
while [[ $# -gt 0 ]]; do
  case "$1" in
    --only) ONLY="$2"; shift 2 ;;
    --report-only) REPORT_ONLY=1; shift ;;
    *) die "bench: unknown option '$1' (--only TEXT, --report-only)" ;;
  esac
done

require_java
if [[ $REPORT_ONLY == 0 ]]; then
ensure_docker
ensure_redis_binary
# The gateway's benchmark drives load with wrk and measures nginx beside it as a reference proxy.
command -v wrk >/dev/null 2>&1 || apt_install wrk
# RUNLEVEL=1: the package's scripts install nginx without starting a system nginx on port 80.
command -v nginx >/dev/null 2>&1 || (RUNLEVEL=1 apt_install nginx) \
  || info "nginx could not be installed: the gateway's benchmark runs without its reference proxy"
# The state benchmark compares with ZooKeeper 3.8 from Debian's package, started below on loopback.
[[ -f /usr/share/java/zookeeper.jar ]] || (RUNLEVEL=1 apt_install zookeeper) \
  || info "zookeeper could not be installed: the state benchmark runs without its ZooKeeper baseline"
step "Preparing base images"
ensure_bases

step "Building (jars and test classes)"
mvnw_quiet -DskipTests -Dspotless.check.skip=true install || die "the build failed"
for module in orchestrator gateway stats-listener xds-control-plane system-tests state; do
  (cd "$STOKE_HOME" && ./mvnw -q -B -ntp -pl "$module" test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test -Dspotless.check.skip=true) \
    || die "preparing $module's benchmark failed"
done

# run NAME MODULE CLASS ARGS... — one benchmark, its output kept for the report. The gateway's
# benchmark hosts the gateway in its own JVM, so it runs with the gateway's deployed JVM flags.
run() {
  local name="$1" module="$2" class="$3"; shift 3
  [[ -z "$ONLY" || "$class" == *"$ONLY"* ]] || return 0
  step "$name"
  local dir="$STOKE_HOME/$module" flags=()
  [[ $module == gateway ]] && flags=("${GATEWAY_JVM_FLAGS[@]}")
  (cd "$dir" && timeout 1500 "$JAVA" "${flags[@]}" -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
    "$class" "$@") 2>"$RAW/$class.err" | grep --line-buffered -vE '^\s*$|^[0-9T:.-]+Z? +(INFO|DEBUG|WARN)|^ *(\.|/|\\|\(|'"'"'|=|::)' \
    | tee "$RAW/$class.out" | sed -u 's/^/    /'
  [[ ${PIPESTATUS[0]} -eq 0 ]] || { tail -n 20 "$RAW/$class.err" >&2; die "$name failed (log: $RAW/$class.err)"; }
}

run "Cold start: orchestrator vs bare docker run" orchestrator io.stoke.orchestrator.ColdStartBenchmark 10
run "Warm path: gateway vs calling the instance directly" gateway io.stoke.gateway.GatewayOverheadBenchmark ${STOKE_BENCH_GATEWAY_ARGS:-all 5}
run "Stats listener parse throughput" stats-listener io.stoke.stats.ParserThroughputBenchmark
run "xDS snapshots for 1000 functions" xds-control-plane io.stoke.xds.SnapshotBenchmark
run "The platform: cold start through the gateway, scale-up reaction, lost requests, memory" system-tests io.stoke.system.PlatformBenchmark 5
run "Exec activation through the gateway vs bare docker run -i --rm" system-tests io.stoke.system.ExecOverheadBenchmark 15

# start_zookeeper — Debian's ZooKeeper on a free loopback port with its own data dir; prints the port.
start_zookeeper() {
  local dir port
  dir=$(mktemp -d "$RAW/zookeeper.XXXXXX")
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  printf 'tickTime=2000\ndataDir=%s\nclientPort=%s\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n' \
    "$dir/data" "$port" >"$dir/zoo.cfg"
  "$JAVA" -cp /etc/zookeeper/conf:/usr/share/java/zookeeper.jar -Dzookeeper.root.logger=WARN,CONSOLE \
    org.apache.zookeeper.server.ZooKeeperServerMain "$dir/zoo.cfg" >"$dir/server.log" 2>&1 &
  echo "$! $port $dir"
}
if [[ -z "$ONLY" || io.stoke.state.StateBenchmark == *"$ONLY"* ]]; then
  zk_port=0 zk_pid=""
  if [[ -f /usr/share/java/zookeeper.jar ]]; then
    read -r zk_pid zk_port zk_dir < <(start_zookeeper)
    trap '[[ -n "$zk_pid" ]] && kill "$zk_pid" 2>/dev/null; rm -rf "$zk_dir"' EXIT
  fi
  run "State: get/put/CAS from a function container vs ZooKeeper and raw Redis; throughput" state \
    io.stoke.state.StateBenchmark 2000 "$zk_port"
  [[ -n "$zk_pid" ]] && kill "$zk_pid" 2>/dev/null; zk_pid=""
fi

fi

step "Writing $OUT"
{
  echo "# Stoke benchmarks"
  echo
  echo "Written by \`./stoke bench\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Every figure comes from the"
  echo "benchmark's own output below; where a baseline exists it was measured in the same run."
  echo
  echo "| machine | |"
  echo "| --- | --- |"
  echo "| CPU | $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) |"
  echo "| memory | $(free -h | awk '/Mem:/ {print $2}') |"
  echo "| kernel | $(uname -r) |"
  echo "| Docker engine | $(docker version --format '{{.Server.Version}}' 2>/dev/null) |"
  echo "| JDK | $("$JAVA" -version 2>&1 | head -1) |"
  echo "| load average at the start | $(cut -d' ' -f1-3 /proc/loadavg) |"
  echo
  section() {
    echo "## $1"
    echo
    echo "Goal: $2"
    echo
    echo '```'
    # Keep the figures, not the services' log lines; of a benchmark that ends in a summary of
    # what it printed along the way, only the summary.
    if grep -q '^Summary of all ' "$RAW/$3.out"; then
      sed -n '/^Summary of all /,$p' "$RAW/$3.out" | tail -n +2
    else
      cat "$RAW/$3.out"
    fi | grep -vE '^[0-9:.T-]+Z? *\[[^]]*\] (INFO|DEBUG|WARN|ERROR)|^[0-9T:.-]+Z? +(INFO|DEBUG|WARN|ERROR)' || true
    echo '```'
    echo
  }
  section "Cold start (demand → READY → first 200) vs bare \`docker run\` → first 200" \
    "ratio ≤ 1.15 at p50 and p90" io.stoke.orchestrator.ColdStartBenchmark
  section "Warm-path overhead of the gateway" \
    "≤ 1 ms p50 added; throughput ≥ 0.6 of calling the instance directly" io.stoke.gateway.GatewayOverheadBenchmark
  section "Stats listener: parse, map and aggregate on one core" "≥ 500,000 lines/s" io.stoke.stats.ParserThroughputBenchmark
  section "xDS: translate and publish 1000 functions × 3 endpoints; registry change → served" \
    "≤ 100 ms to build and publish" io.stoke.xds.SnapshotBenchmark
  section "The platform end to end" \
    "cold start through the gateway near a bare docker run; scale-up reaction − bare start ≤ 300 ms; 0 requests lost" \
    io.stoke.system.PlatformBenchmark
  section "Exec activations: invoke through the gateway vs bare \`docker run -i --rm\` of the same image" \
    "the platform adds a small, bounded cost to the container run itself (p50 difference printed)" \
    io.stoke.system.ExecOverheadBenchmark
  section "State service: get/put/CAS through the SDK inside a function container, vs ZooKeeper 3.8 and raw Redis" \
    "p50 ≤ ZooKeeper's for get, put and CAS (issue 16); ≥ 20,000 ops/s with concurrent clients" \
    io.stoke.state.StateBenchmark
} >"$OUT"
ok "docs/benchmarks.md written in $((SECONDS - started)) s"
