# shellcheck shell=bash
# MODE=l4 of bench/run.sh: Sluice's tcp and udp listeners against haproxy (mode tcp) and nginx (stream), on
# loopback. Sourced by run.sh after its shared helpers (cleanup trap, install, cpu_ticks, sys_ticks, show_log,
# port_in_use, wait_http, want, children_cpu_s, median, start_nginx, ensure_sluice_jar); not runnable alone.
#
# Each proxy runs alone on PROXY_CPU; backends and load generators share LOAD_CPU. Measures (L4_MEASURES):
#   tcp    one iperf3 stream client -> proxy -> iperf3 -s: Gbit/s, proxy CPU seconds per GB moved
#   tcp-R  the same with -R (backend -> client)
#   conn   wrk -H 'Connection: close' through the proxy to the nginx HTTP backend: one new TCP connection per
#          request, so req/s is connections/s; proxy CPU microseconds per connection
#   udp    iperf3 -u -l UDP_LEN -b UDP_BITRATE through the proxy's UDP port: datagrams/s delivered, loss, proxy
#          CPU microseconds per datagram delivered. iperf3's TCP control connection to the same port number goes
#          around the proxy, through a stream relay in the backend nginx (Sluice cannot bind a tcp and a udp
#          listener to one address, and haproxy does not proxy UDP at all).
# Medians over ROUNDS interleaved rounds, one table per measure, ratios to nginx and (TCP) to haproxy.

L4_MEASURES="${L4_MEASURES:-tcp tcp-R conn udp}"
L4_CONNECTIONS="${L4_CONNECTIONS:-$CONNECTIONS}"
UDP_BITRATE="${UDP_BITRATE:-200M}"
UDP_LEN="${UDP_LEN:-512}"
UDP_LOSS_WARN="${UDP_LOSS_WARN:-1}"

IPERF_PORT=18086                                                          # iperf3 -s, TCP and UDP
declare -A CPORT=([nginx]=18092 [haproxy]=18093 [sluice]=18094 [sluice-bare]=18095)  # conn: to the HTTP backend
declare -A UPORT=([nginx]=18102 [sluice]=18104 [sluice-bare]=18105)     # udp (haproxy has none)
declare -A BAD=()   # "proxy measure" -> why that measure is not taken for that proxy
HAPROXY_NO_UDP="n/a: haproxy does not proxy plain UDP (not in the Debian/community build)"

for m in $L4_MEASURES; do
  case "$m" in tcp|tcp-R|conn|udp) ;; *) die "unknown measure '$m' in L4_MEASURES (known: tcp tcp-R conn udp)" ;; esac
done
for name in $PROXIES; do
  [ -n "${PORT[$name]:-}" ] || die "unknown proxy '$name' in PROXIES (known: nginx haproxy sluice sluice-bare)"
done
measuring() { [[ " $L4_MEASURES " == *" $1 "* ]]; }
uses_iperf() { measuring tcp || measuring tcp-R || measuring udp; }

SECS="$(secs_of "$DURATION")"

udp_port_in_use() { [ -n "$(ss -Hlun "( sport = :$1 )" 2>/dev/null)" ]; }
for p in "$IPERF_PORT" "${CPORT[@]}" "${UPORT[@]}"; do
  port_in_use "$p" && die "127.0.0.1:$p is already in use; stop whatever listens there first"
done
for p in "$IPERF_PORT" "${UPORT[@]}"; do
  udp_port_in_use "$p" && die "udp port $p is already in use; stop whatever listens there first"
done

