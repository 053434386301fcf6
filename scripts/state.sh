#!/usr/bin/env bash
# ./stoke state get|put|ls|watch FUNCTION [PATH] — the operator's view of a function's state, over the
# state service's HTTP port on loopback (docs/STATE.md, "The operator's CLI").
set -euo pipefail

PORT="${STOKE_STATE_PORT:-8084}"

usage() {
  cat <<'USAGE'
Usage: ./stoke state VERB FUNCTION [PATH] [OPTIONS]
  The state of FUNCTION in the state service on 127.0.0.1 (docs/STATE.md). A PATH that starts
  with / is a coordination node; any other PATH is a key-value key.

Verbs (each answers -h)
  get FUNCTION PATH            a key's value, version and ttlMs, or a node's data and stat
  put FUNCTION PATH VALUE      set a key (--ttl-ms N), or a node's data (created when missing)
  ls FUNCTION [PATH]           a node's children; else the keys starting with PATH (default: all)
  watch FUNCTION PATH          wait for one event on a node (--children: on its children)

Options
  --port N     the state service's HTTP port  [STOKE_STATE_PORT=8084]

Output: the service's JSON answer on stdout, also for an error (then a line on stderr too).
Exit codes: 0 done; 1 the service answered an error (NoKey, NoNode, BadArguments, ...);
2 bad usage; 3 no state service answers; 4 watch: nothing happened within --timeout.
USAGE
}

verb_usage() {
  case "$1" in
    get) printf 'Usage: ./stoke state get FUNCTION PATH [--port N]\n  A key (kv/get: value, version, ttlMs) or, for /a/node, a node (coord/get: data, stat).\n' ;;
    put) printf 'Usage: ./stoke state put FUNCTION PATH VALUE [--ttl-ms N] [--port N]\n  Set a key (kv/put; --ttl-ms: expire after N ms) or the data of /a/node (coord/set;\n  a missing node is created persistent, its parent must exist).\n' ;;
    ls) printf 'Usage: ./stoke state ls FUNCTION [PATH] [--after CURSOR] [--limit N] [--port N]\n  The children of /a/node (coord/children), or one page of the keys starting with PATH\n  (kv/list: items and next, the cursor of the next page for --after; default: all keys).\n' ;;
    watch) printf 'Usage: ./stoke state watch FUNCTION PATH [--children] [--timeout SECONDS] [--port N]\n  Wait for one event on node PATH (its creation, a change of its data, its deletion; with\n  --children a change of its children) and print it. Exit 4 when none within --timeout [60].\n' ;;
  esac
}

fail_usage() {
  echo "stoke state: $1" >&2
  echo "Run ./stoke state${2:+ $2} -h for the usage." >&2
  exit 2
}

# The JSON string of $1 (quotes, backslashes and control characters escaped).
json_string() {
  local s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in
      '"') out+='\"' ;;
      '\') out+='\\' ;;
      $'\n') out+='\n' ;;
      $'\r') out+='\r' ;;
      $'\t') out+='\t' ;;
      *)
        if [[ "$c" < ' ' ]]; then printf -v c '\\u%04x' "'$c"; fi
        out+="$c"
        ;;
    esac
  done
  printf '"%s"' "$out"
}

# POSTs JSON $3 to $1 (URL path) with a curl time limit of $2 s: sets STATUS and BODY.
post() {
  local out
  if ! out="$(curl -sS --max-time "$2" -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data-binary "$3" "http://127.0.0.1:$PORT$1" 2>&1)"; then
    echo "stoke state: no state service answers on 127.0.0.1:$PORT (${out%%$'\n'*})." >&2
    echo "Start the platform with ./stoke up, or pass --port N (STOKE_STATE_PORT)." >&2
    exit 3
  fi
  STATUS="${out##*$'\n'}"
  BODY="${out%$'\n'*}"
}

# Runs operation $2 (group/op) of function $1 with body $3; prints the answer, exits 1 on an error.
op() {
  post "/v1/functions/$1/$2" 30 "$3"
  answer "$2"
}

answer() {
  echo "$BODY"
  if [[ "$STATUS" != 200 ]]; then
    echo "stoke state: $1 answered $STATUS: $BODY" >&2
    exit 1
  fi
}

