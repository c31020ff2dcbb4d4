#!/usr/bin/env bash
# Whole-system benchmark: Sluice against nginx and haproxy as HTTP/1.1 reverse proxies, on loopback.
#
# Each proxy runs alone on one core (PROXY_CPU, default 0); the nginx backend and wrk share the other
# (LOAD_CPU, default 1). Rounds are interleaved so slow drift (thermal, noisy neighbours) hits every proxy
# alike. Per run it records req/s, p50/p99 latency and the proxy's own CPU time per request, then prints
# medians and ratios to nginx. Not a test: it never fails on numbers. See bench/README.md.
#
# Knobs (environment): ROUNDS=3 DURATION=10s CONNECTIONS=50 THREADS=1 WARMUP=3s WARMUP_SLUICE=20s
#   PROXIES="nginx haproxy sluice sluice-bare" PROXY_CPU=0 LOAD_CPU=1 PAUSE=1 JAVA=java SLUICE_JAR=target/sluice.jar
#   SLUICE_JAVA_OPTS="" (extra JVM options, e.g. -Dsluice.transport=nio) SLUICE_START_TIMEOUT=30 (seconds)
#   SLUICE_EXTRA_YAML="..." (top-level YAML added to the "sluice" proxy's config instead of its access log)
#   OTHER_WARN=15 (warn when other processes, or hypervisor steal, take more than this % of a core in a run)
#   REBUILD=1 (rebuild target/sluice.jar even if it exists; by default it is built only when missing)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-50}"
THREADS="${THREADS:-1}"
WARMUP="${WARMUP:-3s}"
WARMUP_SLUICE="${WARMUP_SLUICE:-20s}"
PROXIES="${PROXIES:-nginx haproxy sluice sluice-bare}"
PROXY_CPU="${PROXY_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
PAUSE="${PAUSE:-1}"
JAVA="${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}"
SLUICE_JAR="${SLUICE_JAR:-target/sluice.jar}"
SLUICE_JAVA_OPTS="${SLUICE_JAVA_OPTS:-}"
SLUICE_START_TIMEOUT="${SLUICE_START_TIMEOUT:-30}"
REBUILD="${REBUILD:-0}"
OTHER_WARN="${OTHER_WARN:-15}"

BACKEND_PORT=18081
declare -A PORT=([nginx]=18082 [haproxy]=18083 [sluice]=18084 [sluice-bare]=18085)
declare -A PID=()        # proxy name -> pid of the process we started
declare -A SKIP=()       # proxy name -> why it is not measured
STARTED=()               # every pid we started, for cleanup
TMP=""