# nginx's stream module: built in, or a dynamic module (Debian: libnginx-mod-stream) loaded with load_module.
# Sets STREAM_LOAD to the line nginx.conf needs (empty when built in); returns 1 when there is none.
NGINX_V="$("$NGINX_BIN" -V 2>&1 | tr '\n' ' ')"
find_stream() {
  local dir so
  STREAM_LOAD=""; STREAM_DESC="built in"
  [[ " $NGINX_V " == *" --with-stream "* ]] && return 0
  dir="$(sed -n 's/.*--modules-path=\([^ ]*\).*/\1/p' <<< "$NGINX_V")"
  for so in "${dir:-/usr/lib/nginx/modules}/ngx_stream_module.so" /usr/lib/nginx/modules/ngx_stream_module.so \
      /usr/share/nginx/modules/ngx_stream_module.so; do
    if [ -f "$so" ]; then STREAM_LOAD="load_module $so;"; STREAM_DESC="dynamic, $so"; return 0; fi
  done
  return 1
}
HAVE_STREAM=1
if ! find_stream; then
  try_install libnginx-mod-stream || true
  find_stream || HAVE_STREAM=0
fi
if [ "$HAVE_STREAM" = 0 ]; then
  STREAM_DESC="missing"
  log "bench: nginx has no stream module (sudo apt-get install -y libnginx-mod-stream); nginx and the udp measure are skipped"
  SKIP[nginx]="nginx has no stream module (install libnginx-mod-stream)"
  for name in $PROXIES; do BAD["$name udp"]="not measured: iperf3's control relay needs nginx's stream module"; done
fi
want haproxy && BAD["haproxy udp"]="$HAPROXY_NO_UDP"

# ---------------------------------------------------------------------------------------------- setup
TMP="$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench.XXXXXX")"
chmod 755 "$TMP"   # nginx workers may run as nobody

# nginx config with an optional http and an optional stream block; $4 is the error_log level.
nginx_l4_conf() {  # dir, http body, stream body, level
  mkdir -p "$1/logs"
  {
    if [ -n "$3" ] && [ -n "$STREAM_LOAD" ]; then echo "$STREAM_LOAD"; fi
    cat <<EOF
worker_processes 1;
pid $1/nginx.pid;
error_log $1/logs/error.log $4;
events { worker_connections 4096; multi_accept on; }
EOF
    if [ -n "$2" ]; then cat <<EOF
http {
    access_log off;
    client_body_temp_path $1/client_body;
    proxy_temp_path $1/proxy;
    fastcgi_temp_path $1/fastcgi;
    uwsgi_temp_path $1/uwsgi;
    scgi_temp_path $1/scgi;
$2
}
EOF
    fi
    if [ -n "$3" ]; then printf 'stream {\n%s\n}\n' "$3"; fi
  } > "$1/nginx.conf"
}

# Backend nginx on the load core: the HTTP backend of the HTTP mode (the conn measure's far end), and for the
# udp measure one TCP relay per proxy from its UDP port number to iperf3 -s, for iperf3's control connection.
relays=""
if measuring udp && [ "$HAVE_STREAM" = 1 ]; then
  for name in $PROXIES; do
    [ -n "${UPORT[$name]:-}" ] || continue
    relays="$relays    server { listen 127.0.0.1:${UPORT[$name]}; proxy_pass 127.0.0.1:$IPERF_PORT; }
"
  done
fi
nginx_l4_conf "$TMP/backend" "    server {
        listen 127.0.0.1:$BACKEND_PORT;
        default_type text/plain;
        location / { return 200 \"hello from backend\\n\"; }
    }" "${relays%$'\n'}" warn
start_nginx "$TMP/backend" "$LOAD_CPU"
BACKEND_PID=$NGINX_PID
if ! wait_http "$BACKEND_PID" "$BACKEND_PORT" 10; then
  show_log "$TMP/backend/logs/error.log"; show_log "$TMP/backend/logs/stdout.log"
  die "backend nginx did not start"
fi

# iperf3 -s on the load core, loopback only, TCP and UDP on one port.
IPERF_PID=""
if uses_iperf; then
  mkdir -p "$TMP/iperf3"
  taskset -c "$LOAD_CPU" iperf3 -s -B 127.0.0.1 -p "$IPERF_PORT" --forceflush > "$TMP/iperf3/server.log" 2>&1 &
  IPERF_PID=$!
  STARTED+=("$IPERF_PID")
  for _ in $(seq 1 50); do grep -q 'Server listening' "$TMP/iperf3/server.log" 2>/dev/null && break; sleep 0.2; done
  grep -q 'Server listening' "$TMP/iperf3/server.log" 2>/dev/null || { show_log "$TMP/iperf3/server.log"; die "iperf3 -s did not start"; }
