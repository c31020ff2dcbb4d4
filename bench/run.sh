#!/usr/bin/env bash
# Whole-system benchmark: Sluice against nginx and haproxy as HTTP/1.1 reverse proxies, on loopback.
#
# Each proxy runs alone on one core (PROXY_CPU, default 0); the nginx backend and wrk share the other
# (LOAD_CPU, default 1). Rounds are interleaved so slow drift (thermal, noisy neighbours) hits every proxy
# alike. Per run it records req/s, p50/p99 latency and the proxy's own CPU time per request, then prints
# medians and ratios to nginx. Not a test: it never fails on numbers. See bench/README.md.
#
# MODE=h2 measures HTTPS + HTTP/2 instead: nginx and Sluice terminate TLS (one self-signed EC P-256
# certificate made with openssl for the run) and speak HTTP/2 to h2load, HTTP/1.1 keep-alive to the same
# backend. MODE="http1 h2" runs both, one after the other.
#
# MODE=l4 measures Sluice's tcp and udp listeners against haproxy (mode tcp) and nginx (stream): TCP
# throughput of one long iperf3 stream each way, new TCP connections per second (wrk with Connection: close),
# and UDP datagrams per second (iperf3 -u); the proxy's CPU per GB, per connection, per datagram. It lives in
# bench/l4.sh, which this script sources after its shared helpers. MODE="http1 h2 l4" runs all three.
#
# MODE=reload measures Sluice alone under wrk load (keep-alive, and Connection: close) with and without a
# reload every RELOAD_EVERY seconds (default 0.2) that moves a backend in and out and changes weights: req/s,
# p50, p99 and errors of both (bench/reload.sh).
#
# Knobs (environment): ROUNDS=3 DURATION=10s CONNECTIONS=50 THREADS=1 WARMUP=3s WARMUP_SLUICE=20s
#   WARMUP_PARTS=4 (a Sluice's warm-up is that many load runs back to back, each with new connections)
#   PROXIES="nginx haproxy sluice sluice-bare" (also sluice-filters: sluice-bare plus a route with rate_limit,
#   sticky and security_headers; "sluice-bare sluice-filters" prints what the filters cost; and sluice-base:
#   sluice-bare run from SLUICE_BASE_JAR, another build such as the last commit's, for an A/B of a change; STICKY_RETURNING=1
#   makes wrk send the sticky cookie, as returning clients do) PROXY_CPU=0 LOAD_CPU=1 PAUSE=1 JAVA=java SLUICE_JAR=target/sluice.jar
#   SLUICE_JAVA_OPTS="" (extra JVM options, e.g. -Dsluice.transport=nio) SLUICE_START_TIMEOUT=30 (seconds)
#   SLUICE_EXTRA_YAML="..." (top-level YAML added to the "sluice" proxy's config instead of its access log)
#   OTHER_WARN=15 (warn when other processes, or hypervisor steal, take more than this % of a core in a run)
#   REBUILD=1 (rebuild target/sluice.jar even if it exists; by default it is built only when missing)
#   MODE=http1 (or h2, l4, or several: "http1 h2 l4"). MODE=h2 only: H2_CLIENTS=10 H2_STREAMS=5 (h2load -c / -m; 50 requests
#   in flight, as many as wrk's 50 connections) H2_TLS13_CIPHERS=TLS_AES_128_GCM_SHA256 (what h2load offers,
#   so every proxy gets the same cipher) H2_PERCENTILES=0 (1: p50/p99 from h2load's per-request log) H2LOAD=h2load
#   MODE=l4 only: L4_MEASURES="tcp tcp-R conn udp" L4_CONNECTIONS=50 (wrk -c for conn) UDP_BITRATE=200M UDP_LEN=512
#   (iperf3 -u -b / -l) UDP_LOSS_WARN=1 (%); PROXIES defaults to "nginx haproxy sluice"
#   BODY=512 / 16k / 1m (k = 1024): the backend serves a body of exactly that size from a file (unset: its 19-byte
#   `return`); from 4 KiB on the runs also print MB/s and the proxy's CPU ms per MB. CONN_CLOSE=1: wrk sends
#   Connection: close, so every request is a new client connection. WARMUP_REPORT=1 (http1): for each Sluice, ROUNDS
#   fresh starts measured for WARMUP_WINDOW=10s with no warm-up, printed beside the steady state.
#   SLUICE_HEAP_OPTS="-XX:+UseSerialGC -Xms64m -Xmx512m -XX:+ExitOnOutOfMemoryError" (the ./sluice launcher's
#   defaults on 1-2 cores; empty for the JVM's own)
#   SLUICE_TRANSPORT=io_uring|epoll|nio forces Sluice's transport (passed on as -Dsluice.transport).
#   UPSTREAM_CONNS=N: each proxy opens at most N connections to the backend and queues the requests beyond
#   (Sluice's pool connection_limit, haproxy's server maxconn; nginx has no queue, so it runs two workers, each with
#   its own file limit); for CONNECTIONS=10000 under an open-file limit of 20,000.
#
# MODE=idle: for each proxy, fresh starts; IDLE_CONNECTIONS=10000 keep-alive connections that each send one GET and
# then stay open (bench/clients.py, IDLE_PARALLEL=100 opening at once); the proxy's RSS before and with them.
# MODE=startup: for each proxy, ROUNDS fresh starts; time from launch to the first proxied 200 (polled every
# STARTUP_POLL=0.01 s). Both live in bench/fresh.sh; PROXIES defaults to "nginx haproxy sluice".
#
# MODE=turn runs bench/turn.sh: Sluice's TURN relay against coturn with turnutils_uclient (its own knobs: CLIENTS,
# INTERVAL, MESSAGES, SIZE, ROUNDS, TURN_MODE=channel|send; see that script's header).
set -euo pipefail

MODE="${MODE:-http1}"
if [[ "$MODE" == *" "* ]]; then  # several modes: one run of this script per mode
  rc=0
  for m in $MODE; do MODE="$m" "${BASH_SOURCE[0]}" || rc=$?; done
  exit "$rc"
fi
case "$MODE" in
  http1|h2|l4|reload|idle|startup) ;;
  turn) exec "$(dirname "${BASH_SOURCE[0]}")/turn.sh" ;;  # its own script, knobs and output (TURN_MODE=send for indications)
  *) printf 'bench: unknown MODE %s (known: http1 h2 l4 reload idle startup turn)\n' "$MODE" >&2; exit 1 ;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-50}"
UPSTREAM_CONNS="${UPSTREAM_CONNS:-}"
THREADS="${THREADS:-1}"
WARMUP="${WARMUP:-3s}"
WARMUP_SLUICE="${WARMUP_SLUICE:-20s}"
WARMUP_PARTS="${WARMUP_PARTS:-4}"
case "$WARMUP_PARTS" in ''|*[!0-9]*|0) printf 'bench: WARMUP_PARTS must be a whole number of at least 1\n' >&2; exit 1 ;; esac
if [ "$MODE" = h2 ]; then PROXIES="${PROXIES:-nginx sluice sluice-bare}"
elif [ "$MODE" = l4 ] || [ "$MODE" = idle ] || [ "$MODE" = startup ]; then PROXIES="${PROXIES:-nginx haproxy sluice}"
else PROXIES="${PROXIES:-nginx haproxy sluice sluice-bare}"; fi
PROXY_CPU="${PROXY_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
PAUSE="${PAUSE:-1}"
JAVA="${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}"
SLUICE_JAR="${SLUICE_JAR:-target/sluice.jar}"
SLUICE_BASE_JAR="${SLUICE_BASE_JAR:-}"
SLUICE_JAVA_OPTS="${SLUICE_JAVA_OPTS:-}"
# Heap and GC for the throughput modes; MODE=idle and MODE=startup measure the JVM's own defaults.
# What ./sluice gives a proxy on one or two cores (the launcher's JVM defaults); the bench runs the jar itself.
SLUICE_HEAP_OPTS="${SLUICE_HEAP_OPTS--XX:+UseSerialGC -Xms64m -Xmx512m -XX:+ExitOnOutOfMemoryError}"
# SLUICE_TRANSPORT forces Sluice's transport. This script uses the name for the transport Sluice logged, so the
# choice travels as -Dsluice.transport (every Sluice started here gets SLUICE_JAVA_OPTS) and the variable is not
# passed on to children.
if [ -n "${SLUICE_TRANSPORT:-}" ]; then
  SLUICE_JAVA_OPTS="$SLUICE_JAVA_OPTS -Dsluice.transport=$SLUICE_TRANSPORT"