log() { printf '%s\n' "$*" >&2; }
die() { log "bench: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------- cleanup
descendants() {  # the pid and all its descendants, one per line
  local c
  echo "$1"
  for c in $(pgrep -P "$1" 2>/dev/null || true); do descendants "$c"; done
}

running() {  # alive and not a zombie waiting to be reaped
  local s
  s="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  s="${s##*) }"
  [ "${s:0:1}" != Z ]
}

cleanup() {
  local rc=$? pid all=() i
  trap - EXIT INT TERM
  # A running wrk is not in STARTED; run_wrk keeps its pid in a file.
  if [ -n "$TMP" ] && [ -f "$TMP/wrk.pid" ]; then
    pid="$(cat "$TMP/wrk.pid")"
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = wrk ] && kill -TERM "$pid" 2>/dev/null || true
  fi
  for pid in "${STARTED[@]}"; do
    kill -0 "$pid" 2>/dev/null && all+=($(descendants "$pid"))
  done
  if [ "${#all[@]}" -gt 0 ]; then
    kill -TERM "${all[@]}" 2>/dev/null || true
    for i in $(seq 1 50); do
      local alive=0
      for pid in "${all[@]}"; do running "$pid" && alive=1; done
      [ "$alive" = 0 ] && break
      sleep 0.1
    done
    kill -KILL "${all[@]}" 2>/dev/null || true
  fi
  for pid in "${STARTED[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$TMP" ] && [ -d "$TMP" ]; then rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------- tools
install_tools() {
  local missing=() sudo=""
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
  command -v pgrep >/dev/null 2>&1 || missing+=(procps)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "missing ${missing[*]}; not root and no sudo: install them yourself"
    sudo="sudo"
  fi
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get: install them yourself"
  log "bench: installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo apt-get install -y -q "${missing[@]}" >&2; then
    log "bench: install failed; running apt-get update and retrying"
    $sudo apt-get update -q >&2
    $sudo apt-get install -y -q "${missing[@]}" >&2
  fi
}

install_tools
export PATH="$PATH:/usr/sbin:/sbin"
NGINX_BIN="$(command -v nginx)"
HAPROXY_BIN="$(command -v haproxy)"
CLK_TCK="$(getconf CLK_TCK)"

# ---------------------------------------------------------------------------------------------- helpers
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

for p in "$BACKEND_PORT" "${PORT[nginx]}" "${PORT[haproxy]}" "${PORT[sluice]}" "${PORT[sluice-bare]}"; do
  port_in_use "$p" && die "127.0.0.1:$p is already in use; stop whatever listens there first"
done

# Waits until 127.0.0.1:port answers HTTP. Returns 1 if the process died or time ran out.
wait_http() {
  local pid=$1 port=$2 timeout=$3 deadline
  deadline=$(( $(date +%s) + timeout ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && return 0
    sleep 0.2
  done
  return 1
}

# Checks that a proxy passes the backend's answer through: status 200 and the backend's body.
check_proxy() {
  local name=$1 out code
  out="$(curl -s --max-time 3 -w '\n%{http_code}' "http://127.0.0.1:${PORT[$name]}/" || true)"
  code="${out##*$'\n'}"
  if [ "$code" = 200 ] && [[ "$out" == *"hello from backend"* ]]; then return 0; fi
  SKIP[$name]="answers status '${code}' without the backend's body"
  return 1
}

cpu_ticks() {  # utime+stime summed over the given pids
  local total=0 pid s rest f
  for pid in "$@"; do
    s="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
    rest="${s##*) }"
    read -r -a f <<< "$rest"
    total=$(( total + f[11] + f[12] ))
  done
  echo "$total"
}

# Machine-wide ticks: "process_busy steal irq_on_proxy_core". process_busy is user+nice+system over all
# cores (time some process ran); steal is time the hypervisor took; irq_on_proxy_core is irq+softirq on
# the proxy's core, mostly the kernel's loopback TCP work for packets the proxy sends, which no process is
# charged for.
sys_ticks() {
  awk -v pc="cpu$PROXY_CPU" '$1 == "cpu" { busy = $2 + $3 + $4; steal = $9 } $1 == pc { irq = $7 + $8 }
    END { print busy, steal, irq }' /proc/stat
}

show_log() {  # last lines of a log, indented
  [ -f "$1" ] && tail -n "${2:-15}" "$1" | sed 's/^/    | /' >&2 || true
}

# ---------------------------------------------------------------------------------------------- setup
TMP="$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench.XXXXXX")"
chmod 755 "$TMP"   # nginx workers may run as nobody

nginx_conf() {  # $1 dir, $2 events/http body
  mkdir -p "$1/logs"
  cat > "$1/nginx.conf" <<EOF
worker_processes 1;
pid $1/nginx.pid;
error_log $1/logs/error.log warn;
events { worker_connections 4096; multi_accept on; }
http {
    access_log off;
    client_body_temp_path $1/client_body;
    proxy_temp_path $1/proxy;
    fastcgi_temp_path $1/fastcgi;
    uwsgi_temp_path $1/uwsgi;
    scgi_temp_path $1/scgi;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
$2
}
EOF
}

start_nginx() {  # $1 dir, $2 cpu; sets NGINX_PID (not via $(...), so nginx stays our child)
  taskset -c "$2" "$NGINX_BIN" -p "$1/" -c "$1/nginx.conf" -e "$1/logs/error.log" -g 'daemon off;' \
    > "$1/logs/stdout.log" 2>&1 &
  NGINX_PID=$!
  STARTED+=("$NGINX_PID")
}

# The backend: a fixed 19-byte body, on the load core.
nginx_conf "$TMP/backend" "    server {
        listen 127.0.0.1:$BACKEND_PORT;
        default_type text/plain;
        location / { return 200 \"hello from backend\\n\"; }
    }"
start_nginx "$TMP/backend" "$LOAD_CPU"
BACKEND_PID=$NGINX_PID
if ! wait_http "$BACKEND_PID" "$BACKEND_PORT" 10; then
  show_log "$TMP/backend/logs/error.log"; show_log "$TMP/backend/logs/stdout.log"
  die "backend nginx did not start"
fi

want() { [[ " $PROXIES " == *" $1 "* ]]; }

# nginx proxy
if want nginx; then
  nginx_conf "$TMP/nginx-proxy" "    upstream backend {
        server 127.0.0.1:$BACKEND_PORT;
        keepalive 64;
        keepalive_requests 10000000;
        keepalive_timeout 300s;
    }
    server {
        listen 127.0.0.1:${PORT[nginx]};
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
        }
    }"
  start_nginx "$TMP/nginx-proxy" "$PROXY_CPU"
  PID[nginx]=$NGINX_PID
  if ! wait_http "${PID[nginx]}" "${PORT[nginx]}" 10; then
    SKIP[nginx]="did not start"; show_log "$TMP/nginx-proxy/logs/error.log"
  fi
