#!/usr/bin/env bash
# Makes sure the base images Stoke's function runtimes build FROM exist on the local Docker engine.
#
# For each public base (python:3.12-slim, eclipse-temurin:21-jre, eclipse-temurin:21-jdk) it uses
# the local image if present, else tries `docker pull`, else builds a local fallback:
#   stoke-base/python:bookworm   debootstrap minbase + python3, imported with `docker import`
#   stoke-base/minimal:bookworm  debootstrap minbase (also the base of the `upper` example)
#   stoke-base/java-jre:21       minimal + a jlinked runtime (java.base, jdk.httpserver, ...)
#   stoke-base/java-jdk:21       minimal + a jlinked runtime with jdk.compiler (javac)
# Rootfs tarballs are cached under $STOKE_CACHE so a fresh engine re-imports them in seconds.
# Idempotent: a second run only inspects images. The chosen names are printed last as
# STOKE_BASE_*=image lines and written to $STOKE_CACHE/bases.env.
#
# Environment: STOKE_CACHE (default /var/cache/stoke), STOKE_DEBIAN_MIRROR
# (default http://deb.debian.org/debian), STOKE_PULL_TIMEOUT seconds (default 20),
# JAVA_HOME (a JDK >= 21 with jlink; falls back to /usr/lib/jvm/temurin-25-jdk-amd64).
set -euo pipefail

CACHE="${STOKE_CACHE:-/var/cache/stoke}"
MIRROR="${STOKE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
PULL_TIMEOUT="${STOKE_PULL_TIMEOUT:-20}"

PY_PUBLIC=python:3.12-slim
JRE_PUBLIC=eclipse-temurin:21-jre
JDK_PUBLIC=eclipse-temurin:21-jdk
PY_LOCAL=stoke-base/python:bookworm
MIN_LOCAL=stoke-base/minimal:bookworm
JRE_LOCAL=stoke-base/java-jre:21
JDK_LOCAL=stoke-base/java-jdk:21

# Modules the Java function runtime needs at run time; the JDK image adds javac and jar.
JRE_MODULES=java.base,java.logging,java.net.http,jdk.httpserver,jdk.unsupported,jdk.crypto.ec,jdk.zipfs
JDK_MODULES="$JRE_MODULES,java.compiler,jdk.compiler,jdk.jartool,jdk.jdeps"

START_SECONDS=$SECONDS

log() { printf '[bases %3ds] %s\n' "$((SECONDS - START_SECONDS))" "$*" >&2; }
die() {
  printf '[bases] ERROR: %s\n' "$*" >&2
  exit 1
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

try_pull() {
  log "pulling $1 (timeout ${PULL_TIMEOUT}s)"
  if timeout "$PULL_TIMEOUT" docker pull -q "$1" >/dev/null 2>&1; then
    log "pulled $1"
    return 0
  fi
  log "cannot pull $1: using a local fallback"
  return 1
}

require_docker() {
  command -v docker >/dev/null 2>&1 || die "the docker CLI is not installed"
  docker info >/dev/null 2>&1 || die "the Docker engine does not answer (is dockerd running?)"
}

require_root() {
  [[ $(id -u) -eq 0 ]] || die "building $1 needs root (debootstrap); re-run with sudo"
}

ensure_debootstrap() {
  command -v debootstrap >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || die "debootstrap is missing and apt-get is not available to install it"
  log "installing debootstrap with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null; } ||
    die "apt-get could not install debootstrap"
}

# rootfs_tarball NAME INCLUDE: prints the path of a cached rootfs tarball, building it if missing.
rootfs_tarball() {
  local name=$1 include=$2 tarball="$CACHE/rootfs-$1.tar"
  if [[ -s $tarball ]]; then
    log "using cached rootfs $tarball"
  else
    require_root "the $name rootfs"
    ensure_debootstrap
    mkdir -p "$CACHE/debs"
    local dir
    dir=$(mktemp -d "$CACHE/rootfs-$name.XXXXXX")
    log "debootstrap $SUITE ($name${include:+, include $include}) into $dir"
    debootstrap --variant=minbase ${include:+--include="$include"} --cache-dir="$CACHE/debs" \
      "$SUITE" "$dir" "$MIRROR" >"$CACHE/debootstrap-$name.log" 2>&1 ||
      die "debootstrap failed, see $CACHE/debootstrap-$name.log"
    # Apt lists and caches are not needed inside an image.
    rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*
    tar -C "$dir" -c . >"$tarball.tmp"
    mv "$tarball.tmp" "$tarball"
    rm -rf "$dir"
    log "cached rootfs $tarball ($(du -h "$tarball" | cut -f1))"
  fi
  printf '%s\n' "$tarball"
}

# import_rootfs IMAGE NAME INCLUDE
import_rootfs() {
  local image=$1 tarball
  if image_exists "$image"; then
    log "$image exists"
    return 0
  fi
  tarball=$(rootfs_tarball "$2" "$3")
  log "importing $image"
  docker import -c 'CMD ["/bin/bash"]' -c 'ENV LANG=C.UTF-8' "$tarball" "$image" >/dev/null
}

find_jdk() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [[ -n $candidate && -x $candidate/bin/jlink && -x $candidate/bin/java ]] || continue
    local feature
    feature=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
    if [[ -n $feature && $feature -ge 21 ]]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  die "no JDK >= 21 with jlink found: set JAVA_HOME"
}

