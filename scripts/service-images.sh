#!/usr/bin/env bash
# Builds the images of Stoke's own services for docker-compose, where no registry is reachable:
#   stoke-base/java-server:21  minimal Debian + a jlinked Java runtime with what Spring Boot needs
#                              (used when eclipse-temurin:21-jre cannot be pulled)
#   stoke-base/redis:7-r2      minimal Debian + Debian's redis-server (when redis:7.4-bookworm
#                              cannot be pulled)
#   stoke/<service>:latest     each service's Dockerfile on that base (jars must be built first)
# Prints STOKE_JAVA_BASE=… and STOKE_REDIS_IMAGE=… last, for docker-compose's environment.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

require_java
ensure_bases >/dev/null
SERVER_LOCAL=stoke-base/java-server:21
# The tag names the recipe below: change it when the recipe changes.
REDIS_LOCAL=stoke-base/redis:7-r2
SERVER_MODULES=java.se,jdk.unsupported,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.management,jdk.management.agent,jdk.naming.dns,jdk.zipfs,jdk.httpserver,jdk.net,jdk.jfr

pick() { # public local → the image to use, building nothing
  if docker image inspect "$1" >/dev/null 2>&1; then echo "$1"; return; fi
  if timeout 20 docker pull -q "$1" >/dev/null 2>&1; then echo "$1"; return; fi
  echo "$2"
}

java_base="$(pick eclipse-temurin:21-jre "$SERVER_LOCAL")"
if [[ "$java_base" == "$SERVER_LOCAL" ]] && ! docker image inspect "$SERVER_LOCAL" >/dev/null 2>&1; then
  step "Building $SERVER_LOCAL (jlink from $JAVA_HOME)"
  work="$(mktemp -d)"
  "$JAVA_HOME/bin/jlink" --add-modules "$SERVER_MODULES" --strip-debug --no-header-files \
    --no-man-pages --output "$work/jre"
  printf 'FROM %s\nCOPY jre /opt/java\nENV JAVA_HOME=/opt/java PATH=/opt/java/bin:$PATH\n' \
    "$STOKE_BASE_MINIMAL" >"$work/Dockerfile"
  docker build -q -t "$SERVER_LOCAL" "$work" >/dev/null
  rm -rf "$work"
fi

redis_image="$(pick redis:7.4-bookworm "$REDIS_LOCAL")"
if [[ "$redis_image" == "$REDIS_LOCAL" ]] && ! docker image inspect "$REDIS_LOCAL" >/dev/null 2>&1; then
  step "Building $REDIS_LOCAL (Debian's redis-server)"
  printf 'FROM %s\nRUN apt-get update -qq && apt-get install -y -qq --no-install-recommends redis-server && rm -rf /var/lib/apt/lists/* \\\n && mkdir -p /data && chown redis:redis /data\nWORKDIR /data\nUSER redis\n' \
    "$STOKE_BASE_MINIMAL" | docker build -q -t "$REDIS_LOCAL" - >/dev/null
fi

for svc in stats-listener xds-control-plane state orchestrator api-server gateway; do
  [[ -f "$STOKE_HOME/$svc/target/stoke-$svc.jar" ]] || die "$svc/target/stoke-$svc.jar is missing: run ./mvnw -DskipTests package first"
  step "Building stoke/$svc"
  docker build -q --build-arg BASE_IMAGE="$java_base" -t "stoke/$svc:latest" "$STOKE_HOME/$svc" >/dev/null
done
echo "STOKE_JAVA_BASE=$java_base"
echo "STOKE_REDIS_IMAGE=$redis_image"