fi

# haproxy
if want haproxy; then
  mkdir -p "$TMP/haproxy"
  cat > "$TMP/haproxy/haproxy.cfg" <<EOF
global
    nbthread 1
    maxconn 4096
defaults
    mode http
    option http-keep-alive
    http-reuse always
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    timeout http-keep-alive 60s
frontend bench
    bind 127.0.0.1:${PORT[haproxy]}
    default_backend backend
backend backend
    server b1 127.0.0.1:$BACKEND_PORT
EOF
  taskset -c "$PROXY_CPU" "$HAPROXY_BIN" -db -f "$TMP/haproxy/haproxy.cfg" > "$TMP/haproxy/haproxy.log" 2>&1 &
  PID[haproxy]=$!
  STARTED+=("${PID[haproxy]}")
  if ! wait_http "${PID[haproxy]}" "${PORT[haproxy]}" 10; then
    SKIP[haproxy]="did not start"; show_log "$TMP/haproxy/haproxy.log"
  fi
fi

# Sluice: "sluice" as a user runs it, with metrics on and an access log written to a file; "sluice-bare"
# with metrics off and no access log, so that the difference is what observability costs.
SLUICE_TRANSPORT="unknown"
start_sluice() { # name port extra-yaml
  local name="$1" port="$2" extra="$3"
  mkdir -p "$TMP/$name"
  cat > "$TMP/$name/sluice.yaml" <<EOF
workers: 1
listeners:
  - name: bench
    bind: 127.0.0.1:${port}
    routes: [ { pool: backend } ]
pools:
  - name: backend
    backends: [ { address: "127.0.0.1:$BACKEND_PORT" } ]
admin: { enabled: false }
$extra
EOF
  # shellcheck disable=SC2086
  taskset -c "$PROXY_CPU" "$JAVA" -XX:+UseParallelGC -Xms256m -Xmx256m $SLUICE_JAVA_OPTS \
    -jar "$SLUICE_JAR" run -c "$TMP/$name/sluice.yaml" > "$TMP/$name/sluice.log" 2>&1 &
  PID[$name]=$!
  STARTED+=("${PID[$name]}")
  if ! wait_http "${PID[$name]}" "$port" "$SLUICE_START_TIMEOUT"; then
    if kill -0 "${PID[$name]}" 2>/dev/null; then
      SKIP[$name]="no answer on 127.0.0.1:$port within ${SLUICE_START_TIMEOUT}s"
    else
      SKIP[$name]="failed to start (process exited)"
    fi
    log "bench: $name ${SKIP[$name]}; its log:"; show_log "$TMP/$name/sluice.log"
  fi
  local t
  t="$(grep -o '[a-z_]* transport' "$TMP/$name/sluice.log" 2>/dev/null | head -n1 | awk '{print $1}' || true)"
  [ -n "$t" ] && SLUICE_TRANSPORT="$t"
}
if want sluice || want sluice-bare; then
  if [ "$SLUICE_JAR" = target/sluice.jar ] && { [ ! -f "$SLUICE_JAR" ] || [ "$REBUILD" = 1 ]; }; then
    log "bench: building Sluice (./mvnw -B -q -DskipTests package)"
    if ! ./mvnw -B -q -DskipTests package >&2; then log "bench: Sluice build failed"; fi
  fi
  for name in sluice sluice-bare; do
    want "$name" || continue
    if [ ! -f "$SLUICE_JAR" ]; then
      SKIP[$name]="not built ($SLUICE_JAR missing)"
    elif ! command -v "$JAVA" >/dev/null 2>&1; then
      SKIP[$name]="no java ('$JAVA' not found)"
    elif [ "$name" = sluice ]; then
      observed="access_log: { enabled: true, format: combined, target: \"$TMP/sluice/access.log\" }"
      start_sluice sluice "${PORT[sluice]}" "${SLUICE_EXTRA_YAML:-$observed}"
    else
      start_sluice sluice-bare "${PORT[sluice-bare]}" "metrics: { enabled: false }"
    fi
  done