fi
export -n SLUICE_TRANSPORT 2>/dev/null || true
SLUICE_START_TIMEOUT="${SLUICE_START_TIMEOUT:-30}"
REBUILD="${REBUILD:-0}"
OTHER_WARN="${OTHER_WARN:-15}"
H2_CLIENTS="${H2_CLIENTS:-10}"
H2_STREAMS="${H2_STREAMS:-5}"
H2_TLS13_CIPHERS="${H2_TLS13_CIPHERS:-TLS_AES_128_GCM_SHA256}"
H2_PERCENTILES="${H2_PERCENTILES:-0}"
H2LOAD="${H2LOAD:-h2load}"
BODY="${BODY:-}"
CONN_CLOSE="${CONN_CLOSE:-0}"
# wrk counts a request unanswered after this long as an error. With thousands of connections the queueing alone
# (connections / req/s) can pass 5 s, so many connections get more time.
WRK_TIMEOUT="${WRK_TIMEOUT:-$(( CONNECTIONS > 1000 ? 30 : 5 ))s}"
WARMUP_REPORT="${WARMUP_REPORT:-0}"
WARMUP_WINDOW="${WARMUP_WINDOW:-10s}"
IDLE_CONNECTIONS="${IDLE_CONNECTIONS:-10000}"
IDLE_PARALLEL="${IDLE_PARALLEL:-100}"
STARTUP_POLL="${STARTUP_POLL:-0.01}"
PYTHON="${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || echo python3)}"

# BODY in bytes: 512, 16k, 16KiB, 1m, 1MiB (k and m are powers of 1024). Empty: the backend's 19-byte `return`.
BODY_BYTES=19
if [ -n "$BODY" ]; then
  BODY_BYTES="$(awk -v b="$BODY" 'BEGIN { if (b !~ /^[0-9]+([kKmM](i?[bB])?|[bB])?$/) exit 1; n = b + 0; u = tolower(b)
    if (u ~ /k/) n *= 1024; else if (u ~ /m/) n *= 1048576; print n }')" || {
    printf 'bench: BODY=%s is not a size (e.g. 512, 16k, 1m)\n' "$BODY" >&2; exit 1; }
  [ "$BODY_BYTES" -ge 1 ] || { printf 'bench: BODY must be at least 1 byte\n' >&2; exit 1; }
fi
BIG_BODY=0; [ "$BODY_BYTES" -ge 4096 ] && BIG_BODY=1   # MB/s and CPU per MB are printed from 4 KiB on

# Connection limits: every proxy and the backend are configured for the most connections this run opens, with
# room for the other side of each (upstream connections) and for the checks.
HIGH_CONN="$CONNECTIONS"
if [ "$MODE" = idle ] && [ "$IDLE_CONNECTIONS" -gt "$HIGH_CONN" ]; then HIGH_CONN="$IDLE_CONNECTIONS"; fi
PROXY_MAXCONN=$(( HIGH_CONN + 1024 > 4096 ? HIGH_CONN + 1024 : 4096 ))          # haproxy maxconn
NGINX_WORKER_CONN=$(( 2 * HIGH_CONN + 1024 > 4096 ? 2 * HIGH_CONN + 1024 : 4096 ))  # client + upstream
NOFILE_NEED=$(( 2 * HIGH_CONN + 4096 ))
if [ -n "$UPSTREAM_CONNS" ]; then
  [[ "$UPSTREAM_CONNS" =~ ^[1-9][0-9]*$ ]] || { printf 'bench: UPSTREAM_CONNS must be a number of connections\n' >&2; exit 1; }
  [ "$MODE" = http1 ] || { printf 'bench: UPSTREAM_CONNS is for MODE=http1\n' >&2; exit 1; }
  # Each proxy holds the clients and at most UPSTREAM_CONNS upstream connections (nginx: per worker, about half
  # the clients and as many upstream connections); the backend holds the proxies' upstream connections.
  NOFILE_NEED=$(( HIGH_CONN + UPSTREAM_CONNS + 4096 ))
fi
# MODE=idle opens connections IDLE_PARALLEL at a time: a proxy needs upstream connections for those only.
[ "$MODE" = idle ] && NOFILE_NEED=$(( HIGH_CONN + 2 * IDLE_PARALLEL + 4096 ))

BACKEND_PORT=18081
declare -A PORT=([nginx]=18082 [haproxy]=18083 [sluice]=18084 [sluice-bare]=18085 [sluice-filters]=18086 [sluice-base]=18087)
declare -A PID=()        # proxy name -> pid of the process we started
declare -A SKIP=()       # proxy name -> why it is not measured
STARTED=()               # every pid we started, for cleanup
TMP=""

