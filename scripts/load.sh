#!/usr/bin/env bash
# ./stoke load FUNCTION [options] — drive traffic at a function and report how the platform scaled.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

require_java
jar="$STOKE_HOME/load-test/target/stoke-load-test.jar"
cp_file="$STOKE_HOME/load-test/target/classpath.txt"
if [[ ! -f "$jar" || ! -f "$cp_file" ]] || sources_newer_than "$jar" common load-test; then
  step "Building the load tester"
  mvnw_quiet -pl common,load-test -am -DskipTests -Dspotless.check.skip=true install >/dev/null \
    || die "building the load tester failed"
fi
cd "$STOKE_HOME"
exec "$JAVA" -cp "$jar:$(cat "$cp_file")" io.stoke.load.LoadTest "$@"
