#!/usr/bin/env bash
# `make bench`: the site under load on PostgreSQL + Redis with 500 therapies, 20 000 trials and
# 1 000 risks, cache on and cache off, against /healthz as the ceiling. Writes docs/PERFORMANCE.md.
# Starts PostgreSQL and Redis if they are not answering, installs wrk if missing, and works in a
# throwaway database that is dropped at the end. Then Varnish in front (issue 16, bench/varnish.sh):
# a cached page through it against gunicorn's /healthz, and a publish storm through it.
# Scale, durations and parts are parameters (BENCH_THERAPIES, BENCH_TRIALS, BENCH_RISKS, BENCH_DURATION,
# BENCH_STORM_SECONDS, BENCH_STORM_INTERVAL, BENCH_STORM_URLS; BENCH_PARTS, default all of
# "pages publish two_servers bounded varnish"; BENCH_DATABASE, BENCH_REDIS_DB).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
PY=.venv/bin/python
PORT=8200
BASE="http://127.0.0.1:$PORT"
DURATION="${BENCH_DURATION:-10}"
THERAPIES="${BENCH_THERAPIES:-500}" TRIALS="${BENCH_TRIALS:-20000}" RISKS="${BENCH_RISKS:-1000}"
RESULTS="$(mktemp -d /tmp/msinfo-bench.XXXXXX)"
PARTS=" ${BENCH_PARTS:-pages publish two_servers bounded varnish} "
part() { [[ "$PARTS" == *" $1 "* ]]; }
VARNISH_PORT=8280

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
    echo "== Starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "== Starting Redis"
    command -v redis-server >/dev/null || { apt-get update -qq; apt-get install -y -qq redis-server >/dev/null; }
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.2; done
fi
if ! command -v wrk >/dev/null; then
    echo "== Installing wrk"
    apt-get update -qq
    apt-get install -y -qq wrk >/dev/null
fi

PG="postgres://postgres@127.0.0.1:5432"
DB="${BENCH_DATABASE:-msinfo_bench_$$}"
REDIS_DB="${BENCH_REDIS_DB:-15}"
GUNICORN_PID=""
source bench/varnish.sh
cleanup() {
    stop_varnish
    [ -n "$GUNICORN_PID" ] && { kill "$GUNICORN_PID" 2>/dev/null || true; wait "$GUNICORN_PID" 2>/dev/null || true; }
    psql "$PG/postgres" -q -c "DROP DATABASE IF EXISTS $DB" || true
    redis-cli -n "$REDIS_DB" flushdb >/dev/null 2>&1 || true
}
trap cleanup EXIT
psql "$PG/postgres" -q -c "CREATE DATABASE $DB"
redis-cli -n "$REDIS_DB" flushdb >/dev/null

# Production settings: DEBUG off, a throwaway secret, plain HTTP on 127.0.0.1.
export DATABASE_URL="$PG/$DB" CACHE_URL="redis://127.0.0.1:6379/$REDIS_DB" DEBUG=0 \
       SECRET_KEY="bench-only-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
       ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 LOG_LEVEL=WARNING \
       BENCH_PASSWORD="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# Pinning (issue 27): the servers (gunicorn, Varnish) on SERVER_CPUS and the load generators (wrk, the reader
# probe, the storm's publisher) on LOAD_CPUS, half the CPUs each, so neither takes the other's CPU and the ratios
# stop moving with the scheduler. BENCH_SERVER_CPUS / BENCH_LOAD_CPUS override; one CPU (or no taskset): unpinned.
# Each figure is measured BENCH_RUNS times (3) and reported as the median with its spread (bench/median_runs.py).
RUNS="${BENCH_RUNS:-3}"
SERVER_CPUS="" LOAD_CPUS=""
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    half=$(($(nproc) / 2))
    SERVER_CPUS="${BENCH_SERVER_CPUS:-0-$((half - 1))}" LOAD_CPUS="${BENCH_LOAD_CPUS:-$half-$(($(nproc) - 1))}"
