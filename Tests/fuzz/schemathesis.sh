#!/usr/bin/env bash
# Fuzzes a live `dryad serve` against its own OpenAPI document with Schemathesis.
#
# Usage: Tests/fuzz/schemathesis.sh [path/to/dryad]      (default .build/debug/dryad; build it first)
# Environment:
#   MAX_EXAMPLES  test cases per operation and phase (default 25)
#   MAX_TIME      hard bound on the Schemathesis run in seconds (default 900)
#   SEED          Schemathesis seed, for a reproducible run (default: random)
#   REPORT_DIR    keep the JUnit report and the server's access log here (default: discarded)
# Exits 0 when no check failed, 1 when Schemathesis found failures, 2 on a setup error.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES=${MAX_EXAMPLES:-25}
MAX_TIME=${MAX_TIME:-900}
DRYAD=${1:-.build/debug/dryad}

fail() { echo "schemathesis.sh: $*" >&2; exit 2; }
if [[ -n ${REPORT_DIR:-} ]]; then REPORT_DIR=$(mkdir -p "$REPORT_DIR" && cd "$REPORT_DIR" && pwd); fi

[[ -x $DRYAD ]] || fail "no dryad binary at $DRYAD (run swift build first)"
DRYAD=$(cd "$(dirname "$DRYAD")" && pwd)/$(basename "$DRYAD")

if ! ST=$(command -v st || command -v schemathesis); then
    python3 -m pip install --quiet "schemathesis==$SCHEMATHESIS_VERSION" || fail "cannot install schemathesis $SCHEMATHESIS_VERSION"
    # pyenv only exposes new scripts after a rehash; else look where pip put them.
    if command -v pyenv >/dev/null; then pyenv rehash || true; fi
    SCRIPTS=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
    ST=$(command -v st || command -v schemathesis || { [[ -x $SCRIPTS/st ]] && echo "$SCRIPTS/st"; }) \
        || fail "schemathesis installed but st is not on PATH"
