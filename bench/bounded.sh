#!/usr/bin/env bash
# Issue 15's benchmarks on their own (`make bench` runs them too, on its scale data): the review page
# with 5,000-word text diffs and with the reviewer assistant on hostile texts (issue 23), served by
# gunicorn with the repository's gunicorn.conf.py on PostgreSQL,
# and Markdown rendering of hostile texts at the length limit. Writes the "Bounded work" figures into
# docs/PERFORMANCE.md. Works in a throwaway database that is dropped at the end; 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
GUNICORN="${GUNICORN:-.venv/bin/gunicorn}"
PORT=8210
BASE="http://127.0.0.1:$PORT"
RESULTS="${RESULTS:-$(mktemp -d /tmp/msinfo-bounded.XXXXXX)}"
PG="postgres://postgres@127.0.0.1:5432"
OWN_DB=""
GUNICORN_PID=""
cleanup() {
    [ -n "$GUNICORN_PID" ] && { kill "$GUNICORN_PID" 2>/dev/null || true; wait "$GUNICORN_PID" 2>/dev/null || true; }
    [ -n "$OWN_DB" ] && psql "$PG/postgres" -q -c "DROP DATABASE IF EXISTS $OWN_DB" || true
}
trap cleanup EXIT

if [ -z "${DATABASE_URL:-}" ]; then  # standalone: a database of our own, with the seed content
    OWN_DB="msinfo_bounded_bench_$$"
    psql "$PG/postgres" -q -c "CREATE DATABASE $OWN_DB"
    export DATABASE_URL="$PG/$OWN_DB" DEBUG=0 ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 LOG_LEVEL=WARNING \
           SECRET_KEY="bench-only-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
           BENCH_PASSWORD="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    $PY manage.py migrate --noinput -v0
    $PY manage.py load_seed
    $PY manage.py collectstatic --noinput -v0
    $PY manage.py shell < bench/make_users.py
fi

echo "== Markdown: hostile texts at the length limit"
$PY manage.py shell < bench/markdown_timing.py | sed -n 's/^MARKDOWN_JSON=//p' > "$RESULTS/markdown.json"

echo "== Review page: 5,000-word diffs (gunicorn, gunicorn.conf.py)"
CASES=$($PY manage.py shell < bench/prepare_diff.py | sed -n 's/^DIFF_JSON=//p')
echo "== Review page: the reviewer assistant on hostile texts at the length limit (40,000 digits, '1.', '1,' runs)"
ASSISTANT=$($PY manage.py shell < bench/prepare_assistant.py | sed -n 's/^ASSISTANT_JSON=//p')
CASES=$($PY -c 'import json, sys; print(json.dumps({**json.loads(sys.argv[1]), **json.loads(sys.argv[2])}))' \
        "$CASES" "$ASSISTANT")
GUNICORN_BIND="127.0.0.1:$PORT" GUNICORN_WORKERS=2 GUNICORN_LOG_LEVEL=warning PAGE_CACHE=0 \
    $GUNICORN -c gunicorn.conf.py msinfo.wsgi:application &
GUNICORN_PID=$!
for _ in $(seq 1 100); do curl -sf -o /dev/null "$BASE/healthz" && break; sleep 0.2; done
$PY bench/review_timing.py "$BASE" bench-reviewer "$BENCH_PASSWORD" "$CASES" 10 > "$RESULTS/review.json"
kill "$GUNICORN_PID"; wait "$GUNICORN_PID" 2>/dev/null || true; GUNICORN_PID=""

echo "{\"date\": \"$(date -u +%Y-%m-%d)\", \"nproc\": \"$(nproc)\", \"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" \
    > "$RESULTS/bounded_machine.json"
$PY bench/report_bounded.py "$RESULTS"