fi
export SERVER_CPUS LOAD_CPUS
on_load() { if [ -n "$LOAD_CPUS" ]; then taskset -c "$LOAD_CPUS" "$@"; else "$@"; fi; }
# wrk NAME ARGS...: RUNS runs of wrk on the load CPUs into $RESULTS/NAME-N.txt, their median into NAME.json
wrk_runs() {
    local name="$1"; shift
    local n
    for n in $(seq 1 "$RUNS"); do
        on_load wrk "$@" > "$RESULTS/$name-$n.txt"
        $PY bench/parse_wrk.py < "$RESULTS/$name-$n.txt" > "$RESULTS/$name-$n.json"
    done
    $PY bench/median_runs.py "$RESULTS/$name.json" $(seq -f "$RESULTS/$name-%g.json" 1 "$RUNS") > /dev/null
}

echo "== Database $DB: migrate, seed, generate $THERAPIES therapies / $TRIALS trials / $RISKS risks"
$PY manage.py migrate --noinput -v0
$PY manage.py load_seed
$PY manage.py generate_content --therapies "$THERAPIES" --trials "$TRIALS" --risks "$RISKS" --force
$PY manage.py collectstatic --noinput -v0
$PY manage.py shell < bench/make_users.py
psql "$DATABASE_URL" -q -c "VACUUM ANALYZE"

PAGES=(
    "healthz|/healthz"
    "home|/"
    "therapy list|/therapies/"
    "therapy page|/therapies/synthetic-therapy-0250/"
    "trial page|/trials/synthetic-trial-10000/"
    "risk page|/risks/synthetic-risk-0500/"
    "compare|/compare/?t=ocrelizumab&t=natalizumab&t=synthetic-therapy-0001"
    "search|/search/?q=natalizumab"
    "search, common word|/search/?q=infusion"
    "updates|/updates/"
    "api therapy list|/api/v1/therapies/"
    "api therapy|/api/v1/therapies/synthetic-therapy-0250/"
    "api trials of a therapy|/api/v1/trials/?therapy=synthetic-therapy-0250"
)

start_server() {
    # The repository's gunicorn settings (gunicorn.conf.py), with the bench's port and two workers.
    PAGE_CACHE="$1" GUNICORN_BIND="127.0.0.1:$PORT" GUNICORN_WORKERS=2 GUNICORN_LOG_LEVEL=warning \
        ${SERVER_CPUS:+taskset -c "$SERVER_CPUS"} .venv/bin/gunicorn -c gunicorn.conf.py msinfo.wsgi:application \
        --error-logfile "$RESULTS/gunicorn-$1.log" &
    GUNICORN_PID=$!
    for _ in $(seq 1 100); do curl -sf -o /dev/null "$BASE/healthz" && return 0; sleep 0.2; done
    echo "gunicorn did not start; see $RESULTS/gunicorn-$1.log" >&2
    exit 1
}
stop_server() {
    kill "$GUNICORN_PID"; wait "$GUNICORN_PID" 2>/dev/null || true; GUNICORN_PID=""
}

echo '[' > "$RESULTS/pages.json"
first=1
for entry in "${PAGES[@]}"; do
    name="${entry%%|*}"; url="${entry#*|}"
    [ $first = 1 ] || echo ',' >> "$RESULTS/pages.json"; first=0
    printf '["%s", "%s"]' "$name" "$url" >> "$RESULTS/pages.json"
done
echo ']' >> "$RESULTS/pages.json"

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
MODES="1 0"
part pages || MODES=""
for mode in $MODES; do
    label=$([ $mode = 1 ] && echo on || echo off)
    echo "== gunicorn, 2 workers, page cache $label"
    start_server "$mode"
    for entry in "${PAGES[@]}"; do
        name="${entry%%|*}"; url="${entry#*|}"; slug="${name// /-}"
        status=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$url")
        if [ "$status" != 200 ]; then
            echo "   $name ($url) answers $status: skipped (not built yet?)"
            continue
        fi
        for _ in $(seq 1 20); do curl -s -o /dev/null "$BASE$url"; done  # warm up
        wrk_runs "wrk-$label-$slug" -t2 -c16 -d"${DURATION}s" --timeout 10s --latency "$BASE$url"
        [ "$slug" = "$name" ] || cp "$RESULTS/wrk-$label-$slug.json" "$RESULTS/wrk-$label-$name.json"
        echo "   $name: $(cat "$RESULTS/wrk-$label-$name.json")"
    done
    if [ $mode = 0 ]; then
        echo "== Admin trial change list (signed in, 20 requests)"
        $PY bench/admin_timing.py "$BASE" bench-reviewer "$BENCH_PASSWORD" 20 | tee "$RESULTS/admin.json"
    fi
    stop_server