log() { printf '%s\n' "$*" >&2; }
die() { log "bench: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------- cleanup
# descendants, running, cleanup and the traps; cpu_ticks and sys_ticks
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ---------------------------------------------------------------------------------------------- tools
install_tools() {
  local missing=() sudo=""
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  if [ "$MODE" = reload ]; then
    command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  fi
  if [ "$MODE" = http1 ] || [ "$MODE" = l4 ]; then
    command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
    command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  fi
  if [ "$MODE" = idle ] || [ "$MODE" = startup ]; then  # no load generator: bench/clients.py is the client
    command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
    command -v "$PYTHON" >/dev/null 2>&1 || missing+=(python3)
  fi
  if [ "$MODE" = l4 ]; then
    command -v iperf3 >/dev/null 2>&1 || missing+=(iperf3)
    command -v ss >/dev/null 2>&1 || missing+=(iproute2)
  elif [ "$MODE" = h2 ]; then
    command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  fi
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

# Like install_tools for one package, but returns 1 where install_tools dies.
try_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then command -v sudo >/dev/null 2>&1 || return 1; sudo="sudo"; fi
  command -v apt-get >/dev/null 2>&1 || return 1
  log "bench: installing $1 with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q "$1" >&2 && return 0
  log "bench: install failed; running apt-get update and retrying"
  $sudo apt-get update -q >&2 && $sudo apt-get install -y -q "$1" >&2
}

install_tools
# MODE=h2 without h2load is skipped, not failed: the HTTP/1.1 mode does not need it.
if [ "$MODE" = h2 ] && ! command -v "$H2LOAD" >/dev/null 2>&1; then
  [ "$H2LOAD" = h2load ] && { try_install nghttp2-client || true; }
  if ! command -v "$H2LOAD" >/dev/null 2>&1; then
    log "bench: MODE=h2 needs h2load ('$H2LOAD' not found); install it with: sudo apt-get install -y nghttp2-client"
    log "bench: skipping MODE=h2"
    exit 0
  fi
fi
export PATH="$PATH:/usr/sbin:/sbin"
NGINX_BIN="$(command -v nginx)"
HAPROXY_BIN="$(command -v haproxy || true)"
CLK_TCK="$(getconf CLK_TCK)"

# Open files: wrk, the idle client and every proxy started from here inherit this shell's limit. Raises the soft
# limit to NOFILE_NEED, and the hard one too when that is lower and we may (root); warns when neither works.
raise_nofile() {
  local soft hard
  soft="$(ulimit -Sn)"; hard="$(ulimit -Hn)"
  [ "$soft" = unlimited ] || [ "$soft" -ge "$NOFILE_NEED" ] && return 0
  if [ "$hard" = unlimited ] || [ "$hard" -ge "$NOFILE_NEED" ]; then ulimit -Sn "$NOFILE_NEED"; return 0; fi
  ulimit -Hn "$NOFILE_NEED" 2>/dev/null && ulimit -Sn "$NOFILE_NEED" && return 0
  ulimit -Sn "$hard"
  log "bench: warning: open files are limited to $hard (the hard limit, which this shell cannot raise), and $HIGH_CONN"
  log "       connections need about $NOFILE_NEED in a proxy (each client connection and its upstream one); proxies may"
  log "       run out of files: raise the hard limit (root with CAP_SYS_RESOURCE, limits.conf, docker --ulimit nofile=...)"
}
raise_nofile
NOFILE="$(ulimit -Sn)"; [ "$NOFILE" = unlimited ] && NOFILE=1048576
# nginx cannot go past the limit either: ask for no more, so it says "worker_connections are not enough" rather
# than failing accept() with EMFILE.
NGINX_NOFILE=$(( NGINX_WORKER_CONN + 1024 < NOFILE ? NGINX_WORKER_CONN + 1024 : NOFILE ))
[ "$NGINX_WORKER_CONN" -gt $(( NGINX_NOFILE - 64 )) ] && NGINX_WORKER_CONN=$(( NGINX_NOFILE - 64 ))

# ---------------------------------------------------------------------------------------------- helpers
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

for p in "$BACKEND_PORT" "${PORT[nginx]}" "${PORT[haproxy]}" "${PORT[sluice]}" "${PORT[sluice-bare]}" "${PORT[sluice-filters]}" "${PORT[sluice-base]}"; do
  port_in_use "$p" && die "127.0.0.1:$p is already in use; stop whatever listens there first"
done

# curl to a proxy: plain http, or with MODE=h2 https and HTTP/2, checking the run's certificate.
proxy_curl() {  # port, curl options...
  local port=$1; shift
  if [ "$MODE" = h2 ]; then
    curl -s --http2 --cacert "$TMP/tls/cert.pem" "$@" "https://127.0.0.1:$port/"
  else
    curl -s "$@" "http://127.0.0.1:$port/"
  fi
}

# Waits until 127.0.0.1:port answers HTTP (the backend), or the proxy on it does (proxy as 4th argument).
# Returns 1 if the process died or time ran out.
wait_http() {
  local pid=$1 port=$2 timeout=$3 proxy=${4:-} deadline
  deadline=$(( $(date +%s) + timeout ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    if [ -n "$proxy" ]; then
      proxy_curl "$port" -o /dev/null --max-time 1 && return 0
    else
      curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && return 0
    fi
    sleep 0.2
  done
  return 1
}

# Checks that a proxy passes the backend's answer through: status 200 and the backend's body, byte for byte
# ($TMP/backend/expected: the 19-byte `return`, or the BODY file).
check_proxy() {
  local name=$1 out code version size
  out="$(proxy_curl "${PORT[$name]}" --max-time 5 -o "$TMP/check.body" -w '%{http_code} %{http_version} %{size_download}' || true)"
  read -r code version size <<< "$out"
  if [ "$MODE" = h2 ] && [ "$version" != 2 ]; then
    SKIP[$name]="answers over HTTP/'${version}', not HTTP/2"
    return 1
  fi
  if [ "$code" = 200 ] && cmp -s "$TMP/check.body" "$TMP/backend/expected"; then return 0; fi
  SKIP[$name]="answers status '${code}' with ${size:-no} body bytes, not the backend's $BODY_BYTES"
  return 1
}


show_log() {  # last lines of a log, indented
  [ -f "$1" ] && tail -n "${2:-15}" "$1" | sed 's/^/    | /' >&2 || true
}

want() { [[ " $PROXIES " == *" $1 "* ]]; }

start_nginx() {  # $1 dir, $2 cpu; sets NGINX_PID (not via $(...), so nginx stays our child)
  taskset -c "$2" "$NGINX_BIN" -p "$1/" -c "$1/nginx.conf" -e "$1/logs/error.log" -g 'daemon off;' \
    > "$1/logs/stdout.log" 2>&1 &
  NGINX_PID=$!
  STARTED+=("$NGINX_PID")
}

# Sets CHILD_CPU_S to the CPU seconds of this shell's reaped children. Call it as a plain command: in $(...)
# `times` would run in a subshell, whose children are none.
children_cpu_s() {
  times > "$TMP/times"
  CHILD_CPU_S="$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } print t }' "$TMP/times")"
}

# Whole seconds (at least 1) of a wrk-style duration: 10s, 2m, 500ms, 7.
secs_of() {
  awk -v d="$1" 'BEGIN { n = d + 0; u = d; sub(/^[0-9.]+/, "", u)
    if (u == "ms") n /= 1000; else if (u == "m") n *= 60; else if (u == "h") n *= 3600
    s = int(n); if (s < n) s++; if (s < 1) s = 1; print s }'
}

# Warm-up of proxy $1 with load function $2 (run_wrk or run_h2load), which prints a result line to stdout:
# WARMUP for nginx and haproxy; for a Sluice, WARMUP_SLUICE split into WARMUP_PARTS runs back to back, each
# with new connections. One long run opens its connections once, while the JIT has compiled nothing yet, so the
# compiled code would never have seen a connection open or close; the first measured round would then pay for
# recompiling (HotSpot's deoptimisation traps at the new connections, seconds of C2 time). A proxy in service
# sees connections come and go all the time. Leaves the last run's result in $TMP/warmup-$1.res.
warm_up() {
  local name="$1" load="$2" w="$WARMUP" parts=1 part detail
  case "$name" in sluice*) w="$WARMUP_SLUICE"; parts="$WARMUP_PARTS" ;; esac
  if [ "$parts" -gt 1 ]; then w="$(( ( $(secs_of "$w") + parts - 1 ) / parts ))s"; fi
  for part in $(seq 1 "$parts"); do
    # As between measured runs: the proxy closes the last run's connections before the next run opens its own
    # (with CONNECTIONS near a proxy's connection limit, the two sets at once would be over it).
    [ "$part" -eq 1 ] || sleep "$PAUSE"
    if ! "$load" "${PORT[$name]}" "$w" "$TMP/warmup-$name.txt" > "$TMP/warmup-$name.res"; then
      log "bench: warm-up of $name failed:"; show_log "$TMP/warmup-$name.txt"
      return 1
    fi
    # What the load tool counted as errors, by kind (wrk: failed connects, reads, writes, timeouts, non-2xx).
    detail="$(grep -E 'Socket errors|Non-2xx' "$TMP/warmup-$name.txt" 2>/dev/null | sed 's/^ *//' | paste -sd ';' - || true)"
    [ -z "$detail" ] || log "bench: warm-up run $part of $parts of $name: $detail"
  done
  WARMED="$w"
  if [ "$parts" -gt 1 ]; then WARMED="$parts x $w"; fi
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "NA"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
col() { awk -v n="$1" -v c="$2" '$2 == n { print $c }' "$RAW" | median; }
colf() { awk -v n="$2" -v c="$3" '$2 == n { print $c }' "$1" | median; }  # file proxy column

# Per-round ratios of proxy $1 to proxy $2 in column $3 of $RAW, one a line, for the rounds both ran in.
round_ratios() {
  awk -v a="$1" -v b="$2" -v c="$3" '$2 == a { x[$1] = $c } $2 == b { y[$1] = $c }
    END { for (r in x) if ((r in y) && y[r] > 0) print x[r] / y[r] }' "$RAW"
}

# Per-round CPU ratios to nginx: $1 is the column of CPU per request in $RAW. Each proxy runs in the same round as
# nginx, minutes apart at most, so dividing round by round cancels most of the drift a shared VM adds between rounds
# (whole rounds here move by 15%); prints, per proxy, the median of those ratios, their range and in how many rounds
# the proxy used no more CPU per request than nginx.
paired_vs_nginx() {
  want nginx && [ -z "${SKIP[nginx]:-}" ] || return 0
  local name line header_done=""
  for name in $PROXIES; do
    [ "$name" != nginx ] && [ -z "${SKIP[$name]:-}" ] || continue
    line="$(round_ratios "$name" nginx "$1" | sort -g |
      awk '{ a[NR] = $1; if ($1 <= 1) le++ } END { if (NR == 0) exit
        m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        printf "%.2f (rounds %.2f to %.2f; at most 1.00 in %d of %d)", m, a[1], a[NR], le, NR }')"
    [ -n "$line" ] || continue
    [ -n "${header_done:-}" ] || { echo; echo "CPU per request vs nginx, paired by round (median of the per-round ratios):"; header_done=1; }
    printf '  %-14s %s\n' "$name" "$line"
  done
}

# Builds target/sluice.jar when it is missing (or REBUILD=1); a failed build is reported, and the caller
# skips Sluice because the jar is still missing.
ensure_sluice_jar() {
  if [ "$SLUICE_JAR" = target/sluice.jar ] && { [ ! -f "$SLUICE_JAR" ] || [ "$REBUILD" = 1 ]; }; then
    log "bench: building Sluice (./mvnw -B -q -DskipTests package)"
    if ! ./mvnw -B -q -DskipTests package >&2; then log "bench: Sluice build failed"; fi
  fi
}

# Starts haproxy on $TMP/haproxy/haproxy.cfg on the proxy core, without waiting.
spawn_haproxy() {
  taskset -c "$PROXY_CPU" "$HAPROXY_BIN" -db -f "$TMP/haproxy/haproxy.cfg" > "$TMP/haproxy/haproxy.log" 2>&1 &
  PID[haproxy]=$!
  STARTED+=("${PID[haproxy]}")
}

# Starts haproxy and waits until PORT answers HTTP.
launch_haproxy() {  # port
  spawn_haproxy
  if ! wait_http "${PID[haproxy]}" "$1" 10 proxy; then
    SKIP[haproxy]="did not start"; show_log "$TMP/haproxy/haproxy.log"
  fi
}

# The JVM options every Sluice gets here, in this order: SLUICE_HEAP_OPTS, then SLUICE_JAVA_OPTS.
sluice_jvm_opts() { echo "$SLUICE_HEAP_OPTS $SLUICE_JAVA_OPTS" | awk '{ $1 = $1; print }'; }
# With -XX:SharedArchiveFile in the options: whether this JVM maps that archive for the jar (a missing or stale
# archive is no error: the JVM just starts without it). Empty otherwise.
sluice_cds() {
  local out
  [[ " $SLUICE_JAVA_OPTS $SLUICE_HEAP_OPTS" == *SharedArchiveFile=* ]] || return 0
  # shellcheck disable=SC2086
  out="$("$JAVA" $SLUICE_HEAP_OPTS $SLUICE_JAVA_OPTS -Xlog:cds=info -cp "$SLUICE_JAR" -version 2>&1 || true)"
  if ! grep -q 'sharing)' <<< "$out"; then echo "not used: the JVM runs without class data sharing (archive missing or unreadable?)"
  elif grep -qiE 'unable to use|mismatch|not found|failed' <<< "$out"; then  # the JVM's reason first, if it gave one
    echo "not used: $( { grep -m1 'UseSharedSpaces: ' <<< "$out" || grep -m1 -iE 'unable to use|mismatch|not found|failed' <<< "$out"; } \
      | sed -E 's/^(\[[^]]*\])+ *//; s/^UseSharedSpaces: //')"
  elif grep -q 'Mapped dynamic region' <<< "$out"; then echo "used (a dynamic archive on top of the JDK's)"
  else echo "used"; fi
}

# The jar a Sluice runs: SLUICE_BASE_JAR for "sluice-base", SLUICE_JAR for the others.
sluice_jar() {  # name
  if [ "$1" = sluice-base ]; then echo "$SLUICE_BASE_JAR"; else echo "$SLUICE_JAR"; fi
}

sluice_cmd() {  # the command line of every Sluice here, for the output
  local o
  o="$(sluice_jvm_opts)"
  if [ -n "$o" ]; then echo "$JAVA $o -jar $SLUICE_JAR"; else echo "$JAVA -jar $SLUICE_JAR (no JVM options: the JVM's defaults)"; fi
}

# Starts the Sluice whose config is $TMP/NAME/sluice.yaml on the proxy core, without waiting; its log
# (appended to, so restarts keep the earlier lines) is $TMP/NAME/sluice.log.
spawn_sluice() {  # name
  # shellcheck disable=SC2086
  taskset -c "$PROXY_CPU" "$JAVA" $SLUICE_HEAP_OPTS $SLUICE_JAVA_OPTS \
    -jar "$(sluice_jar "$1")" run -c "$TMP/$1/sluice.yaml" >> "$TMP/$1/sluice.log" 2>&1 &
  PID[$1]=$!
  STARTED+=("${PID[$1]}")
}

# Starts the Sluice whose config is $TMP/NAME/sluice.yaml on the proxy core and waits until PORT answers; on
# failure NAME is skipped with the reason (WHERE names what did not answer).
launch_sluice() {  # name port where
  local name="$1" port="$2" where="$3"
  spawn_sluice "$name"
  if ! wait_http "${PID[$name]}" "$port" "$SLUICE_START_TIMEOUT" proxy; then
    if kill -0 "${PID[$name]}" 2>/dev/null; then
      SKIP[$name]="no answer $where within ${SLUICE_START_TIMEOUT}s"
    else
      SKIP[$name]="failed to start (process exited)"
    fi
    log "bench: $name ${SKIP[$name]}; its log:"; show_log "$TMP/$name/sluice.log"
  fi
  sluice_transport "$TMP/$name/sluice.log"
}

# Starts "sluice" (metrics on, plus SLUICE_EXTRA_YAML or OBSERVED) and "sluice-bare" (metrics off) with STARTER,
# a function taking a name and extra top-level YAML, when PROXIES wants them and the jar and java are there.
start_sluices() {  # starter observed-yaml
  local starter="$1" observed="$2" name
  want sluice || want sluice-bare || want sluice-filters || want sluice-base || return 0
  ensure_sluice_jar
  for name in sluice sluice-bare sluice-filters sluice-base; do
    want "$name" || continue
    if [ ! -f "$(sluice_jar "$name")" ]; then
      SKIP[$name]="not built ($(sluice_jar "$name") missing)"
    elif ! command -v "$JAVA" >/dev/null 2>&1; then
      SKIP[$name]="no java ('$JAVA' not found)"
    elif [ "$name" = sluice ]; then
      "$starter" sluice "${SLUICE_EXTRA_YAML:-$observed}"
    else
      "$starter" "$name" "metrics: { enabled: false }"
    fi
  done
}

# The Netty transport a Sluice logged at start ("sluice started: ..., io_uring transport, ..."; io_uring, epoll
# or nio), into SLUICE_TRANSPORT.
sluice_transport() {  # log file
  local t
  t="$(grep -m1 'sluice started' "$1" 2>/dev/null | grep -oE '[a-z_]+ transport' | head -n1 | awk '{print $1}' || true)"
  if [ -n "$t" ]; then SLUICE_TRANSPORT="$t"; fi  # not `[ ] &&`: as the last command it would fail the caller under set -e
}
SLUICE_TRANSPORT="unknown"

# Stops one proxy we started (TERM to its processes, KILL after 5 s), reaps it and forgets its pid, so a
# fresh one can take its port.
stop_proxy() {  # name
  local name=$1 main all=() pid i alive keep=()
  main="${PID[$name]:-}"
  [ -n "$main" ] || return 0
  # shellcheck disable=SC2207
  kill -0 "$main" 2>/dev/null && all=($(descendants "$main"))
  if [ "${#all[@]}" -gt 0 ]; then
    kill -TERM "${all[@]}" 2>/dev/null || true
    for i in $(seq 1 50); do
      alive=0
      for pid in "${all[@]}"; do running "$pid" && alive=1; done
      [ "$alive" = 0 ] && break
      sleep 0.1
    done
    kill -KILL "${all[@]}" 2>/dev/null || true
  fi
  wait "$main" 2>/dev/null || true
  for pid in "${STARTED[@]}"; do [ "$pid" = "$main" ] || keep+=("$pid"); done
  STARTED=("${keep[@]}")
  unset "PID[$name]"
}

# Starts a proxy again on the config the setup wrote (after stop_proxy) and waits until it answers; sets
# SKIP[name] when it does not.
restart_proxy() {  # name
  local name=$1
  case "$name" in
    nginx)
      start_nginx "$TMP/nginx-proxy" "$PROXY_CPU"; PID[nginx]=$NGINX_PID
      wait_http "${PID[nginx]}" "${PORT[nginx]}" 10 proxy || { SKIP[nginx]="did not start again"; show_log "$TMP/nginx-proxy/logs/error.log"; } ;;
    haproxy) launch_haproxy "${PORT[haproxy]}" ;;
    *) launch_sluice "$name" "${PORT[$name]}" "on 127.0.0.1:${PORT[$name]}" ;;
  esac
  [ -z "${SKIP[$name]:-}" ]
}