is_node() { [[ "$1" == /* ]]; }

number_option() {
  [[ "$2" =~ ^[0-9]+$ ]] || fail_usage "$1 = '$2', must be a whole number" "$VERB"
}

cmd_get() {
  [[ ${#ARGS[@]} -eq 2 ]] || fail_usage "get takes FUNCTION PATH" get
  if is_node "${ARGS[1]}"; then
    op "${ARGS[0]}" coord/get "{\"path\":$(json_string "${ARGS[1]}")}"
  else
    op "${ARGS[0]}" kv/get "{\"key\":$(json_string "${ARGS[1]}")}"
  fi
}

cmd_put() {
  [[ ${#ARGS[@]} -eq 3 ]] || fail_usage "put takes FUNCTION PATH VALUE" put
  local fn="${ARGS[0]}" path value
  path="$(json_string "${ARGS[1]}")"
  value="$(json_string "${ARGS[2]}")"
  if ! is_node "${ARGS[1]}"; then
    op "$fn" kv/put "{\"key\":$path,\"value\":$value${TTL_MS:+,\"ttlMs\":$TTL_MS}}"
    return
  fi
  [[ -z "$TTL_MS" ]] || fail_usage "--ttl-ms applies to keys only, not to node ${ARGS[1]}" put
  post "/v1/functions/$fn/coord/set" 30 "{\"path\":$path,\"data\":$value,\"version\":-1}"
  if [[ "$STATUS" == 404 && "$BODY" == *'"NoNode"'* ]]; then
    op "$fn" coord/create "{\"path\":$path,\"data\":$value,\"mode\":\"persistent\"}"
  else
    answer coord/set
  fi
}

cmd_ls() {
  [[ ${#ARGS[@]} -ge 1 && ${#ARGS[@]} -le 2 ]] || fail_usage "ls takes FUNCTION [PATH]" ls
  local path="${ARGS[1]:-}"
  if is_node "$path"; then
    op "${ARGS[0]}" coord/children "{\"path\":$(json_string "$path")}"
  else
    op "${ARGS[0]}" kv/list "{\"prefix\":$(json_string "$path"),\"after\":$(json_string "$AFTER")${LIMIT:+,\"limit\":$LIMIT}}"
  fi
}

cmd_watch() {
  [[ ${#ARGS[@]} -eq 2 ]] || fail_usage "watch takes FUNCTION PATH" watch
  is_node "${ARGS[1]}" || fail_usage "watch PATH = '${ARGS[1]}', must be a node path (/...)" watch
  local kind=data
  [[ -z "$CHILDREN" ]] || kind=children
  post "/admin/v1/functions/${ARGS[0]}/watch" "$((TIMEOUT + 30))" \
    "{\"path\":$(json_string "${ARGS[1]}"),\"kind\":\"$kind\",\"timeoutMs\":$((TIMEOUT * 1000))}"
  answer watch
  if [[ "$BODY" == *'"fired":false'* ]]; then
    echo "stoke state: nothing happened on ${ARGS[1]} within ${TIMEOUT}s" >&2
    exit 4
  fi
}

main() {
  VERB="${1:-}"
  [[ "$VERB" != -h && "$VERB" != --help ]] || { usage; exit 0; }
  [[ -n "$VERB" ]] || { usage >&2; exit 2; }
  shift
  [[ -n "$(verb_usage "$VERB")" ]] || fail_usage "unknown verb '$VERB'; one of: get, put, ls, watch"
  ARGS=() TTL_MS="" AFTER="" LIMIT="" CHILDREN="" TIMEOUT=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      -h | --help) verb_usage "$VERB"; exit 0 ;;
      --port | --ttl-ms | --after | --limit | --timeout)
        [[ $# -ge 2 ]] || fail_usage "$1 needs a value" "$VERB"
        case "$1" in
          --port) number_option "$1" "$2"; PORT="$2" ;;
          --ttl-ms) number_option "$1" "$2"; TTL_MS="$2" ;;
          --after) AFTER="$2" ;;
          --limit) number_option "$1" "$2"; LIMIT="$2" ;;
          --timeout) number_option "$1" "$2"; TIMEOUT="$2" ;;
        esac
        shift 2
        ;;
      --children) CHILDREN=1; shift ;;
      -*) fail_usage "unknown option '$1'" "$VERB" ;;
      *) ARGS+=("$1"); shift ;;
    esac
  done
  [[ "$VERB" == watch || -z "$CHILDREN$TIMEOUT" ]] || fail_usage "--children and --timeout apply to watch only" "$VERB"
  [[ "$VERB" == ls || -z "$AFTER$LIMIT" ]] || fail_usage "--after and --limit apply to ls only" "$VERB"
  [[ "$VERB" == put || -z "$TTL_MS" ]] || fail_usage "--ttl-ms applies to put only" "$VERB"
  TIMEOUT="${TIMEOUT:-60}"
  "cmd_$VERB"
}

main "$@"