fi

# The proxies answer on the conn port when their TCP path works end to end (curl through it to the backend).
check_l4() {  # name
  local out
  out="$(curl -s --max-time 3 "http://127.0.0.1:${CPORT[$1]}/" || true)"
  [[ "$out" == *"hello from backend"* ]] && return 0
  SKIP[$1]="no backend answer through its tcp port ${CPORT[$1]}"
  return 1
}

# nginx stream: proxy_timeout 30s on UDP, as Sluice's session_idle_timeout; proxy_responses unset (any number of
# replies until the timeout), which iperf3's UDP handshake needs. error_log crit: when an iperf3 UDP test ends
# nginx logs every straggling datagram the closed backend port refuses, which is not part of the measure.
if want nginx && [ -z "${SKIP[nginx]:-}" ]; then
  nginx_l4_conf "$TMP/nginx-proxy" "" "    server { listen 127.0.0.1:${PORT[nginx]}; proxy_pass 127.0.0.1:$IPERF_PORT; }
    server { listen 127.0.0.1:${CPORT[nginx]}; proxy_pass 127.0.0.1:$BACKEND_PORT; }
    server { listen 127.0.0.1:${UPORT[nginx]} udp; proxy_pass 127.0.0.1:$IPERF_PORT; proxy_timeout 30s; }" crit
  start_nginx "$TMP/nginx-proxy" "$PROXY_CPU"
  PID[nginx]=$NGINX_PID
  if ! wait_http "${PID[nginx]}" "${CPORT[nginx]}" 10 proxy; then
    SKIP[nginx]="did not start"; show_log "$TMP/nginx-proxy/logs/error.log"; show_log "$TMP/nginx-proxy/logs/stdout.log"
  fi
fi

# haproxy mode tcp, one thread, no logging; timeouts outlast a run (iperf3's control connection is idle during it).
if want haproxy; then
  mkdir -p "$TMP/haproxy"
  cat > "$TMP/haproxy/haproxy.cfg" <<EOF
global
    nbthread 1
    maxconn 4096
defaults
    mode tcp
    timeout connect 5s
    timeout client $((SECS + 60))s
    timeout server $((SECS + 60))s
listen stream
    bind 127.0.0.1:${PORT[haproxy]}
    server b1 127.0.0.1:$IPERF_PORT
listen conn
    bind 127.0.0.1:${CPORT[haproxy]}
    server b1 127.0.0.1:$BACKEND_PORT
EOF
  launch_haproxy "${CPORT[haproxy]}"
fi

# Sluice: three listeners (tcp to iperf3 -s, tcp to the HTTP backend, udp to iperf3 -s), one pool each, as the
# HTTP mode's start_sluice: workers 1, admin off; "sluice" with metrics on (the default) plus SLUICE_EXTRA_YAML,
# "sluice-bare" with metrics off.
start_sluice_l4() {  # name extra-yaml
  local name="$1" extra="$2"
  mkdir -p "$TMP/$name"
  cat > "$TMP/$name/sluice.yaml" <<EOF
workers: 1
listeners:
  - name: tcp
    bind: 127.0.0.1:${PORT[$name]}
    protocol: tcp
    routes: [ { pool: back } ]
  - name: conn
    bind: 127.0.0.1:${CPORT[$name]}
    protocol: tcp
    routes: [ { pool: web } ]
  - name: udp
    bind: 127.0.0.1:${UPORT[$name]}
    protocol: udp
    routes: [ { pool: uback } ]
pools:
  - name: back
    protocol: tcp
    backends: [ { address: "127.0.0.1:$IPERF_PORT" } ]
  - name: web
    protocol: tcp
    backends: [ { address: "127.0.0.1:$BACKEND_PORT" } ]
  - name: uback
    protocol: udp
    backends: [ { address: "127.0.0.1:$IPERF_PORT" } ]
admin: { enabled: false }
$extra
EOF
  launch_sluice "$name" "${CPORT[$name]}" "through its tcp listener 127.0.0.1:${CPORT[$name]}"
}
start_sluices start_sluice_l4 ""