# Sum of VmRSS over a process and its descendants, in kB (KiB, as /proc writes it).
rss_kb() {  # pid
  local pid total=0 v
  for pid in $(descendants "$1"); do
    v="$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status" 2>/dev/null || true)"
    total=$(( total + ${v:-0} ))
  done
  echo "$total"
}

# Open file descriptors of a process and its descendants (sockets included).
fd_count() {  # pid
  local pid total=0 n
  for pid in $(descendants "$1"); do
    n="$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
    total=$(( total + n ))
  done
  echo "$total"
}

# MODE=reload measures Sluice alone, with and without reloads under load (bench/reload.sh).
if [ "$MODE" = reload ]; then
  # shellcheck source=bench/reload.sh
  . "$ROOT/bench/reload.sh"
  exit 0
fi

# MODE=l4 has its own proxies, backends and load generators; it shares everything above.
if [ "$MODE" = l4 ]; then
  # shellcheck source=bench/l4.sh
  . "$ROOT/bench/l4.sh"
  exit 0
fi

# ---------------------------------------------------------------------------------------------- setup
TMP="$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench.XXXXXX")"
chmod 755 "$TMP"   # nginx workers may run as nobody

# MODE=h2: one self-signed certificate for every proxy; EC P-256, names localhost and 127.0.0.1, the key in
# PKCS#8 (what openssl req writes, and what Sluice reads).
if [ "$MODE" = h2 ]; then
  mkdir -p "$TMP/tls"
  if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -keyout "$TMP/tls/key.pem" -out "$TMP/tls/cert.pem" > "$TMP/tls/openssl.log" 2>&1; then
    show_log "$TMP/tls/openssl.log"
    die "openssl could not make the certificate"
  fi
fi

# A listen backlog for many connections opened at once (nginx's own default is 511; the kernel caps it at
# net.core.somaxconn).
NGINX_BACKLOG=""
[ "$HIGH_CONN" -gt 511 ] && NGINX_BACKLOG=" backlog=$(( HIGH_CONN < 65535 ? HIGH_CONN : 65535 ))"

