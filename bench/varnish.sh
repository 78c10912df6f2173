# Sourced by bench/run.sh and bench/two_servers.sh: Varnish with deploy/varnish/msinfo.vcl in front of
# app servers on this machine, installed with apt when missing (issue 16).
#   start_varnish PORT BACKEND_PORT...   (sets VARNISH_PID and VARNISH_DIR; round-robin over the backends)
#   stop_varnish
#   varnish_counter NAME                 (a counter from varnishstat, e.g. MAIN.cache_hit)

# The secret every purge carries (issue 23): app servers started after this is sourced send it, and
# start_varnish writes it into the purge_token.vcl the VCL includes.
export FRONTEND_PURGE_TOKEN="${FRONTEND_PURGE_TOKEN:-bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')}"

ensure_varnish() {
    if [ ! -x /usr/sbin/varnishd ] || ! ls /usr/lib/*/varnish/vmods/libvmod_xkey.so >/dev/null 2>&1; then
        echo "== Installing Varnish and varnish-modules (xkey)"
        apt-get update -qq
        apt-get install -y -qq varnish varnish-modules >/dev/null
    fi
}

start_varnish() {
    local port="$1"; shift
    ensure_varnish
    VARNISH_DIR="$(mktemp -d /tmp/msinfo-varnish.XXXXXX)"
    chmod 755 "$VARNISH_DIR"
    local n=0 backends="" adds=""
    for backend in "$@"; do
        backends+="backend app$n { .host = \"127.0.0.1\"; .port = \"$backend\"; }"$'\n'
        adds+="    apps.add_backend(app$n);"$'\n'
        n=$((n + 1))
    done
    cat > "$VARNISH_DIR/backends.vcl" <<VCL
import directors;
$backends
sub vcl_init {
    new apps = directors.round_robin();
$adds}
sub msinfo_backend {
    set req.backend_hint = apps.backend();
}
VCL
    cat > "$VARNISH_DIR/purge_token.vcl" <<VCL
sub msinfo_purge_token {
    if (req.http.X-Purge-Token != "$FRONTEND_PURGE_TOKEN") {
        return (synth(403, "Purging needs the purge token."));
    }
}
VCL
    # On the servers' CPUs when bench/run.sh pins (SERVER_CPUS, issue 27).
    ${SERVER_CPUS:+taskset -c "$SERVER_CPUS"} /usr/sbin/varnishd -F -j none -n "$VARNISH_DIR/state" -a "127.0.0.1:$port" \
        -f "$PWD/deploy/varnish/msinfo.vcl" -p "vcl_path=$VARNISH_DIR:$PWD/deploy/varnish" \
        -s malloc,"${BENCH_VARNISH_MEMORY:-512m}" -T 127.0.0.1:0 > "$VARNISH_DIR/varnishd.log" 2>&1 &
    VARNISH_PID=$!
    for _ in $(seq 1 100); do
        curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && return 0
        sleep 0.2
    done
    echo "varnishd did not start; see $VARNISH_DIR/varnishd.log" >&2
    return 1
}

stop_varnish() {
    if [ -n "${VARNISH_PID:-}" ]; then
        kill "$VARNISH_PID" 2>/dev/null || true
        wait "$VARNISH_PID" 2>/dev/null || true
        VARNISH_PID=""
        rm -rf "$VARNISH_DIR"
    fi
}

varnish_counter() {
    varnishstat -n "$VARNISH_DIR/state" -1 -f "$1" | awk '{print $2}'
}