done

if part varnish; then
    echo "== Varnish in front of gunicorn (2 workers, page cache on)"
    # Varnish keeps only answers to the site's own address (issue 23, N3: site/caching.py canonical_request), so
    # the site behind it must know that address, as in production.
    export FRONTEND_CACHE_URLS="http://127.0.0.1:$VARNISH_PORT/" SITE_URL="http://127.0.0.1:$VARNISH_PORT"
    start_server 1
    start_varnish "$VARNISH_PORT" "$PORT"
    VBASE="http://127.0.0.1:$VARNISH_PORT"
    if ! part pages; then  # the ceiling, measured here when the page runs were skipped
        wrk_runs wrk-on-healthz -t2 -c16 -d"${DURATION}s" --timeout 10s --latency "$BASE/healthz"
    fi
    url="/therapies/synthetic-therapy-0001/"
    for _ in $(seq 1 20); do curl -s -o /dev/null "$VBASE$url"; done
    wrk_runs wrk-varnish-therapy -t2 -c16 -d"${DURATION}s" --timeout 10s --latency "$VBASE$url"
    echo "   therapy page through Varnish: $(cat "$RESULTS/wrk-varnish-therapy.json")"
    echo "== Publish storm through Varnish ($RUNS runs)"
    for n in $(seq 1 "$RUNS"); do
        mkdir -p "$RESULTS/storm-$n"
        VARNISH="$VBASE" APP="$BASE" VARNISH_STATE="$VARNISH_DIR/state" RESULTS="$RESULTS/storm-$n" \
            on_load $PY manage.py shell < bench/varnish_storm.py
    done
    $PY bench/median_runs.py "$RESULTS/varnish-storm.json" \
        $(seq -f "$RESULTS/storm-%g/varnish-storm.json" 1 "$RUNS") > /dev/null
    stop_varnish
    stop_server
    unset FRONTEND_CACHE_URLS SITE_URL
fi

if part publish; then
    echo "== Publishing 10-object change requests"
    $PY manage.py shell < bench/publish_timing.py | sed -n 's/^PUBLISH_JSON=//p' | tee "$RESULTS/publish.json"
fi

if part two_servers; then
    echo "== Two servers, one PostgreSQL, one Redis, then Varnish in front of both"
    bench/two_servers.sh | tee "$RESULTS/two_servers.txt"
fi

if part bounded; then
    echo "== Bounded work (issue 15): 5,000-word review diffs and hostile Markdown"
    RESULTS="$RESULTS" bash bench/bounded.sh
fi

cat > "$RESULTS/machine.json" <<JSON
{"date": "$(date -u +%Y-%m-%d)", "nproc": "$(nproc)",
 "cpu": "$(lscpu | sed -n 's/^Model name: *//p' | head -1)",
 "memory": "$(free -h | awk '/^Mem:/{print $2}')",
 "python": "$($PY -c 'import platform; print(platform.python_version())')",
 "django": "$($PY -c 'import django; print(django.get_version())')",
 "postgresql": "PostgreSQL $(psql "$DATABASE_URL" -Atc 'SHOW server_version' | cut -d' ' -f1)",
 "redis": "$(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')",
 "gunicorn": "$(.venv/bin/gunicorn --version | awk '{print $NF}' | tr -d '()')",
 "varnish": "$( (/usr/sbin/varnishd -V 2>&1 || true) | sed -n 's/.*(varnish-\([0-9.]*\).*/\1/p' | head -1)",
 "duration": "$DURATION", "runs": "$RUNS",
 "pinned": "$([ -n "$SERVER_CPUS" ] && echo "servers on CPU $SERVER_CPUS, load generators on CPU $LOAD_CPUS" || echo "not pinned")",
 "load": "$LOAD_BEFORE before the wrk runs, $(cut -d' ' -f1-3 /proc/loadavg) after",
 "data": "$THERAPIES synthetic therapies, $TRIALS trials, $RISKS risks (+ the seed), with two published versions of every therapy and risk"}
JSON
echo
if part pages; then $PY bench/report.py "$RESULTS"; fi
if part varnish; then $PY bench/report_varnish.py "$RESULTS"; fi