nginx_conf() {  # $1 dir, $2 events/http body, $3 worker processes (default 1)
  mkdir -p "$1/logs"
  cat > "$1/nginx.conf" <<EOF
worker_processes ${3:-1};
worker_rlimit_nofile $NGINX_NOFILE;
pid $1/nginx.pid;
error_log $1/logs/error.log warn;
events { worker_connections $NGINX_WORKER_CONN; multi_accept on; }
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

# The backend, on the load core: a fixed 19-byte body from `return`, or with BODY a file of exactly BODY_BYTES
# ("hello from backend" and filler), sent with sendfile from nginx's open-file cache. $TMP/backend/expected is
# what every proxy must pass through unchanged.
mkdir -p "$TMP/backend/www"
printf 'hello from backend\n' > "$TMP/backend/expected"
if [ -n "$BODY" ]; then
  [ "$BODY_BYTES" -gt 19 ] && head -c "$(( BODY_BYTES - 19 ))" /dev/zero | tr '\0' x >> "$TMP/backend/expected"
  truncate -s "$BODY_BYTES" "$TMP/backend/expected"
  cp "$TMP/backend/expected" "$TMP/backend/www/body"
  BACKEND_LOCATION="default_type application/octet-stream;
        sendfile on;
        tcp_nopush on;
        open_file_cache max=16 inactive=1h;
        open_file_cache_valid 1h;
        location / { root $TMP/backend/www; try_files /body =404; }"
else
  BACKEND_LOCATION="default_type text/plain;
        location / { return 200 \"hello from backend\\n\"; }"
fi
nginx_conf "$TMP/backend" "    server {
        listen 127.0.0.1:$BACKEND_PORT$NGINX_BACKLOG;
        $BACKEND_LOCATION
    }"
start_nginx "$TMP/backend" "$LOAD_CPU"
BACKEND_PID=$NGINX_PID
if ! wait_http "$BACKEND_PID" "$BACKEND_PORT" 10; then
  show_log "$TMP/backend/logs/error.log"; show_log "$TMP/backend/logs/stdout.log"
  die "backend nginx did not start"
fi

# nginx proxy; with MODE=h2 it terminates TLS and speaks HTTP/2 to the client ("http2 on" since nginx
# 1.25.1, "listen ... http2" before), and keeps at least one idle upstream connection per stream in flight.
NGINX_VERSION="$("$NGINX_BIN" -v 2>&1 | sed -n 's|.*nginx/\([0-9.]*\).*|\1|p')"
NGINX_LISTEN="listen 127.0.0.1:${PORT[nginx]}$NGINX_BACKLOG;"
NGINX_KEEPALIVE=64
if [ "$MODE" = h2 ]; then
  if [ "$(printf '%s\n' 1.25.1 "$NGINX_VERSION" | sort -V | head -n1)" = 1.25.1 ]; then
    NGINX_LISTEN="listen 127.0.0.1:${PORT[nginx]} ssl$NGINX_BACKLOG;
        http2 on;"
  else
    NGINX_LISTEN="listen 127.0.0.1:${PORT[nginx]} ssl http2$NGINX_BACKLOG;"
  fi
  NGINX_LISTEN="$NGINX_LISTEN
        ssl_certificate $TMP/tls/cert.pem;
        ssl_certificate_key $TMP/tls/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        http2_max_concurrent_streams $(( H2_STREAMS > 128 ? H2_STREAMS : 128 ));"
  inflight=$(( H2_CLIENTS * H2_STREAMS ))
  [ "$inflight" -gt "$NGINX_KEEPALIVE" ] && NGINX_KEEPALIVE=$inflight
elif [ -n "$UPSTREAM_CONNS" ]; then
  # OSS nginx cannot queue requests for a busy upstream (max_conns turns them away), so it is not limited: two
  # workers share the clients (reuseport), each with its own open-file limit for its clients and upstream ones.
  NGINX_KEEPALIVE=$(( CONNECTIONS / 2 + 64 ))
  NGINX_LISTEN="listen 127.0.0.1:${PORT[nginx]} reuseport$NGINX_BACKLOG;"
elif [ "$CONNECTIONS" -gt "$NGINX_KEEPALIVE" ]; then
  # One request in flight per wrk connection: keep as many idle upstream connections as haproxy and Sluice
  # keep (they pool every one they open), instead of closing all but 64 after each burst.
  NGINX_KEEPALIVE=$CONNECTIONS
fi
if want nginx; then
  nginx_conf "$TMP/nginx-proxy" "    upstream backend {
        server 127.0.0.1:$BACKEND_PORT;
        keepalive $NGINX_KEEPALIVE;
        keepalive_requests 10000000;
        keepalive_timeout 300s;
    }
    server {
        $NGINX_LISTEN
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_max_temp_file_size 0;
        }
    }" "$([ -n "$UPSTREAM_CONNS" ] && echo 2 || echo 1)"
  start_nginx "$TMP/nginx-proxy" "$PROXY_CPU"
  PID[nginx]=$NGINX_PID
  if ! wait_http "${PID[nginx]}" "${PORT[nginx]}" 10 proxy; then
    SKIP[nginx]="did not start"; show_log "$TMP/nginx-proxy/logs/error.log"
  fi
fi

# haproxy (HTTP/1.1 mode only)
if want haproxy && [ "$MODE" = h2 ]; then
  SKIP[haproxy]="not part of MODE=h2 (nginx and Sluice only)"
elif want haproxy; then
  mkdir -p "$TMP/haproxy"
  # MODE=idle keeps client connections idle longer than haproxy's 60 s here; the other proxies wait 300 s.
  ha_idle=60s; [ "$MODE" = idle ] && ha_idle=300s
  # haproxy sizes its file limit from maxconn (about twice it) and by default refuses to start when it cannot
  # have that (strict-limits); under a lower hard limit it runs with the limit there is, as the others do.
  ha_ulimit=""
  [ $(( 2 * PROXY_MAXCONN + 256 )) -gt "$NOFILE" ] && ha_ulimit="
    no strict-limits"
  cat > "$TMP/haproxy/haproxy.cfg" <<EOF
global
    nbthread 1
    maxconn $PROXY_MAXCONN$ha_ulimit
defaults
    mode http
    maxconn $PROXY_MAXCONN
    option http-keep-alive
    http-reuse always
    timeout connect 5s
    timeout client $ha_idle
    timeout server 60s
    timeout http-request 10s
    timeout http-keep-alive $ha_idle
frontend bench
    bind 127.0.0.1:${PORT[haproxy]}
    default_backend backend
backend backend
    timeout queue 30s
    server b1 127.0.0.1:$BACKEND_PORT${UPSTREAM_CONNS:+ maxconn $UPSTREAM_CONNS}
EOF
  launch_haproxy "${PORT[haproxy]}"
fi

# Sluice: "sluice" as a user runs it, with metrics on and an access log written to a file; "sluice-bare"
# with metrics off and no access log, so that the difference is what observability costs.
# Sluice refuses client connections beyond limits.max_connections (10000 by default) and closes keep-alive
# connections idle for limits.idle_timeout (60 s): raised when this run needs more (left alone otherwise, and
# when SLUICE_EXTRA_YAML has its own limits).
SLUICE_LIMITS=""
if [ "$PROXY_MAXCONN" -gt 10000 ] || [ "$MODE" = idle ]; then
  SLUICE_LIMITS="limits: { max_connections: $(( PROXY_MAXCONN > 10000 ? PROXY_MAXCONN : 10000 ))"
  [ "$MODE" = idle ] && SLUICE_LIMITS="$SLUICE_LIMITS, idle_timeout: 300s"
  SLUICE_LIMITS="$SLUICE_LIMITS }"
fi
start_sluice() { # name extra-yaml
  local name="$1" extra="$2" port="${PORT[$1]}" tls="" route="{ pool: backend }" limits="$SLUICE_LIMITS"
  if [[ "$extra" == *limits:* ]]; then
    [ -n "$limits" ] && log "bench: $name: SLUICE_EXTRA_YAML has limits; not adding the bench's ($limits)"
    limits=""
  fi
  if [ "$name" = sluice-filters ]; then
    # Limits high enough never to refuse; wrk sends no cookie back, so every response signs a new sticky cookie.
    route="{ pool: backend, sticky: { secret: bench-secret-0123456789 }, filters: [ security_headers,
        { rate_limit: { key: client_ip, requests_per_second: 10000000, burst: 10000000 } } ] }"
  fi
  mkdir -p "$TMP/$name"
  if [ "$MODE" = h2 ]; then
    tls="
    protocol: https
    tls:
      certificates:
        - { cert: \"$TMP/tls/cert.pem\", key: \"$TMP/tls/key.pem\" }"
  fi
  cat > "$TMP/$name/sluice.yaml" <<EOF
workers: 1
listeners:
  - name: bench
    bind: 127.0.0.1:${port}${tls}
    routes: [ $route ]
pools:
  - name: backend
    backends: [ { address: "127.0.0.1:$BACKEND_PORT" } ]${UPSTREAM_CONNS:+
    connection_limit: { max_per_backend: $UPSTREAM_CONNS, queue: $(( CONNECTIONS + 1024 )), queue_timeout: 30s \}}
admin: { enabled: false }
$extra
$limits
EOF
  launch_sluice "$name" "$port" "on 127.0.0.1:$port"
}
start_sluices start_sluice "access_log: { enabled: true, format: combined, target: \"$TMP/sluice/access.log\" }"
# Headers wrk sends (as -H options). STICKY_RETURNING=1: every request carries the sticky cookie sluice-filters
# issued (returning clients: the cookie is checked, none is signed); by default wrk sends none, so every response
# signs a new one. CONN_CLOSE=1: Connection: close, so the proxy closes each client connection after its answer
# and wrk opens a new one for the next request.
WRK_HEADERS=()
if [ "${STICKY_RETURNING:-0}" = 1 ] && want sluice-filters && [ -z "${SKIP[sluice-filters]:-}" ]; then
  cookie="Cookie: $(curl -s -D - -o /dev/null "http://127.0.0.1:${PORT[sluice-filters]}/" \
    | tr -d '\r' | awk -F'[:;] *' 'tolower($1) == "set-cookie" { print $2; exit }')"
  WRK_HEADERS+=(-H "$cookie")
  log "bench: wrk sends $cookie"
fi
[ "$CONN_CLOSE" = 1 ] && WRK_HEADERS+=(-H "Connection: close")

ACTIVE=()
for name in $PROXIES; do
  [ -n "${PORT[$name]:-}" ] || die "unknown proxy '$name' in PROXIES (known: nginx haproxy sluice sluice-bare sluice-filters sluice-base)"
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
if [ -n "$BODY" ]; then BODY_DESC="$BODY_BYTES-byte body (BODY=$BODY, a file)"; else BODY_DESC="19-byte body"; fi

