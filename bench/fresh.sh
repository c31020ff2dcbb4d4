# shellcheck shell=bash disable=SC2154  # variables (PID, cpu_model, jdk, ...) come from run.sh, which sources this
# MODE=idle and MODE=startup of bench/run.sh: measures of freshly started proxies, on the configs run.sh's setup
# wrote and checked (nginx backend, nginx, haproxy, Sluice). Sourced by run.sh after that setup and its helpers
# (stop_proxy, restart_proxy, spawn_*, rss_kb, fd_count, median, sluice_cmd); not runnable alone.
#
# Every proxy is stopped first; then, in ROUNDS interleaved rounds (the order rotates), each one is started afresh,
# measured and stopped again, so no measure sees another's leftovers.
#   idle     RSS (VmRSS summed over the proxy's processes) once it answers; then bench/clients.py, on the load
#            core, opens IDLE_CONNECTIONS keep-alive connections (IDLE_PARALLEL being set up at once), each sends
#            one GET / and reads the answer, then stays open; after all are answered and 1 s more, RSS and open
#            file descriptors again, and how many connections the proxy kept open.
#   startup  the wall time from launching the proxy to the first GET / answered 200 through it, polled every
#            STARTUP_POLL seconds by bench/clients.py (started before the clock, so Python's own start is not in it).

CLIENTS="$ROOT/bench/clients.py"
[ -f "$CLIENTS" ] || die "missing $CLIENTS"
RESULTS="$ROOT/bench/out/results-$MODE-$STAMP.txt"

# Forgets a pid we started and have reaped (so cleanup never signals a pid the system reused).
forget_pid() {
  local keep=() pid
  for pid in "${STARTED[@]}"; do [ "$pid" = "$1" ] || keep+=("$pid"); done
  STARTED=("${keep[@]}")
}

# Starts a proxy on its config without waiting for it (MODE=startup times that wait itself).
spawn_proxy() {  # name
  case "$1" in
    nginx) start_nginx "$TMP/nginx-proxy" "$PROXY_CPU"; PID[nginx]=$NGINX_PID ;;
    haproxy) spawn_haproxy ;;
    *) spawn_sluice "$1" ;;
  esac
}

proxy_log() {  # name: the log worth showing when it fails
  case "$1" in
    nginx) echo "$TMP/nginx-proxy/logs/error.log" ;;
    haproxy) echo "$TMP/haproxy/haproxy.log" ;;
    *) echo "$TMP/$1/sluice.log" ;;
  esac
}

for name in "${ACTIVE[@]}"; do stop_proxy "$name"; done

{
  if [ "$MODE" = idle ]; then
    echo "Sluice whole-system benchmark, RSS with idle keep-alive connections (MODE=idle), $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  else
    echo "Sluice whole-system benchmark, time to the first proxied answer (MODE=startup), $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  fi
  echo "machine:   $(nproc) cores, $cpu_model, Linux $(uname -r), $(awk '/^MemTotal:/ { printf "%.1f GB RAM", $2 * 1024 / 1e9 }' /proc/meminfo)"
  echo "JDK:       $jdk"
  echo "versions:  $("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //'), $("$HAPROXY_BIN" -v | head -n1 | awk '{print "haproxy/"$3}'), $("$PYTHON" --version 2>&1)"
  echo "proxies:   pinned to core $PROXY_CPU (nginx: 1 worker; haproxy: nbthread 1; Sluice: workers 1), the backend and"
  echo "           bench/clients.py to core $LOAD_CPU; $BODY_DESC from an nginx backend; Sluice netty transport: $SLUICE_TRANSPORT"
  if want sluice || want sluice-bare || want sluice-filters; then
    echo "Sluice:    $(sluice_cmd)"
    echo "           (java -jar, not the ./sluice launcher: JVM options come from SLUICE_HEAP_OPTS and SLUICE_JAVA_OPTS only)"
    cds="$(sluice_cds)"; [ -z "$cds" ] || echo "AppCDS:    $cds"
  fi
  if [ "$MODE" = idle ]; then
    echo "load:      $IDLE_CONNECTIONS keep-alive connections, one GET / each, then idle; $IDLE_PARALLEL being set up at once;"
    echo "           $ROUNDS interleaved round(s), a fresh start of each proxy per round; RSS = VmRSS summed over its processes"
    echo "limits:    open files $(ulimit -Sn); nginx worker_connections $NGINX_WORKER_CONN; haproxy maxconn $PROXY_MAXCONN, timeout client 300s; Sluice ${SLUICE_LIMITS:-limits: defaults}"
  else
    echo "load:      GET / every ${STARTUP_POLL}s from the launch until one is answered 200 (timeout ${SLUICE_START_TIMEOUT}s); $ROUNDS round(s)"
  fi
  for name in $PROXIES; do
    [ -n "${SKIP[$name]:-}" ] && echo "skipped:   $name: ${SKIP[$name]}"
  done
  true
} | tee "$RESULTS"

