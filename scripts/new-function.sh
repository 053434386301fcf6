#!/usr/bin/env bash
# ./stoke new NAME --runtime python|java — scaffold a function and register it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

name="" runtime="python" definitions="${STOKE_DEFINITIONS:-$STOKE_HOME/global-function-definition.yml}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runtime) runtime="$2"; shift 2 ;;
    --definitions) definitions="$2"; shift 2 ;;
    -*) die "new: unknown option '$1'. Usage: ./stoke new NAME --runtime python|java" ;;
    *) name="$1"; shift ;;
  esac
done
[[ -n "$name" ]] || die "new: a NAME is required. Usage: ./stoke new NAME --runtime python|java"
[[ "$name" =~ ^[a-z][a-z0-9-]{0,62}$ ]] || die "new: name '$name' must match [a-z][a-z0-9-]{0,62} (it becomes the path /$name)"
# The same rules as the definitions loader (FunctionDefinition.RESERVED_NAMES and USER_PREFIX).
case "$name" in api | actuator | health | metrics | stoke) die "new: '$name' is reserved" ;; esac
[[ "$name" != u-* ]] || die "new: names starting with 'u-' are reserved for functions users register through the API"
functions_dir="$(dirname "$definitions")/functions"
dir="$functions_dir/$name"
[[ ! -e "$dir" ]] || die "new: $dir already exists"
grep -qE "^[[:space:]]*-?[[:space:]]*name:[[:space:]]*\"?$name\"?[[:space:]]*$" "$definitions" 2>/dev/null \
  && die "new: a function named '$name' is already registered in $definitions"

# CamelCase class name for Java: my-fn → MyFnHandler
class="$(sed -E 's/(^|-)([a-z])/\U\2/g' <<<"$name")Handler"
mkdir -p "$dir"
case "$runtime" in
  python)
    cp "$STOKE_HOME/functions/templates/python/handler.py" "$dir/handler.py"
    handler="handler.py" ;;
  java)
    sed "s/__CLASS__/$class/g" "$STOKE_HOME/functions/templates/java/Handler.java" >"$dir/$class.java"
    handler="$class" ;;
  *) rmdir "$dir"; die "new: --runtime must be python or java, not '$runtime'" ;;
esac

[[ -f "$definitions" ]] || printf 'functions:\n' >"$definitions"
grep -qE '^functions:' "$definitions" || printf '\nfunctions:\n' >>"$definitions"
cat >>"$definitions" <<YAML

  - name: $name
    runtime: $runtime
    source: $name
    handler: $handler
    version: "1"
YAML
ok "created $dir and registered '$name' in $definitions"
info "edit $dir/$( [[ $runtime == python ]] && echo handler.py || echo "$class.java" ), then call it at /$name"