# ---------------------------------------------------------------------------------------------- MODE=idle, startup
# Fresh starts of each proxy on the configs written above: RSS with idle connections, time to the first answer.
if [ "$MODE" = idle ] || [ "$MODE" = startup ]; then
  # shellcheck source=bench/fresh.sh
  . "$ROOT/bench/fresh.sh"
  exit 0
fi

# ---------------------------------------------------------------------------------------------- MODE=h2
# HTTPS + HTTP/2: h2load instead of wrk, its own run lines and summary; the setup above is shared.
if [ "$MODE" = h2 ]; then
  # h2load once; prints "rps requests ok_2xx failed non_2xx mean_ms sd_ms max_ms p50_ms p99_ms h2load_cpu_s
  # tls_version cipher alpn" (failed is h2load's count: errors, resets, timeouts; p50/p99 are NA unless
  # H2_PERCENTILES=1). Like run_wrk: call it in this shell with output to a file, never inside $(...).
  run_h2load() {
    local port=$1 dur=$2 out=$3 rc=0 before after pct="NA NA" logopt=()
    [ "$H2_PERCENTILES" = 1 ] && logopt=(--log-file="$out.log")
    children_cpu_s; before="$CHILD_CPU_S"
    taskset -c "$LOAD_CPU" "$H2LOAD" -t1 -c"$H2_CLIENTS" -m"$H2_STREAMS" -D"$dur" \
      --tls13-ciphers="$H2_TLS13_CIPHERS" "${logopt[@]}" "https://127.0.0.1:$port/" > "$out" 2>&1 &
    echo $! > "$TMP/load.pid"
    wait $! || rc=$?
    rm -f "$TMP/load.pid"
    [ "$rc" -eq 0 ] || return "$rc"
    children_cpu_s; after="$CHILD_CPU_S"
    if [ "$H2_PERCENTILES" = 1 ] && [ -s "$out.log" ]; then  # third column: microseconds to the end of the response
      cut -f3 "$out.log" | sort -n | awk '{ a[NR] = $1 } END {
        printf "%.3f %.3f\n", a[int((NR - 1) * 0.50) + 1] / 1000, a[int((NR - 1) * 0.99) + 1] / 1000 }' > "$out.pct"
      pct="$(cat "$out.pct")"
      rm -f "$out.log"
    fi
    awk -v cpu_s="$(awk -v a="$before" -v b="$after" 'BEGIN { print b - a }')" -v pct="$pct" '
      function ms(v,   n, u) { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") return n / 1000; if (u == "ms") return n; if (u == "s") return n * 1000
        if (u == "m") return n * 60000; if (u == "h") return n * 3600000; return n }
      function counts(first,   i, w) { for (i = first; i < NF; i += 2) { w = $(i + 1); gsub(/,/, "", w); c[w] = $i } }
      /^finished in / { rps = $4 }
      /^requests: / { counts(2) }
      /^status codes: / { counts(3) }
      /^time for request:/ { mean = ms($6); sd = ms($7); max = ms($5) }
      /^TLS Protocol:/ { tls = $3 }
      /^Cipher:/ { cipher = $2 }
      /^Application protocol:/ { alpn = $3 }
      END {
        if (rps == "" || c["done"] == "" || c["done"] == 0) exit 1
        printf "%s %d %d %d %d %.3f %.3f %.3f %s %s %s %s %s\n", rps, c["done"], c["2xx"], c["failed"],
          c["3xx"] + c["4xx"] + c["5xx"], mean, sd, max, pct, cpu_s, (tls == "" ? "-" : tls),
          (cipher == "" ? "-" : cipher), (alpn == "" ? "-" : alpn) }
    ' "$out"
  }

  measure_h2() {  # $1 round, $2 proxy; the same CPU accounting as measure
    local round=$1 name=$2 pids bpids t0 t1 c0 c1 k0 k1 s0 s1
    local rps req ok failed non2xx mean sd max p50 p99 h2_s tls cipher alpn
    # shellcheck disable=SC2207
    pids=($(descendants "${PID[$name]}"))
    # shellcheck disable=SC2207
    bpids=($(descendants "$BACKEND_PID"))
    k0="$(cpu_ticks "${bpids[@]}")"; s0="$(sys_ticks "$PROXY_CPU")"
    c0="$(cpu_ticks "${pids[@]}")"; t0="$(date +%s%N)"
    if ! run_h2load "${PORT[$name]}" "$DURATION" "$TMP/h2load-$name-$round.txt" > "$TMP/res"; then
      log "bench: round $round $name: h2load failed or completed no request:"; show_log "$TMP/h2load-$name-$round.txt"
      return 0
    fi
    c1="$(cpu_ticks "${pids[@]}")"; t1="$(date +%s%N)"
    k1="$(cpu_ticks "${bpids[@]}")"; s1="$(sys_ticks "$PROXY_CPU")"
    kill -0 "${PID[$name]}" 2>/dev/null || log "bench: $name died during round $round"
    read -r rps req ok failed non2xx mean sd max p50 p99 h2_s tls cipher alpn < "$TMP/res"
    awk -v r="$round" -v n="$name" -v rps="$rps" -v req="$req" -v failed="$failed" -v non2xx="$non2xx" \
        -v mean="$mean" -v sd="$sd" -v max="$max" -v p50="$p50" -v p99="$p99" \
        -v tls="$tls" -v cipher="$cipher" -v alpn="$alpn" \
        -v ticks="$((c1 - c0))" -v hz="$CLK_TCK" -v ns="$((t1 - t0))" \
        -v known="$(( (c1 - c0) + (k1 - k0) ))" -v s0="$s0" -v s1="$s1" -v load_s="$h2_s" 'BEGIN {
      split(s0, a, " "); split(s1, b, " ")
      cpu_us = ticks * 1e6 / hz
      other_pct = ((b[1] - a[1] - known) / hz - load_s) * 1e11 / ns; if (other_pct < 0) other_pct = 0
      steal_pct = (b[2] - a[2]) / hz * 1e11 / ns
      sirq_us = (b[3] - a[3]) * 1e6 / hz
      printf "%d %s %.0f %.2f %.0f %d %d %d %.3f %.3f %.3f %s %s %.0f %.0f %.2f %s %s %s\n", r, n, rps,
        cpu_us / req, cpu_us * 100000 / ns, req, failed, non2xx, mean, sd, max, p50, p99, other_pct, steal_pct,
        sirq_us / req, tls, cipher, alpn }' >> "$RAW"
    tail -n1 "$RAW" | awk -v lim="$OTHER_WARN" -v pct="$H2_PERCENTILES" '{
      lat = sprintf("mean %6.3f ms  sd %6.3f ms", $9, $10)
      if (pct == 1) lat = lat sprintf("  p50 %6.3f ms  p99 %6.3f ms", $12, $13)
      printf "  round %s %-11s %6s req/s  %s  CPU %6.2f us/req (+%5.2f softirq)  core %3s%%  other %3s%%  steal %2s%%  failed %s  non-2xx %s\n",
        $1, $2, $3, lat, $4, $16, $5, $14, $15, $7, $8
      if ($7 > 0 || $8 > 0) printf "    warning: %s request(s) failed and %s answered other than 2xx; this run is not a fair comparison\n", $7, $8
      if ($19 != "h2") printf "    warning: h2load negotiated \"%s\", not h2\n", $19
      if ($14 > lim) printf "    warning: other processes used %s%% of a core during this run; its numbers are disturbed\n", $14
      if ($15 > lim) printf "    warning: the hypervisor stole %s%% of a core during this run; its numbers are disturbed\n", $15 }' \
      | tee -a "$RESULTS"
  }

  {
    echo "Sluice whole-system benchmark, HTTPS + HTTP/2 (MODE=h2), $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "machine:   $(nproc) cores, $cpu_model, Linux $(uname -r)"
    echo "JDK:       $jdk"
    echo "versions:  nginx/$NGINX_VERSION ($("$NGINX_BIN" -V 2>&1 | sed -n 's/^built with \([^ ]* [^ ]*\).*/\1/p' | head -n1)), $("$H2LOAD" --version 2>&1 | head -n1), $(openssl version | awk '{print $1"/"$2}')"
    echo "transport: loopback TCP 127.0.0.1; client side TLS (self-signed EC P-256 certificate, TLS 1.2/1.3 allowed;"
    echo "           h2load offers TLS 1.3 ciphers $H2_TLS13_CIPHERS) with ALPN h2; backend side HTTP/1.1 keep-alive,"
    echo "           no TLS, $BODY_DESC from an nginx backend; proxies pinned to core $PROXY_CPU, backend + h2load to core $LOAD_CPU;"
    echo "           Sluice netty transport: $SLUICE_TRANSPORT"
    echo "load:      h2load -t1 -c$H2_CLIENTS -m$H2_STREAMS -D$DURATION ($((H2_CLIENTS * H2_STREAMS)) requests in flight), $ROUNDS interleaved round(s); warm-up ${WARMUP} (sluice ${WARMUP_SLUICE} in ${WARMUP_PARTS} run(s))"
    [ "$H2_PERCENTILES" = 1 ] && echo "           p50/p99 from h2load's per-request log (--log-file), which costs h2load CPU on core $LOAD_CPU"
    for name in $PROXIES; do
      [ -n "${SKIP[$name]:-}" ] && echo "skipped:   $name: ${SKIP[$name]}"
    done
    true
  } | tee "$RESULTS"

  echo "warm-up:" | tee -a "$RESULTS"
  for name in "${ACTIVE[@]}"; do
    if warm_up "$name" run_h2load; then
      awk -v n="$name" -v w="$WARMED" '{ printf "  %-11s %s, %s req/s, failed %s, non-2xx %s, %s %s %s\n", n, w, $1, $4, $5, $12, $13, $14 }' \
        "$TMP/warmup-$name.res" | tee -a "$RESULTS"
    fi
    sleep "$PAUSE"
  done

  echo "runs (order rotates each round):" | tee -a "$RESULTS"
  n_active=${#ACTIVE[@]}
  for round in $(seq 1 "$ROUNDS"); do
    for i in $(seq 0 $((n_active - 1))); do
      measure_h2 "$round" "${ACTIVE[$(( (i + round - 1) % n_active ))]}"
      sleep "$PAUSE"
    done
  done

  total() { awk -v n="$1" -v c="$2" '$2 == n { t += $c } END { print t + 0 }' "$RAW"; }
  {
    echo
    echo "raw: round proxy req/s cpu_us_per_req proxy_core_pct requests failed non_2xx mean_ms sd_ms max_ms p50_ms p99_ms other_pct steal_pct softirq_us_per_req tls cipher alpn"
    sed 's/^/  /' "$RAW"
    echo
    echo "medians over $ROUNDS round(s), failed and non-2xx summed over them; ratios are to nginx (req/s: higher is"
    echo "better; CPU/req: lower is better). Latency is h2load's mean and standard deviation of the time per request"
    echo "(h2load reports no percentiles; H2_PERCENTILES=1 adds p50/p99 from its per-request log)."
    pct_head=""; [ "$H2_PERCENTILES" = 1 ] && pct_head="$(printf ' %8s %8s' p50_ms p99_ms)"
    printf '%-11s %8s %11s %8s %6s %8s %8s%s %7s %7s %7s %7s %13s %13s\n' proxy req/s CPU_us/req sirq_us core% mean_ms sd_ms \
      "$pct_head" failed non2xx other% steal% rps_vs_nginx cpu_vs_nginx
    ng_rps="$(col nginx 3)"; ng_cpu="$(col nginx 4)"
    for name in $PROXIES; do
      if [ -n "${SKIP[$name]:-}" ]; then printf '%-11s %s\n' "$name" "not measured: ${SKIP[$name]}"; continue; fi
      rps="$(col "$name" 3)"
      if [ "$rps" = NA ]; then printf '%-11s %s\n' "$name" "no successful run"; continue; fi
      awk -v n="$name" -v rps="$rps" -v cpu="$(col "$name" 4)" -v core="$(col "$name" 5)" -v sirq="$(col "$name" 16)" \
          -v mean="$(col "$name" 9)" -v sd="$(col "$name" 10)" -v p50="$(col "$name" 12)" -v p99="$(col "$name" 13)" \
          -v pct="$H2_PERCENTILES" -v failed="$(total "$name" 7)" -v non2xx="$(total "$name" 8)" \
          -v oth="$(col "$name" 14)" -v stl="$(col "$name" 15)" -v nr="$ng_rps" -v nc="$ng_cpu" 'BEGIN {
        rr = (nr == "NA" || nr == 0) ? "NA" : sprintf("%.2f", rps / nr)
        cr = (nc == "NA" || nc == 0) ? "NA" : sprintf("%.2f", cpu / nc)
        pcts = (pct == 1) ? sprintf(" %8.3f %8.3f", p50, p99) : ""
        printf "%-11s %8.0f %11.2f %8.2f %5.0f%% %8.3f %8.3f%s %7d %7d %6.0f%% %6.0f%% %13s %13s\n", n, rps, cpu, sirq, core,
          mean, sd, pcts, failed, non2xx, oth, stl, rr, cr }'
    done
    awk '!($2 in seen) { seen[$2] = 1; printf "%s%s %s %s %s", (n++ ? "; " : "negotiated: "), $2, $17, $18, $19 } END { if (n) print "" }' "$RAW"
    awk '$7 > 0 || $8 > 0 { bad = 1 } END { if (bad) print "warning: some requests failed or were not answered 2xx (columns failed, non2xx); those proxies are not compared fairly" }' "$RAW"
    paired_vs_nginx 4
    if [ -z "${SKIP[sluice]:-}" ] && [ -z "${SKIP[sluice-bare]:-}" ] && want sluice && want sluice-bare; then
      paired="$(round_ratios sluice sluice-bare 4 | median)"
      awk -v on="$(col sluice 4)" -v off="$(col sluice-bare 4)" -v paired="$paired" 'BEGIN {
        if (on != "NA" && off != "NA" && off > 0)
          printf "\nobservability cost: sluice (metrics + access log) %.2f us/req vs sluice-bare (both off) %.2f us/req (medians: %+.1f%%);\n", on, off, (on / off - 1) * 100
        if (paired != "NA")
          printf "  median of the per-round ratios: %+.1f%% CPU per request\n", (paired - 1) * 100 }'
    fi
    echo
    echo "results: $RESULTS"
  } | tee -a "$RESULTS"
  exit 0
