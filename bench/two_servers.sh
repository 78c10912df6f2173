#!/usr/bin/env bash
# Two gunicorn servers on one PostgreSQL and one Redis: publish through A, B serves the new content
# on its very next request. Then the same through Varnish in front of both (round robin, issue 16):
# a kept page, published through A, is fresh on Varnish's very next answer. Run by `make bench` (which sets up the database and the environment);
# needs DATABASE_URL, CACHE_URL, SECRET_KEY, BENCH_PASSWORD and the synthetic content.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
A=http://127.0.0.1:8201
B=http://127.0.0.1:8202
URL=/trials/synthetic-trial-00042/
V=http://127.0.0.1:8281
PIDS=()
source bench/varnish.sh
stop() {
    stop_varnish
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
}
trap stop EXIT

for port in 8201 8202; do
    FRONTEND_CACHE_URLS="$V/" PAGE_CACHE=1 GUNICORN_BIND="127.0.0.1:$port" GUNICORN_WORKERS=1 GUNICORN_LOG_LEVEL=warning \
        .venv/bin/gunicorn -c gunicorn.conf.py msinfo.wsgi:application &
    PIDS+=($!)
done
for base in $A $B; do
    for _ in $(seq 1 50); do curl -sf -o /dev/null "$base/healthz" && break; sleep 0.2; done
done
start_varnish 8281 8201 8202

header() { curl -s -D - -o /dev/null "$B$URL" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-page-cache"{print $2}'; }
MARKER="Two-server check $(date +%s)"
curl -s -o /dev/null "$B$URL"
echo "B before publishing: X-Page-Cache: $(header); shows the new text: $(curl -s "$B$URL" | grep -c "$MARKER" || true)"
CR=$(BENCH_OBJECTS=1 BENCH_SLUG_FROM=42 BENCH_SUMMARY="$MARKER. Synthetic content for load testing — not medical information." \
     $PY manage.py shell < bench/prepare_change.py | sed -n 's/^CHANGE_REQUEST=//p')
$PY bench/publish_via_http.py "$A" bench-reviewer "$BENCH_PASSWORD" "$CR" | sed 's/^/A: /'
AFTER=$(curl -s -D /tmp/msinfo-two-servers-headers.$$ "$B$URL")
CACHE_STATE=$(tr -d '\r' < /tmp/msinfo-two-servers-headers.$$ | awk -F': ' 'tolower($1)=="x-page-cache"{print $2}')
rm -f /tmp/msinfo-two-servers-headers.$$
if grep -q "$MARKER" <<<"$AFTER"; then
    echo "B's next request: X-Page-Cache: $CACHE_STATE; shows the new text: yes — PASS"
else
    echo "B's next request does not show the published text — FAIL"
    exit 1
fi

# Through Varnish in front of A and B.
URL=/trials/synthetic-trial-00043/
MARKER="Two-server check through Varnish $(date +%s)"
for _ in 1 2 3 4; do curl -s -o /dev/null "$V$URL"; done
vheader() { tr -d '\r' < "$1" | awk -F': ' 'tolower($1)=="x-cache"{print $2}'; }
HEADERS=/tmp/msinfo-two-servers-varnish.$$
curl -s -D "$HEADERS" -o /dev/null "$V$URL"
echo "Varnish before publishing: X-Cache: $(vheader "$HEADERS"); app servers asked: A $(varnish_counter 'VBE.*.app0.req'), B $(varnish_counter 'VBE.*.app1.req')"
CR=$(BENCH_OBJECTS=1 BENCH_SLUG_FROM=43 BENCH_SUMMARY="$MARKER. Synthetic content for load testing — not medical information." \
     $PY manage.py shell < bench/prepare_change.py | sed -n 's/^CHANGE_REQUEST=//p')
$PY bench/publish_via_http.py "$A" bench-reviewer "$BENCH_PASSWORD" "$CR" | sed 's/^/A: /'
AFTER=$(curl -s -D "$HEADERS" "$V$URL")
STATE=$(vheader "$HEADERS")
rm -f "$HEADERS"
if grep -q "$MARKER" <<<"$AFTER" && [ "$STATE" = MISS ]; then
    echo "Varnish's next answer: X-Cache: $STATE (purged by A's publish); shows the new text: yes — PASS"
else
    echo "Varnish's next answer (X-Cache: $STATE) does not show the published text — FAIL"
    exit 1
fi
