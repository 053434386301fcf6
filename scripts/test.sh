#!/usr/bin/env bash
# ./stoke test — the whole suite: unit tests, and integration tests against the real Docker
# engine and a real redis-server, with everything they need installed and started first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

started=$SECONDS
require_java
info "JDK: $JAVA_HOME"
ensure_docker
ensure_redis_binary
# The dashboard is built with npm; DashboardIT drives it in headless Chromium.
ensure_node
ensure_chromium
command -v python3 >/dev/null 2>&1 || apt_install python3
command -v curl >/dev/null 2>&1 || apt_install curl
# ComposeIT checks and runs the compose file with docker-compose (v1, a Debian package).
command -v docker-compose >/dev/null 2>&1 || apt_install docker-compose
step "Preparing base images"
ensure_bases

# Containers left by an earlier test run that was cut off. Every test run labels its containers
# with an installation id of its own (test-*); a platform's (`./stoke up`) are never touched.
remove_test_containers

step "Running the test suite (./mvnw verify)"
set +e
(cd "$STOKE_HOME" && ./mvnw -B -ntp verify "$@") 2>&1 | tee "$STOKE_STATE/test.log" \
  | grep --line-buffered -vE '^\[INFO\] (Download|Copying|Using|Changes detected|Recompiling|No sources|skip non existing|Building jar|Replacing|Installing|--- |$)'
status=${PIPESTATUS[0]}
set -e
remove_test_containers
echo "Test suite finished in $((SECONDS - started)) s with exit code $status (full log: $STOKE_STATE/test.log)"
exit "$status"