fi

{
  echo "Sluice whole-system benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine:   $(nproc) cores, $cpu_model, Linux $(uname -r)"
  echo "JDK:       $jdk"
  echo "versions:  $("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //'), $("$HAPROXY_BIN" -v | head -n1 | awk '{print "haproxy/"$3}'), $(wrk -v 2>&1 | head -n1 | awk '{print "wrk/"$2}')"
  conn_desc="HTTP/1.1 keep-alive"; conn_opt=""
  if [ "$CONN_CLOSE" = 1 ]; then
    conn_desc="HTTP/1.1, a new client connection per request (backend side keep-alive)"; conn_opt=" -H 'Connection: close'"
  fi
  echo "transport: loopback TCP 127.0.0.1, $conn_desc, no TLS, $BODY_DESC from an nginx backend;"
  echo "           proxies pinned to core $PROXY_CPU, backend + wrk to core $LOAD_CPU; Sluice netty transport: $SLUICE_TRANSPORT"
  echo "load:      wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency --timeout $WRK_TIMEOUT$conn_opt, $ROUNDS interleaved round(s); warm-up ${WARMUP} (sluice ${WARMUP_SLUICE} in ${WARMUP_PARTS} run(s))"
  if want sluice || want sluice-bare || want sluice-filters; then
    echo "Sluice:    $(sluice_cmd)"
    cds="$(sluice_cds)"; [ -z "$cds" ] || echo "AppCDS:    $cds"
  fi
  [ "$HIGH_CONN" -gt 1000 ] && echo "limits:    open files $(ulimit -Sn); nginx worker_connections $NGINX_WORKER_CONN; haproxy maxconn $PROXY_MAXCONN; Sluice ${SLUICE_LIMITS:-limits: defaults}"
  [ -n "$UPSTREAM_CONNS" ] && echo "upstream:  at most $UPSTREAM_CONNS connections to the backend, the rest queued (Sluice connection_limit, haproxy server maxconn); nginx unlimited, in 2 workers (reuseport)"
  for name in $PROXIES; do
    [ -n "${SKIP[$name]:-}" ] && echo "skipped:   $name: ${SKIP[$name]}"
  done
  true
} | tee "$RESULTS"

# ---------------------------------------------------------------------------------------------- runs
# wrk once; prints "rps p50_ms p99_ms requests errors wrk_cpu_s" (errors = non-2xx/3xx + socket errors;
# wrk_cpu_s = wrk's own CPU seconds). Call it in this shell with output to a file, never inside $(...):
# the shell runs traps only between commands, and a 10 s command substitution would hold off Ctrl-C.
run_wrk() {
  local port=$1 dur=$2 out=$3 rc=0 before after
  children_cpu_s; before="$CHILD_CPU_S"
  taskset -c "$LOAD_CPU" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$dur" --latency --timeout "$WRK_TIMEOUT" \
    "${WRK_HEADERS[@]}" "http://127.0.0.1:$port/" > "$out" 2>&1 &
  echo $! > "$TMP/load.pid"
  wait $! || rc=$?
  rm -f "$TMP/load.pid"
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
  k0="$(cpu_ticks "${bpids[@]}")"; s0="$(sys_ticks "$PROXY_CPU")"
  c0="$(cpu_ticks "${pids[@]}")"; t0="$(date +%s%N)"
  if ! run_wrk "${PORT[$name]}" "$DURATION" "$TMP/wrk-$name-$round.txt" > "$TMP/res"; then
    log "bench: round $round $name: wrk failed:"; show_log "$TMP/wrk-$name-$round.txt"
    return 0
  fi
  c1="$(cpu_ticks "${pids[@]}")"; t1="$(date +%s%N)"
  k1="$(cpu_ticks "${bpids[@]}")"; s1="$(sys_ticks "$PROXY_CPU")"
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
  tail -n1 "$RAW" | awk -v lim="$OTHER_WARN" -v big="$BIG_BODY" -v body="$BODY_BYTES" \
      -v detail="$(grep -E 'Socket errors|Non-2xx' "$TMP/wrk-$name-$round.txt" | sed 's/^ *//' | paste -sd ';' - || true)" '{
    printf "  round %s %-8s %6s req/s  p50 %6.3f ms  p99 %6.3f ms  CPU %6.2f us/req (+%5.2f softirq)  core %3s%%  other %3s%%  steal %2s%%  errors %s",
      $1, $2, $3, $4, $5, $6, $12, $7, $10, $11, $9
    if (big) printf "  %.1f MB/s  CPU %.3f ms/MB", $3 * body / 1e6, $6 * 1000 / body
    printf "\n"
    if ($9 > 0) printf "    errors from wrk: %s\n", detail
    if ($10 > lim) printf "    warning: other processes used %s%% of a core during this run; its numbers are disturbed\n", $10
    if ($11 > lim) printf "    warning: the hypervisor stole %s%% of a core during this run; its numbers are disturbed\n", $11 }' \
    | tee -a "$RESULTS"
}