fi

ACTIVE=()
for name in $PROXIES; do
  [ -n "${PORT[$name]:-}" ] || die "unknown proxy '$name' in PROXIES (known: nginx haproxy sluice sluice-bare)"
  if [ -z "${SKIP[$name]:-}" ] && check_proxy "$name"; then ACTIVE+=("$name"); fi
  [ -n "${SKIP[$name]:-}" ] && log "bench: $name: ${SKIP[$name]}; going on without it"
done
[ "${#ACTIVE[@]}" -gt 0 ] || die "no proxy is running; nothing to measure"

# ---------------------------------------------------------------------------------------------- header
mkdir -p "$ROOT/bench/out"
STAMP="$(date +%Y%m%d-%H%M%S)"
RESULTS="$ROOT/bench/out/results-$STAMP.txt"
RAW="$TMP/raw.txt"
: > "$RAW"

cpu_model="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
[ -n "$cpu_model" ] || cpu_model="$(uname -m)"
jdk="$("$JAVA" -version 2>&1 | head -n1 || echo 'no java')"
{
  echo "Sluice whole-system benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine:   $(nproc) cores, $cpu_model, Linux $(uname -r)"
  echo "JDK:       $jdk"
  echo "versions:  $("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //'), $("$HAPROXY_BIN" -v | head -n1 | awk '{print "haproxy/"$3}'), $(wrk -v 2>&1 | head -n1 | awk '{print "wrk/"$2}')"
  echo "transport: loopback TCP 127.0.0.1, HTTP/1.1 keep-alive, no TLS, 19-byte body from an nginx backend;"
  echo "           proxies pinned to core $PROXY_CPU, backend + wrk to core $LOAD_CPU; Sluice netty transport: $SLUICE_TRANSPORT"
  echo "load:      wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, $ROUNDS interleaved round(s); warm-up ${WARMUP} (sluice ${WARMUP_SLUICE})"
  for name in $PROXIES; do
    [ -n "${SKIP[$name]:-}" ] && echo "skipped:   $name: ${SKIP[$name]}"
  done
  true
} | tee "$RESULTS"

# ---------------------------------------------------------------------------------------------- runs
# Sets CHILD_CPU_S to the CPU seconds of this shell's reaped children. Call it as a plain command: in $(...)
# `times` would run in a subshell, whose children are none.
children_cpu_s() {
  times > "$TMP/times"
  CHILD_CPU_S="$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } print t }' "$TMP/times")"
}

# wrk once; prints "rps p50_ms p99_ms requests errors wrk_cpu_s" (errors = non-2xx/3xx + socket errors;
# wrk_cpu_s = wrk's own CPU seconds). Call it in this shell with output to a file, never inside $(...):
# the shell runs traps only between commands, and a 10 s command substitution would hold off Ctrl-C.
run_wrk() {
  local port=$1 dur=$2 out=$3 rc=0 before after
  children_cpu_s; before="$CHILD_CPU_S"
  taskset -c "$LOAD_CPU" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$dur" --latency --timeout 5s \
    "http://127.0.0.1:$port/" > "$out" 2>&1 &
  echo $! > "$TMP/wrk.pid"
  wait $! || rc=$?
  rm -f "$TMP/wrk.pid"
  [ "$rc" -eq 0 ] || return "$rc"
  children_cpu_s; after="$CHILD_CPU_S"
  awk -v wrk_s="$(awk -v a="$before" -v b="$after" 'BEGIN { print b - a }')" '
    function ms(v,   n, u) { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
      if (u == "us") return n / 1000; if (u == "ms") return n; if (u == "s") return n * 1000
      if (u == "m") return n * 60000; if (u == "h") return n * 3600000; return n }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    / requests in / { req = $1 }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { bad += $NF }
    /Socket errors:/ { gsub(/,/, ""); bad += $4 + $6 + $8 + $10 }
    END { if (rps == "" || req == "") exit 1; printf "%s %.3f %.3f %d %d %s\n", rps, p50, p99, req, bad, wrk_s }
  ' "$out"
}