# java_image IMAGE MODULES
java_image() {
  local image=$1 modules=$2
  if image_exists "$image"; then
    log "$image exists"
    return 0
  fi
  import_rootfs "$MIN_LOCAL" minimal ""
  local jdk work
  jdk=$(find_jdk)
  work=$(mktemp -d)
  log "jlink $image from $jdk (modules: $modules)"
  "$jdk/bin/jlink" --add-modules "$modules" --output "$work/jre" --strip-debug --no-man-pages \
    --no-header-files --compress zip-6 --generate-cds-archive >"$work/jlink.log" 2>&1 ||
    { cat "$work/jlink.log" >&2; die "jlink failed for $image"; }
  cat >"$work/Dockerfile" <<EOF
FROM $MIN_LOCAL
COPY jre /opt/java
ENV JAVA_HOME=/opt/java PATH=/opt/java/bin:\$PATH
EOF
  log "building $image"
  docker build -q -t "$image" "$work" >"$work/build.log" 2>&1 ||
    { cat "$work/build.log" >&2; die "docker build failed for $image"; }
  rm -rf "$work"
}

# choose PUBLIC FALLBACK_FUNCTION FALLBACK_IMAGE ARGS...: prints the image to use, running
# FALLBACK_FUNCTION FALLBACK_IMAGE ARGS... when the public image is neither local nor pullable.
choose() {
  local public=$1
  shift
  if image_exists "$public" || try_pull "$public"; then
    printf '%s\n' "$public"
    return 0
  fi
  "$@"
  printf '%s\n' "$2"
}

main() {
  require_docker
  mkdir -p "$CACHE" 2>/dev/null || die "cannot create $CACHE (set STOKE_CACHE or run as root)"
  local py jre jdk
  py=$(choose "$PY_PUBLIC" import_rootfs "$PY_LOCAL" python python3)
  # The minimal base is always made: the `upper` example and the Java fallbacks build on it.
  import_rootfs "$MIN_LOCAL" minimal ""
  jre=$(choose "$JRE_PUBLIC" java_image "$JRE_LOCAL" "$JRE_MODULES")
  jdk=$(choose "$JDK_PUBLIC" java_image "$JDK_LOCAL" "$JDK_MODULES")

  local env_file="$CACHE/bases.env"
  printf 'STOKE_BASE_MINIMAL=%s\nSTOKE_BASE_PYTHON=%s\nSTOKE_BASE_JAVA_JRE=%s\nSTOKE_BASE_JAVA_JDK=%s\n' \
    "$MIN_LOCAL" "$py" "$jre" "$jdk" >"$env_file.tmp"
  mv "$env_file.tmp" "$env_file"
  log "done in $((SECONDS - START_SECONDS))s; wrote $env_file"
  cat "$env_file"
}

main "$@"