ACTIVE=()
for name in $PROXIES; do
  if [ -z "${SKIP[$name]:-}" ] && check_l4 "$name"; then ACTIVE+=("$name"); fi
  [ -n "${SKIP[$name]:-}" ] && log "bench: $name: ${SKIP[$name]}; going on without it"
done
[ "${#ACTIVE[@]}" -gt 0 ] || die "no proxy is running; nothing to measure"

# ---------------------------------------------------------------------------------------------- header
mkdir -p "$ROOT/bench/out"
STAMP="$(date +%Y%m%d-%H%M%S)"
RESULTS="$ROOT/bench/out/results-l4-$STAMP.txt"
RAW="$TMP/raw.txt"
: > "$RAW"
cpu_model="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
[ -n "$cpu_model" ] || cpu_model="$(uname -m)"
jdk="$("$JAVA" -version 2>&1 | head -n1 || echo 'no java')"
n_measures=0; for m in $L4_MEASURES; do n_measures=$((n_measures + 1)); done
WARM_S="$(secs_of "$WARMUP")"
WARM_SLUICE_S=$(( ( $(secs_of "$WARMUP_SLUICE") + n_measures - 1 ) / n_measures ))
[ "$WARM_SLUICE_S" -ge "$WARM_S" ] || WARM_SLUICE_S=$WARM_S
udp_offered="$(awk -v b="$UDP_BITRATE" -v l="$UDP_LEN" 'BEGIN { n = b + 0; u = substr(b, length(b))
  if (u == "K" || u == "k") n *= 1e3; else if (u == "M" || u == "m") n *= 1e6; else if (u == "G" || u == "g") n *= 1e9
  if (n == 0) print "unlimited"; else printf "%.0f", n / 8 / l }')"

{
  echo "Sluice whole-system benchmark, L4 (MODE=l4), $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine:   $(nproc) cores, $cpu_model, Linux $(uname -r)"
  echo "JDK:       $jdk"
  echo "versions:  $("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //') (stream module: $STREAM_DESC), $("$HAPROXY_BIN" -v | head -n1 | awk '{print "haproxy/"$3}'), $(iperf3 --version 2>&1 | head -n1 | awk '{print "iperf3/"$2}'), $(wrk -v 2>&1 | head -n1 | awk '{print "wrk/"$2}')"
  echo "transport: loopback 127.0.0.1, no TLS; proxies pinned to core $PROXY_CPU, backends (iperf3 -s, nginx) and load"
  echo "           (iperf3 -c, wrk) to core $LOAD_CPU; Sluice netty transport: $SLUICE_TRANSPORT"
  measuring tcp && echo "tcp:       iperf3 -c -t $SECS, one connection, client -> proxy -> iperf3 -s"
  measuring tcp-R && echo "tcp-R:     iperf3 -c -t $SECS -R, one connection, iperf3 -s -> proxy -> client"
  measuring conn && echo "conn:      wrk -t$THREADS -c$L4_CONNECTIONS -d${SECS}s -H 'Connection: close' to the nginx HTTP backend: one new connection per request"
  measuring udp && echo "udp:       iperf3 -u -l $UDP_LEN -b $UDP_BITRATE -t $SECS (offered: $udp_offered datagrams/s), client -> proxy -> iperf3 -s;"
  measuring udp && echo "           iperf3's TCP control connection goes around the proxy (relay in the backend nginx)"
  echo "rounds:    $ROUNDS interleaved; warm-up ${WARM_S}s per measure (sluice ${WARM_SLUICE_S}s)"
  for name in $PROXIES; do
    [ -n "${SKIP[$name]:-}" ] && echo "skipped:   $name: ${SKIP[$name]}"
  done
  true
} | tee "$RESULTS"