measure() {  # $1 round, $2 proxy
  local round=$1 name=$2 pids bpids t0 t1 c0 c1 k0 k1 s0 s1 rps p50 p99 req bad wrk_s
  # shellcheck disable=SC2207
  pids=($(descendants "${PID[$name]}"))
  # shellcheck disable=SC2207
  bpids=($(descendants "$BACKEND_PID"))
  k0="$(cpu_ticks "${bpids[@]}")"; s0="$(sys_ticks)"
  c0="$(cpu_ticks "${pids[@]}")"; t0="$(date +%s%N)"
  if ! run_wrk "${PORT[$name]}" "$DURATION" "$TMP/wrk-$name-$round.txt" > "$TMP/res"; then
    log "bench: round $round $name: wrk failed:"; show_log "$TMP/wrk-$name-$round.txt"
    return 0
  fi
  c1="$(cpu_ticks "${pids[@]}")"; t1="$(date +%s%N)"
  k1="$(cpu_ticks "${bpids[@]}")"; s1="$(sys_ticks)"
  kill -0 "${PID[$name]}" 2>/dev/null || log "bench: $name died during round $round"
  read -r rps p50 p99 req bad wrk_s < "$TMP/res"
  awk -v r="$round" -v n="$name" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v req="$req" -v bad="$bad" \
      -v ticks="$((c1 - c0))" -v hz="$CLK_TCK" -v ns="$((t1 - t0))" \
      -v known="$(( (c1 - c0) + (k1 - k0) ))" -v s0="$s0" -v s1="$s1" -v wrk_s="$wrk_s" 'BEGIN {
    split(s0, a, " "); split(s1, b, " ")
    cpu_us = ticks * 1e6 / hz
    other_pct = ((b[1] - a[1] - known) / hz - wrk_s) * 1e11 / ns; if (other_pct < 0) other_pct = 0
    steal_pct = (b[2] - a[2]) / hz * 1e11 / ns
    sirq_us = (b[3] - a[3]) * 1e6 / hz
    printf "%d %s %.0f %.3f %.3f %.2f %.0f %d %d %.0f %.0f %.2f\n", r, n, rps, p50, p99, (req > 0 ? cpu_us / req : 0),
      cpu_us * 100000 / ns, req, bad, other_pct, steal_pct, (req > 0 ? sirq_us / req : 0) }' >> "$RAW"
  tail -n1 "$RAW" | awk -v lim="$OTHER_WARN" '{
    printf "  round %s %-8s %6s req/s  p50 %6.3f ms  p99 %6.3f ms  CPU %6.2f us/req (+%5.2f softirq)  core %3s%%  other %3s%%  steal %2s%%  errors %s\n",
      $1, $2, $3, $4, $5, $6, $12, $7, $10, $11, $9
    if ($10 > lim) printf "    warning: other processes used %s%% of a core during this run; its numbers are disturbed\n", $10
    if ($11 > lim) printf "    warning: the hypervisor stole %s%% of a core during this run; its numbers are disturbed\n", $11 }' \
    | tee -a "$RESULTS"
}

echo "warm-up:" | tee -a "$RESULTS"
for name in "${ACTIVE[@]}"; do
  w="$WARMUP"; case "$name" in sluice*) w="$WARMUP_SLUICE" ;; esac
  if run_wrk "${PORT[$name]}" "$w" "$TMP/warmup-$name.txt" > "$TMP/warmup-$name.res"; then
    awk -v n="$name" -v w="$w" '{ printf "  %-8s %s, %s req/s, errors %s\n", n, w, $1, $5 }' "$TMP/warmup-$name.res" | tee -a "$RESULTS"
  else
    log "bench: warm-up of $name failed:"; show_log "$TMP/warmup-$name.txt"
  fi
  sleep "$PAUSE"