# ---------------------------------------------------------------------------------------------- MODE=idle
# One fresh start of a proxy: RSS before, IDLE_CONNECTIONS idle connections, RSS with them. Appends to RAW
# "round proxy rss_before_kb rss_idle_kb answered failed still_open fds open_seconds errors".
measure_idle() {  # round name
  local round=$1 name=$2 before after fds client ready answered failed secs errs open rc=0
  if ! restart_proxy "$name"; then
    log "bench: round $round $name: ${SKIP[$name]}"; show_log "$(proxy_log "$name")"; unset "SKIP[$name]"
    stop_proxy "$name"
    return 0
  fi
  sleep 1
  before="$(rss_kb "${PID[$name]}")"
  ready="$TMP/idle.ready"
  rm -f "$ready" "$TMP/idle.stop"
  taskset -c "$LOAD_CPU" "$PYTHON" "$CLIENTS" idle "${PORT[$name]}" "$IDLE_CONNECTIONS" "$IDLE_PARALLEL" \
    "$ready" "$TMP/idle.stop" 180 > "$TMP/idle-$name-$round.out" 2>&1 &
  client=$!
  STARTED+=("$client")
  while [ ! -f "$ready" ] && running "$client"; do sleep 0.1; done
  if [ -f "$ready" ]; then
    sleep 1
    after="$(rss_kb "${PID[$name]}")"; fds="$(fd_count "${PID[$name]}")"
  fi
  touch "$TMP/idle.stop"
  wait "$client" || rc=$?
  forget_pid "$client"
  kill -0 "${PID[$name]}" 2>/dev/null || log "bench: $name died during round $round"
  stop_proxy "$name"
  if [ ! -f "$ready" ] || [ "$rc" -ne 0 ]; then
    log "bench: round $round $name: the idle client failed (exit $rc):"; show_log "$TMP/idle-$name-$round.out"
    return 0
  fi
  read -r answered failed secs errs < "$ready"
  open="$(awk '$1 == "open" { print $2 }' "$TMP/idle-$name-$round.out")"
  echo "$round $name $before $after $answered $failed ${open:-0} $fds $secs $errs" >> "$RAW"
  tail -n1 "$RAW" | awk -v n="$IDLE_CONNECTIONS" '{
    printf "  round %s %-11s RSS %7.1f MB before, %7.1f MB with the connections (%+.1f kB each); answered %s, failed %s, still open %s; fds %s; opened in %ss\n",
      $1, $2, $3 * 1024 / 1e6, $4 * 1024 / 1e6, ($5 > 0 ? ($4 - $3) * 1024 / 1e3 / $5 : 0), $5, $6, $7, $8, $9
    if ($6 > 0) printf "    warning: %s of %s connections failed (%s); this proxy is not compared fairly\n", $6, n, $10
    if ($7 < $5) printf "    warning: the proxy closed %d idle connection(s) before the measure ended\n", $5 - $7 }' | tee -a "$RESULTS"
}

# ---------------------------------------------------------------------------------------------- MODE=startup
# One fresh start: launch to the first 200 through the proxy, in ms. Appends "round proxy ms" to RAW.
measure_startup() {  # round name
  local round=$1 name=$2 poller ready t0 t1 rc=0 deadline
  ready="$TMP/poll.ready"
  rm -f "$ready"
  taskset -c "$LOAD_CPU" "$PYTHON" "$CLIENTS" first200 "${PORT[$name]}" "$SLUICE_START_TIMEOUT" "$STARTUP_POLL" \
    "$ready" > "$TMP/poll.out" 2> "$TMP/poll.err" &
  poller=$!
  STARTED+=("$poller")
  deadline=$(( $(date +%s) + 10 ))
  while [ ! -f "$ready" ] && running "$poller" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.01; done
  if [ ! -f "$ready" ]; then
    log "bench: round $round $name: the poller did not start:"; show_log "$TMP/poll.err"
    kill "$poller" 2>/dev/null || true; wait "$poller" 2>/dev/null || true; forget_pid "$poller"
    return 0
  fi
  t0="${EPOCHREALTIME//[!0-9]/}"  # microseconds since the epoch, without a fork
  spawn_proxy "$name"
  wait "$poller" || rc=$?
  forget_pid "$poller"
  t1="$(head -n1 "$TMP/poll.out" 2>/dev/null || true)"
  [ "$name" = nginx ] || [ "$name" = haproxy ] || sluice_transport "$TMP/$name/sluice.log"
  if [ "$rc" -ne 0 ] || [ -z "$t1" ]; then
    log "bench: round $round $name: no 200 within ${SLUICE_START_TIMEOUT}s of the launch; its log:"; show_log "$(proxy_log "$name")"
  else
    echo "$round $name $(( (t1 - t0) / 1000 ))" >> "$RAW"
    tail -n1 "$RAW" | awk '{ printf "  round %s %-11s first 200 after %5d ms\n", $1, $2, $3 }' | tee -a "$RESULTS"
  fi
  stop_proxy "$name"
}