# ---------------------------------------------------------------------------------------------- runs
# One load run; prints "rate units sent errors load_cpu_s": tcp/tcp-R: Gbit/s, GB (1e9 bytes) delivered twice, 0;
# conn: connections/s, connections, connections, wrk's errors; udp: datagrams/s delivered, delivered, sent, lost.
# The load tool runs under timeout so that a proxy that swallows the test cannot stall the bench. Like run_wrk:
# call it in this shell with output to a file, never inside $(...).
run_load() {  # measure port seconds out
  local m=$1 port=$2 secs=$3 out=$4 rc=0 before after cmd=()
  case "$m" in
    tcp)   cmd=(iperf3 -c 127.0.0.1 -p "$port" -t "$secs" -f m --connect-timeout 3000) ;;
    tcp-R) cmd=(iperf3 -c 127.0.0.1 -p "$port" -t "$secs" -f m --connect-timeout 3000 -R) ;;
    udp)   cmd=(iperf3 -c 127.0.0.1 -p "$port" -t "$secs" -f m --connect-timeout 3000 -u -l "$UDP_LEN" -b "$UDP_BITRATE") ;;
    conn)  cmd=(wrk -t"$THREADS" -c"$L4_CONNECTIONS" -d"${secs}s" --timeout 5s -H 'Connection: close' "http://127.0.0.1:$port/") ;;
  esac
  children_cpu_s; before="$CHILD_CPU_S"
  taskset -c "$LOAD_CPU" timeout -k 5 $((secs + 30)) "${cmd[@]}" > "$out" 2>&1 &
  echo $! > "$TMP/load.pid"
  wait $! || rc=$?
  rm -f "$TMP/load.pid"
  [ "$rc" -eq 0 ] || return "$rc"
  children_cpu_s; after="$CHILD_CPU_S"
  awk -v m="$m" -v load_s="$(awk -v a="$before" -v b="$after" 'BEGIN { print b - a }')" '
    m == "conn" && / requests in / { req = $1 }
    m == "conn" && /^Requests\/sec:/ { rps = $2 }
    m == "conn" && /Non-2xx or 3xx responses:/ { bad += $NF }
    m == "conn" && /Socket errors:/ { gsub(/,/, ""); bad += $4 + $6 + $8 + $10 }
    m != "conn" && ($NF == "sender" || $NF == "receiver") {
      secs = ""; mbps = ""; total = ""; lost = ""
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^[0-9.]+-[0-9.]+$/) { split($i, a, "-"); secs = a[2] - a[1] }
        if ($i == "Mbits/sec") mbps = $(i - 1)
        if ($i ~ /^[0-9]+\/[0-9]+$/) { split($i, lt, "/"); lost = lt[1]; total = lt[2] }
      }
      if ($NF == "receiver") { r_secs = secs; r_mbps = mbps; r_lost = lost; r_total = total } else s_total = total
    }
    END {
      if (m == "conn") {
        if (rps == "" || req == "" || req == 0) exit 1
        printf "%s %d %d %d %s\n", rps, req, req, bad, load_s
      } else if (m == "udp") {
        if (r_secs == "" || r_secs <= 0 || s_total == "") exit 1
        got = r_total - r_lost; if (got <= 0) exit 1
        printf "%.1f %d %d %d %s\n", got / r_secs, got, s_total, s_total - got, load_s
      } else {
        if (r_secs == "" || r_secs <= 0 || r_mbps == "" || r_mbps <= 0) exit 1
        gb = r_mbps * 1e6 * r_secs / 8 / 1e9
        printf "%.3f %.5f %.5f 0 %s\n", r_mbps / 1000, gb, gb, load_s
      }
    }' "$out"
}

port_for() {  # name measure
  case "$2" in tcp|tcp-R) echo "${PORT[$1]}" ;; conn) echo "${CPORT[$1]}" ;; udp) echo "${UPORT[$1]:-}" ;; esac
}