# WARMUP_REPORT=1: each Sluice is started afresh ROUNDS times and measured at once for WARMUP_WINDOW, while
# the JIT is still compiling (its threads' CPU counts, as always); these rows go to their own raw file.
COLD_RAW="$TMP/raw-cold.txt"
: > "$COLD_RAW"
if [ "$WARMUP_REPORT" = 1 ]; then
  echo "JIT warm-up: each Sluice restarted, then wrk for $WARMUP_WINDOW from its first answer, no warm-up ($ROUNDS time(s)):" | tee -a "$RESULTS"
  for round in $(seq 1 "$ROUNDS"); do
    for name in "${ACTIVE[@]}"; do
      case "$name" in sluice*) ;; *) continue ;; esac
      [ -z "${SKIP[$name]:-}" ] || continue
      stop_proxy "$name"
      if ! restart_proxy "$name"; then log "bench: $name: ${SKIP[$name]}; going on without it"; continue; fi
      RAW="$COLD_RAW" DURATION="$WARMUP_WINDOW" measure "$round" "$name"
      sleep "$PAUSE"
    done
  done
  still=()
  for name in "${ACTIVE[@]}"; do [ -n "${SKIP[$name]:-}" ] || still+=("$name"); done
  ACTIVE=("${still[@]}")
  [ "${#ACTIVE[@]}" -gt 0 ] || die "no proxy is running; nothing to measure"
fi

echo "warm-up:" | tee -a "$RESULTS"
for name in "${ACTIVE[@]}"; do
  if warm_up "$name" run_wrk; then
    awk -v n="$name" -v w="$WARMED" '{ printf "  %-8s %s, %s req/s, errors %s\n", n, w, $1, $5 }' "$TMP/warmup-$name.res" | tee -a "$RESULTS"
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
  # Bodies from 4 KiB: the same medians as bytes. MB/s counts response bodies only (req/s x BODY_BYTES, 1 MB =
  # 10^6 bytes), CPU_ms/MB is the proxy's CPU per MB of body passed through.
  if [ "$BIG_BODY" = 1 ]; then
    echo
    echo "throughput of $BODY_BYTES-byte bodies (medians; MB = 10^6 bytes of body; CPU_ms/MB: lower is better):"
    printf '%-11s %10s %11s %13s %13s\n' proxy MB/s CPU_ms/MB mbps_vs_nginx cpu_vs_nginx
    for name in $PROXIES; do
      [ -z "${SKIP[$name]:-}" ] || continue
      rps="$(col "$name" 3)"; [ "$rps" != NA ] || continue
      awk -v n="$name" -v rps="$rps" -v cpu="$(col "$name" 6)" -v body="$BODY_BYTES" -v nr="$ng_rps" -v nc="$ng_cpu" 'BEGIN {
        rr = (nr == "NA" || nr == 0) ? "NA" : sprintf("%.2f", rps / nr)
        cr = (nc == "NA" || nc == 0) ? "NA" : sprintf("%.2f", cpu / nc)
        printf "%-11s %10.1f %11.3f %13s %13s\n", n, rps * body / 1e6, cpu * 1000 / body, rr, cr }'
    done
  fi
  # WARMUP_REPORT=1: the first WARMUP_WINDOW of a fresh Sluice beside its steady state (medians of each).
  if [ -s "$COLD_RAW" ]; then
    echo
    echo "JIT warm-up: the first $WARMUP_WINDOW after a fresh start (no warm-up) vs the steady state after ${WARMUP_SLUICE} of warm-up;"
    echo "medians over the fresh starts and over the rounds; raw rows of the fresh starts:"
    sed 's/^/  /' "$COLD_RAW"
    printf '%-15s %-12s %8s %8s %8s %11s %6s %7s\n' proxy window req/s p50_ms p99_ms CPU_us/req core% errors
    for name in $PROXIES; do
      awk -v n="$name" '$2 == n { f = 1 } END { exit !f }' "$COLD_RAW" || continue
      for f in "$COLD_RAW" "$RAW"; do
        label="steady"; [ "$f" = "$COLD_RAW" ] && label="first $WARMUP_WINDOW"
        [ "$(colf "$f" "$name" 3)" != NA ] || continue
        awk -v n="$name" -v w="$label" -v rps="$(colf "$f" "$name" 3)" -v p50="$(colf "$f" "$name" 4)" \
            -v p99="$(colf "$f" "$name" 5)" -v cpu="$(colf "$f" "$name" 6)" -v core="$(colf "$f" "$name" 7)" \
            -v bad="$(awk -v n="$name" '$2 == n { s += $9 } END { print s + 0 }' "$f")" 'BEGIN {
          printf "%-15s %-12s %8.0f %8.3f %8.3f %11.2f %5.0f%% %7d\n", n, w, rps, p50, p99, cpu, core, bad }'
      done
      awk -v c1="$(colf "$COLD_RAW" "$name" 6)" -v c2="$(col "$name" 6)" -v r1="$(colf "$COLD_RAW" "$name" 3)" \
          -v p1="$(colf "$COLD_RAW" "$name" 5)" -v p2="$(col "$name" 5)" -v r2="$(col "$name" 3)" 'BEGIN {
        if (c1 != "NA" && c2 != "NA" && c2 > 0 && r2 > 0 && p2 > 0)
          printf "  first window / steady: req/s x%.2f, p99 x%.2f, CPU per request x%.2f\n", r1 / r2, p1 / p2, c1 / c2 }'
    done
  fi
  paired_vs_nginx 6
  # Running out of file descriptors or connection slots shows only in the proxies' logs.
  for name in $PROXIES; do
    case "$name" in
      nginx) f="$TMP/nginx-proxy/logs/error.log" ;; haproxy) f="$TMP/haproxy/haproxy.log" ;; *) f="$TMP/$name/sluice.log" ;;
    esac
    [ -f "$f" ] || continue
    n="$(grep -ciE 'too many open files|worker_connections are not enough|max_connections .* reached' "$f" || true)"
    if [ "${n:-0}" -gt 0 ]; then
      echo "warning: $name logged $n line(s) about running out of files or connections, e.g.:"
      grep -m1 -iE 'too many open files|worker_connections are not enough|max_connections .* reached' "$f" | cut -c1-200 | sed 's/^/    /'
    fi
  done
  if [ -z "${SKIP[sluice-filters]:-}" ] && [ -z "${SKIP[sluice-bare]:-}" ] && want sluice-filters && want sluice-bare; then
    paired="$(round_ratios sluice-filters sluice-bare 6 | median)"
    awk -v on="$(col sluice-filters 6)" -v off="$(col sluice-bare 6)" -v paired="$paired" 'BEGIN {
      if (on != "NA" && off != "NA" && off > 0)
        printf "\nfilter cost: sluice-filters (rate_limit + sticky + security_headers) %.2f us/req vs sluice-bare %.2f us/req (medians: %+.1f%%);\n", on, off, (on / off - 1) * 100
      if (paired != "NA")
        printf "  median of the per-round ratios: %+.1f%% CPU per request\n", (paired - 1) * 100 }'
  fi
  if [ -z "${SKIP[sluice]:-}" ] && [ -z "${SKIP[sluice-bare]:-}" ] && want sluice && want sluice-bare; then
    # Paired by round: the two Sluices run back to back in each round, so their ratio cancels most of the
    # drift a noisy machine adds between rounds; the median of those ratios is the figure to read.
    paired="$(round_ratios sluice sluice-bare 6 | median)"
    awk -v on="$(col sluice 6)" -v off="$(col sluice-bare 6)" -v paired="$paired" 'BEGIN {
      if (on != "NA" && off != "NA" && off > 0)
        printf "\nobservability cost: sluice (metrics + access log) %.2f us/req vs sluice-bare (both off) %.2f us/req (medians: %+.1f%%);\n", on, off, (on / off - 1) * 100
      if (paired != "NA")
        printf "  median of the per-round ratios: %+.1f%% CPU per request\n", (paired - 1) * 100 }'
  fi
  echo
  echo "results: $RESULTS"
} | tee -a "$RESULTS"