# ---------------------------------------------------------------------------------------------- rounds
echo "runs (a fresh start each; order rotates each round):" | tee -a "$RESULTS"
n_active=${#ACTIVE[@]}
for round in $(seq 1 "$ROUNDS"); do
  for i in $(seq 0 $((n_active - 1))); do
    name="${ACTIVE[$(( (i + round - 1) % n_active ))]}"
    if [ "$MODE" = idle ]; then measure_idle "$round" "$name"; else measure_startup "$round" "$name"; fi
    sleep "$PAUSE"
  done
done

# ---------------------------------------------------------------------------------------------- summary
{
  echo
  if [ "$MODE" = idle ]; then
    echo "raw: round proxy rss_before_kB rss_idle_kB answered failed still_open fds open_seconds errors"
    sed 's/^/  /' "$RAW"
    echo
    echo "medians over $ROUNDS round(s); RSS in MB (10^6 bytes) of all the proxy's processes; kB/conn = (idle - before) / answered;"
    echo "failed summed over the rounds; rss_vs_nginx is the ratio of RSS with the connections."
    printf '%-11s %11s %11s %9s %9s %7s %9s %13s\n' proxy before_MB idle_MB kB/conn answered failed fds rss_vs_nginx
    ng="$(col nginx 4)"
    for name in $PROXIES; do
      if [ -n "${SKIP[$name]:-}" ]; then printf '%-11s %s\n' "$name" "not measured: ${SKIP[$name]}"; continue; fi
      after="$(col "$name" 4)"
      if [ "$after" = NA ]; then printf '%-11s %s\n' "$name" "no successful run"; continue; fi
      awk -v n="$name" -v b="$(col "$name" 3)" -v a="$after" -v ok="$(col "$name" 5)" -v fds="$(col "$name" 8)" -v ng="$ng" \
          -v failed="$(awk -v n="$name" '$2 == n { s += $6 } END { print s + 0 }' "$RAW")" 'BEGIN {
        r = (ng == "NA" || ng == 0) ? "NA" : sprintf("%.2f", a / ng)
        printf "%-11s %11.1f %11.1f %9.1f %9d %7d %9d %13s\n", n, b * 1024 / 1e6, a * 1024 / 1e6,
          (ok > 0 ? (a - b) * 1024 / 1e3 / ok : 0), ok, failed, fds, r }'
    done
    # The issue's target: Sluice at most 200 MB RSS with 10,000 idle keep-alive connections.
    for name in $PROXIES; do
      case "$name" in sluice*) ;; *) continue ;; esac
      after="$(col "$name" 4)"; [ "$after" != NA ] || continue
      awk -v n="$name" -v a="$after" -v c="$IDLE_CONNECTIONS" 'BEGIN {
        printf "target (%s): at most 200 MB RSS with 10000 idle connections: %.1f MB with %d: %s%s\n", n, a * 1024 / 1e6, c,
          (a * 1024 <= 200e6 ? "met" : "missed"), (c == 10000 ? "" : " (not the target'\''s count)") }'
    done
  else
    echo "raw: round proxy ms_to_first_200"
    sed 's/^/  /' "$RAW"
    echo
    echo "medians over $ROUNDS start(s) of the time from launching the proxy to the first GET / answered 200 through it"
    echo "(polled every ${STARTUP_POLL}s, so good to about that); Sluice: $(sluice_cmd)"
    printf '%-11s %10s %8s %8s %7s\n' proxy median_ms min_ms max_ms starts
    for name in $PROXIES; do
      if [ -n "${SKIP[$name]:-}" ]; then printf '%-11s %s\n' "$name" "not measured: ${SKIP[$name]}"; continue; fi
      med="$(col "$name" 3)"
      if [ "$med" = NA ]; then printf '%-11s %s\n' "$name" "no successful start"; continue; fi
      awk -v n="$name" -v m="$med" '$2 == n { if (k++ == 0 || $3 < lo) lo = $3; if ($3 > hi) hi = $3 }
        END { printf "%-11s %10.0f %8d %8d %7d\n", n, m, lo, hi, k }' "$RAW"
    done
    for name in $PROXIES; do  # a SharedArchiveFile the JVM could not map is only a warning in its log
      case "$name" in sluice*) ;; *) continue ;; esac
      if [ -f "$TMP/$name/sluice.log" ]; then
        grep -m2 -iE '\[(warning|error)\]\[cds' "$TMP/$name/sluice.log" | sed "s/^/$name: /" || true
      fi
    done
  fi
  echo
  echo "results: $RESULTS"
} | tee -a "$RESULTS"