# Raw line per run: round proxy measure rate cpu_per_unit core_pct units sent errors loss_pct other_pct steal_pct
# sirq_per_unit. Units: tcp Gbit/s, s/GB; conn conn/s, us/conn; udp datagrams/s, us/datagram.
measure_l4() {  # round proxy measure
  local round=$1 name=$2 m=$3 pids bpids t0 t1 c0 c1 k0 k1 s0 s1 rate units sent errors load_s
  # shellcheck disable=SC2207
  pids=($(descendants "${PID[$name]}"))
  # shellcheck disable=SC2207
  bpids=($(descendants "$BACKEND_PID"; [ -z "$IPERF_PID" ] || echo "$IPERF_PID"))
  k0="$(cpu_ticks "${bpids[@]}")"; s0="$(sys_ticks "$PROXY_CPU")"
  c0="$(cpu_ticks "${pids[@]}")"; t0="$(date +%s%N)"
  if ! run_load "$m" "$(port_for "$name" "$m")" "$SECS" "$TMP/$m-$name-$round.txt" > "$TMP/res"; then
    log "bench: round $round $name $m: the load run failed or moved nothing:"; show_log "$TMP/$m-$name-$round.txt"
    return 0
  fi
  c1="$(cpu_ticks "${pids[@]}")"; t1="$(date +%s%N)"
  k1="$(cpu_ticks "${bpids[@]}")"; s1="$(sys_ticks "$PROXY_CPU")"
  kill -0 "${PID[$name]}" 2>/dev/null || log "bench: $name died during round $round ($m)"
  read -r rate units sent errors load_s < "$TMP/res"
  awk -v r="$round" -v n="$name" -v m="$m" -v rate="$rate" -v units="$units" -v sent="$sent" -v errors="$errors" \
      -v ticks="$((c1 - c0))" -v hz="$CLK_TCK" -v ns="$((t1 - t0))" \
      -v known="$(( (c1 - c0) + (k1 - k0) ))" -v s0="$s0" -v s1="$s1" -v load_s="$load_s" 'BEGIN {
    split(s0, a, " "); split(s1, b, " ")
    cpu_s = ticks / hz; sirq_s = (b[3] - a[3]) / hz
    scale = (m == "tcp" || m == "tcp-R") ? 1 : 1e6   # s per GB, or us per connection / datagram
    other_pct = ((b[1] - a[1] - known) / hz - load_s) * 1e11 / ns; if (other_pct < 0) other_pct = 0
    steal_pct = (b[2] - a[2]) / hz * 1e11 / ns
    loss = (sent > 0) ? (1 - units / sent) * 100 : 0; if (loss < 0) loss = 0
    printf "%d %s %s %s %.4f %.0f %s %s %d %.2f %.0f %.0f %.4f\n", r, n, m, rate, cpu_s * scale / units,
      cpu_s * 100 / (ns / 1e9), units, sent, errors, loss, other_pct, steal_pct, sirq_s * scale / units }' >> "$RAW"
  tail -n1 "$RAW" | awk -v lim="$OTHER_WARN" -v losslim="$UDP_LOSS_WARN" '{
    if ($3 == "conn") what = sprintf("%8.0f conn/s   CPU %7.2f us/conn (+%6.2f softirq)", $4, $5, $13)
    else if ($3 == "udp") what = sprintf("%8.0f dgram/s  loss %5.2f%%  CPU %6.2f us/dgram (+%5.2f softirq)", $4, $10, $5, $13)
    else what = sprintf("%8.3f Gbit/s   CPU %6.3f s/GB (+%6.3f softirq)", $4, $5, $13)
    printf "  round %s %-11s %-5s %s  core %3s%%  other %3s%%  steal %2s%%%s\n", $1, $2, $3, what, $6, $11, $12,
      ($3 == "conn" ? "  errors " $9 : "")
    if ($3 == "conn" && $9 > 0) printf "    warning: wrk saw %s error(s); this run is not a fair comparison\n", $9
    if ($3 == "udp" && $10 > losslim) printf "    warning: %s%% of the datagrams were lost: the proxy or the load core did not keep up\n", $10
    if ($11 > lim) printf "    warning: other processes used %s%% of a core during this run; its numbers are disturbed\n", $11
    if ($12 > lim) printf "    warning: the hypervisor stole %s%% of a core during this run; its numbers are disturbed\n", $12 }' \
    | tee -a "$RESULTS"
}