fi
echo "using $("$ST" --version)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dryad-fuzz.XXXXXX")
SERVER_PID=""
cleanup() {
    if [[ -n $SERVER_PID ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ -n ${REPORT_DIR:-} ]]; then
        mkdir -p "$REPORT_DIR"
        cp "$WORK/access.log" "$REPORT_DIR/" 2>/dev/null || true
        cp -r "$WORK/.schemathesis" "$REPORT_DIR/" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# A private copy, so that a rebuild during the run ("Text file busy") cannot pull the binary away.
cp "$DRYAD" "$WORK/dryad" || fail "cannot copy $DRYAD"
DRYAD=$WORK/dryad

# A fresh database with one fast tool; each pass below gets its own admin principal and token.
DB=$WORK/dryad.db
"$DRYAD" --db "$DB" tools register echo --description Echo --command /bin/cat >/dev/null || fail "cannot register the echo tool"

# Port 0 lets the server pick; its first stdout line names the address.
# Schemathesis presents a bad token to every operation: more than the default 20 a client may
# present at once before it gets 429, which is right for a server and wrong for this run.
"$DRYAD" serve --db "$DB" --port 0 --rate 100000 --burst 100000 --token-failure-burst 10000 >"$WORK/stdout" 2>"$WORK/access.log" &
SERVER_PID=$!
line=""
for _ in $(seq 200); do
    line=$(head -n 1 "$WORK/stdout" 2>/dev/null || true)
    [[ $line == "listening on "* ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/access.log" >&2; fail "dryad serve exited before listening"; }
    sleep 0.1
done
[[ $line == "listening on "* ]] || fail "dryad serve did not report its address"
ADDR=${line#listening on }
echo "dryad serving on $ADDR"

# Operations that can lock the fuzzer out: it reads its own token id and name from the listings and
# then revokes, disables, deletes or throttles itself, turning every later request into a 401/429.
# Each runs in a pass of its own after the main pass, with a fresh admin.
SELF_LOCKING=(
    "DELETE /api/v1/tokens/{id}"
    "POST /api/v1/principals/{name}/disable"
    "DELETE /api/v1/principals/{name}"
    "PUT /api/v1/principals/{name}/limit"
)

# Checks: all of Schemathesis's, minus those that insist on what the API does not promise:
# - unsupported_method / allow_header_conformance: a method a path does not route is a documented
#   404 `no_route` problem; dryad does not promise 405 with an Allow header.
CHECKS=(--checks all --exclude-checks unsupported_method,allow_header_conformance)

# Status expectations beyond Schemathesis's defaults:
# - 412 on both sides: If-Match is evaluated before the body (RFC 9110 13.2.1), so a bad or stale
#   ETag is a 412 whatever the body, and no schema makes a random ETag current.
# - 422 for valid data: the document states types, enums, ranges and name patterns, but some rules
#   are not expressible in it: cursors must come from the listing, `input_schema` must itself be
#   a valid JSON Schema, a search needs a word, PUT /tools keeps name and version, an owner cannot
#   be shared with, and DELETE /permissions takes exactly one of principal and principal_type.
#   What this check still catches is a schema-valid request answered 400, 413, 415 or 5xx.
# - 413 for invalid data: an oversized body is refused before it is read.
CONFIG=$WORK/schemathesis.toml
cat >"$CONFIG" <<'TOML'
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "412", "422", "429", "5xx"]

[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "412", "413", "415", "422", "428", "429", "5xx"]
TOML

status=0
start=$SECONDS
pass=0
# fuzz LABEL [schemathesis filter options...]
fuzz() {
    local label=$1
    shift
    pass=$((pass + 1))
    local admin="fuzz$pass" token remaining=$((MAX_TIME - (SECONDS - start)))
    ((remaining > 0)) || { echo "out of time before pass $label" >&2; status=1; return; }
    "$DRYAD" --db "$DB" principals add "$admin" --type service --role admin >/dev/null || fail "cannot add $admin"
    token=$("$DRYAD" --db "$DB" tokens issue "$admin" --ttl 2h) || fail "cannot issue a token for $admin"
    local report=()
    [[ -n ${REPORT_DIR:-} ]] && report=(--report junit --report-dir "$REPORT_DIR" --report-junit-path "$REPORT_DIR/junit-$pass.xml")
    echo "=== pass $pass: $label"
    # From $WORK: Schemathesis keeps its crash cache in ./.schemathesis.
    (cd "$WORK" && timeout --signal=INT --kill-after=30 "$remaining" "$ST" --config-file "$CONFIG" run "$ADDR/api/v1/openapi.json" \
        --header "Authorization: Bearer $token" \
        "${CHECKS[@]}" \
        --max-examples "$MAX_EXAMPLES" \
        --workers 1 \
        --request-timeout 30 \
        --generation-database none \
        --no-color \
        ${SEED:+--seed "$SEED"} \
        "${report[@]}" "$@") || status=1
}

main=()
for name in "${SELF_LOCKING[@]}"; do main+=(--exclude-name "$name"); done
fuzz "every operation but the self-locking ones" "${main[@]}"
for name in "${SELF_LOCKING[@]}"; do fuzz "$name" --include-name "$name"; done
echo "schemathesis took $((SECONDS - start))s"

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "dryad serve died during the run" >&2
    status=1
fi
# The access log line is "METHOD PATH STATUS DURATIONms PRINCIPAL REQUEST-ID".
awk '$3 ~ /^5[0-9][0-9]$/ && $4 ~ /ms$/' "$WORK/access.log" >"$WORK/5xx"
if [[ -s $WORK/5xx ]]; then
    echo "the access log records $(wc -l <"$WORK/5xx") 5xx responses:" >&2
    head -n 20 "$WORK/5xx" >&2
    status=1
fi
if ((status == 0)); then
    echo "schemathesis: no failures"
else
    echo "schemathesis: failures" >&2
fi
exit "$status"