done

echo "runs (order rotates each round):" | tee -a "$RESULTS"
n_active=${#ACTIVE[@]}
for round in $(seq 1 "$ROUNDS"); do
  for i in $(seq 0 $((n_active - 1))); do
    name="${ACTIVE[$(( (i + round - 1) % n_active ))]}"
    measure "$round" "$name"
    sleep "$PAUSE"
  done
done

# ---------------------------------------------------------------------------------------------- summary
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "NA"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
col() { awk -v n="$1" -v c="$2" '$2 == n { print $c }' "$RAW" | median; }

{
  echo
  echo "raw: round proxy req/s p50_ms p99_ms cpu_us_per_req proxy_core_pct requests errors other_pct steal_pct softirq_us_per_req"
  sed 's/^/  /' "$RAW"
  echo
  echo "medians over $ROUNDS round(s); ratios are to nginx (req/s: higher is better; CPU/req: lower is better)."
  echo "CPU_us/req is the proxy's own CPU; sirq_us is kernel irq/softirq time on the proxy's core per request;"
  echo "core% is the proxy's use of its core; other%/steal% are CPU used by unrelated processes / the hypervisor."
  printf '%-11s %8s %8s %8s %11s %8s %6s %7s %7s %7s %13s %13s\n' proxy req/s p50_ms p99_ms CPU_us/req sirq_us core% other% steal% errors rps_vs_nginx cpu_vs_nginx
  ng_rps="$(col nginx 3)"; ng_cpu="$(col nginx 6)"
  for name in $PROXIES; do
    if [ -n "${SKIP[$name]:-}" ]; then printf '%-11s %s\n' "$name" "not measured: ${SKIP[$name]}"; continue; fi
    rps="$(col "$name" 3)"
    if [ "$rps" = NA ]; then printf '%-11s %s\n' "$name" "no successful run"; continue; fi
    awk -v n="$name" -v rps="$rps" -v p50="$(col "$name" 4)" -v p99="$(col "$name" 5)" -v cpu="$(col "$name" 6)" \
        -v core="$(col "$name" 7)" -v oth="$(col "$name" 10)" -v stl="$(col "$name" 11)" -v sirq="$(col "$name" 12)" -v bad="$(col "$name" 9)" -v nr="$ng_rps" -v nc="$ng_cpu" 'BEGIN {
      rr = (nr == "NA" || nr == 0) ? "NA" : sprintf("%.2f", rps / nr)
      cr = (nc == "NA" || nc == 0) ? "NA" : sprintf("%.2f", cpu / nc)
      printf "%-11s %8.0f %8.3f %8.3f %11.2f %8.2f %5.0f%% %6.0f%% %6.0f%% %7d %13s %13s\n", n, rps, p50, p99, cpu, sirq, core, oth, stl, bad, rr, cr }'
  done
  if [ -z "${SKIP[sluice]:-}" ] && [ -z "${SKIP[sluice-bare]:-}" ] && want sluice && want sluice-bare; then
    # Paired by round: the two Sluices run back to back in each round, so their ratio cancels most of the
    # drift a noisy machine adds between rounds; the median of those ratios is the figure to read.
    paired="$(awk '$2 == "sluice" { on[$1] = $6 } $2 == "sluice-bare" { off[$1] = $6 }
      END { for (r in on) if (r in off && off[r] > 0) print on[r] / off[r] }' "$RAW" | median)"
    awk -v on="$(col sluice 6)" -v off="$(col sluice-bare 6)" -v paired="$paired" 'BEGIN {
      if (on != "NA" && off != "NA" && off > 0)
        printf "\nobservability cost: sluice (metrics + access log) %.2f us/req vs sluice-bare (both off) %.2f us/req (medians: %+.1f%%);\n", on, off, (on / off - 1) * 100
      if (paired != "NA")
        printf "  median of the per-round ratios: %+.1f%% CPU per request\n", (paired - 1) * 100 }'
  fi
  echo
  echo "results: $RESULTS"
} | tee -a "$RESULTS"