echo "warm-up:" | tee -a "$RESULTS"
for name in "${ACTIVE[@]}"; do
  w="$WARM_S"; case "$name" in sluice*) w="$WARM_SLUICE_S" ;; esac
  for m in $L4_MEASURES; do
    [ -z "${BAD[$name $m]:-}" ] || continue
    if run_load "$m" "$(port_for "$name" "$m")" "$w" "$TMP/warmup-$m-$name.txt" > "$TMP/warmup.res"; then
      awk -v n="$name" -v m="$m" -v w="$w" '{ u = (m == "conn") ? "conn/s" : (m == "udp") ? "dgram/s" : "Gbit/s"
        printf "  %-11s %-5s %ss, %s %s%s\n", n, m, w, $1, u, (m == "conn" ? ", errors " $4 : "") }' "$TMP/warmup.res" \
        | tee -a "$RESULTS"
    else
      BAD["$name $m"]="not measured: its warm-up failed"
      log "bench: warm-up of $name $m failed; $m is not measured for $name:"; show_log "$TMP/warmup-$m-$name.txt"
    fi
    sleep "$PAUSE"
  done
done

echo "runs (order rotates each round):" | tee -a "$RESULTS"
n_active=${#ACTIVE[@]}
for round in $(seq 1 "$ROUNDS"); do
  for i in $(seq 0 $((n_active - 1))); do
    name="${ACTIVE[$(( (i + round - 1) % n_active ))]}"
    for m in $L4_MEASURES; do
      [ -z "${BAD[$name $m]:-}" ] || continue
      measure_l4 "$round" "$name" "$m"
      sleep "$PAUSE"
    done
  done
done

# ---------------------------------------------------------------------------------------------- summary
colm() { awk -v n="$1" -v m="$2" -v c="$3" '$2 == n && $3 == m { print $c }' "$RAW" | median; }
summ() { awk -v n="$1" -v m="$2" -v c="$3" '$2 == n && $3 == m { t += $c } END { print t + 0 }' "$RAW"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NA" || b == "NA" || b == 0) print "NA"; else printf "%.2f", a / b }'; }

table() {  # measure
  local m=$1 name rate cpu
  case "$m" in
    tcp|tcp-R)
      if [ "$m" = tcp ]; then echo "TCP throughput, client -> backend (iperf3, one connection)"; else echo "TCP throughput, backend -> client (iperf3 -R, one connection)"; fi
      printf '%-11s %8s %9s %9s %6s %7s %7s %13s %12s %15s %14s\n' proxy Gbit/s CPU_s/GB sirq_s/GB core% other% steal% \
        gbps_vs_nginx cpu_vs_nginx gbps_vs_haproxy cpu_vs_haproxy ;;
    conn)
      echo "New TCP connections (wrk, Connection: close; each connects, sends a request, reads a 19-byte reply, closes)"
      printf '%-11s %8s %12s %8s %6s %7s %7s %7s %12s %12s %14s %14s\n' proxy conn/s CPU_us/conn sirq_us core% other% steal% \
        errors cps_vs_nginx cpu_vs_nginx cps_vs_haproxy cpu_vs_haproxy ;;
    udp)
      echo "UDP datagrams, client -> backend (iperf3 -u, $UDP_LEN bytes, offered $udp_offered/s)"
      printf '%-11s %9s %6s %13s %8s %6s %7s %7s %12s %12s\n' proxy dgram/s loss% CPU_us/dgram sirq_us core% other% steal% \
        dps_vs_nginx cpu_vs_nginx ;;
  esac
  for name in $PROXIES; do
    if [ -n "${SKIP[$name]:-}" ]; then printf '%-11s %s\n' "$name" "not measured: ${SKIP[$name]}"; continue; fi
    if [ -n "${BAD[$name $m]:-}" ]; then printf '%-11s %s\n' "$name" "${BAD[$name $m]}"; continue; fi
    rate="$(colm "$name" "$m" 4)"
    if [ "$rate" = NA ]; then printf '%-11s %s\n' "$name" "no successful run"; continue; fi
    cpu="$(colm "$name" "$m" 5)"
    awk -v n="$name" -v m="$m" -v rate="$rate" -v cpu="$cpu" -v core="$(colm "$name" "$m" 6)" \
        -v oth="$(colm "$name" "$m" 11)" -v stl="$(colm "$name" "$m" 12)" -v sirq="$(colm "$name" "$m" 13)" \
        -v loss="$(colm "$name" "$m" 10)" -v errors="$(summ "$name" "$m" 9)" \
        -v rn="$(ratio "$rate" "$(colm nginx "$m" 4)")" -v cn="$(ratio "$cpu" "$(colm nginx "$m" 5)")" \
        -v rh="$(ratio "$rate" "$(colm haproxy "$m" 4)")" -v ch="$(ratio "$cpu" "$(colm haproxy "$m" 5)")" 'BEGIN {
      if (m == "conn")
        printf "%-11s %8.0f %12.2f %8.2f %5.0f%% %6.0f%% %6.0f%% %7d %12s %12s %14s %14s\n", n, rate, cpu, sirq, core, oth, stl,
          errors, rn, cn, rh, ch
      else if (m == "udp")
        printf "%-11s %9.0f %5.2f%% %13.2f %8.2f %5.0f%% %6.0f%% %6.0f%% %12s %12s\n", n, rate, loss, cpu, sirq, core, oth, stl, rn, cn
      else
        printf "%-11s %8.3f %9.3f %9.3f %5.0f%% %6.0f%% %6.0f%% %13s %12s %15s %14s\n", n, rate, cpu, sirq, core, oth, stl,
          rn, cn, rh, ch }'
  done
  echo
}

# Issue 12's targets for Sluice against haproxy: TCP throughput and CPU per byte within 10%, connection rate at
# least 0.8x. Printed for each measured Sluice; a benchmark, so it says met or missed and never fails.
targets() {
  local s m line gr cr
  for s in sluice sluice-bare; do
    want "$s" && [ -z "${SKIP[$s]:-}" ] || continue
    line=""
    for m in $L4_MEASURES; do
      [ "$m" = udp ] && continue
      gr="$(ratio "$(colm "$s" "$m" 4)" "$(colm haproxy "$m" 4)")"
      cr="$(ratio "$(colm "$s" "$m" 5)" "$(colm haproxy "$m" 5)")"
      [ "$gr" = NA ] && continue
      if [ "$m" = conn ]; then
        line="$line; conn ${gr}x conn/s ($(awk -v g="$gr" 'BEGIN { print (g >= 0.8) ? "met" : "missed" }'): >= 0.8x)"
      else
        line="$line; $m ${gr}x Gbit/s, ${cr}x CPU/GB ($(awk -v g="$gr" -v c="$cr" 'BEGIN {
          print (g >= 0.9 && c != "NA" && c <= 1.1) ? "met" : "missed" }'): within 10%)"
      fi
    done
    [ -n "$line" ] && echo "targets (issue 12), $s vs haproxy: ${line#; }"
  done
  true
}

{
  echo
  echo "raw: round proxy measure rate cpu_per_unit proxy_core_pct units sent errors loss_pct other_pct steal_pct softirq_per_unit"
  echo "     (tcp, tcp-R: Gbit/s, s/GB, GB; conn: conn/s, us/conn, connections; udp: datagrams/s, us/datagram, datagrams)"
  sed 's/^/  /' "$RAW"
  echo
  echo "medians over $ROUNDS round(s), errors summed over them; ratios are to nginx and haproxy (rates: higher is"
  echo "better; CPU per GB / connection / datagram: lower is better). CPU is the proxy's own; sirq is kernel irq/softirq"
  echo "time on the proxy's core per unit; core% is the proxy's use of its core; other%/steal% are CPU used by unrelated"
  echo "processes / the hypervisor. A GB is 1e9 bytes delivered; a udp datagram counts when iperf3 -s received it."
  echo
  for m in $L4_MEASURES; do table "$m"; done
  targets
  echo "results: $RESULTS"
} | tee -a "$RESULTS"
