#!/usr/bin/env bash
# TURN relay benchmark: Sluice's `protocol: turn` listener (RFC 8656, UDP) against coturn's turnserver, on loopback.
#
#   turnutils_uclient (LOAD_CPU) ──UDP──► TURN server under test (SERVER_CPU) ──UDP──► turnutils_peer (LOAD_CPU, echoes)
#                               ◄──────────────────────────────────────────── (and back through the same relay)
#
# coturn's own test client makes CLIENTS allocations (one per client: uclient -c, no RTCP twin), binds a channel (or
# with MODE=send uses Send/Data indications), and sends MESSAGES datagrams of SIZE bytes every INTERVAL ms on each,
# to the peer, which echoes them back through the relay: CLIENTS × 1000 / INTERVAL datagrams/s offered, each relayed
# twice (client→peer, peer→client). Each server runs alone on one core (taskset); uclient and the peer share the
# other. Per run, over the window in which every client is sending (uclient starts each client 1–6 s after its
# allocations are made, so the first 6.5 s and the last 0.5 s of the sending phase are left out), from uclient's
# once-a-second counters and /proc:
#   relayed pkts/s  2 × echoes received by the clients per second (a round trip is two relayed packets)
#   CPU µs/pkt      the server's CPU time (utime+stime of its process, every thread) / relayed packets
#   sirq µs/pkt     kernel irq+softirq time on the server's core / relayed packets (loopback delivery no process pays)
#   core%           the server's CPU time / wall time
#   core+irq%       the same with the irq+softirq time of its core: near 100 means the server was the limit
#   load%           uclient + peer CPU / wall time: near 100 means the load core was the limit
#   loss%           1 − echoes received / datagrams sent, in the window; s_drop% / l_drop%: what the kernel dropped at
#                   the server's UDP sockets / at uclient's and the peer's (full receive buffers, /proc/net/udp)
#   other%, steal%  CPU used by other processes, and taken by the hypervisor (a busy machine; see OTHER_WARN)
# Rounds are interleaved (the order rotates), Sluice gets WARMUP throw-away runs first (JIT), and the summary prints
# medians with Sluice's ratios to coturn. Not a test: it never fails on numbers. See bench/README.md (TURN).
#
# Usage: bench/turn.sh                       # from any directory; about 6 minutes with the defaults
#        ROUNDS=5 bench/turn.sh              # steadier medians
#        MODE=send bench/turn.sh             # Send/Data indications instead of channels (uclient -s)
#        CLIENTS=50 INTERVAL=1 bench/turn.sh # another offered load (here 50,000 datagrams/s)
#        MODE=turn bench/run.sh              # the same, through bench/run.sh (TURN_MODE=send for indications)
#
# Knobs (environment): CLIENTS=100 (uclient -m, allocations) INTERVAL=2 (ms between two datagrams of one client, -z)
#   MESSAGES=15000/INTERVAL (datagrams per client, -n: 15 s of sending) SIZE=160 (payload bytes, -l) ROUNDS=3
#   MODE=channel|send (TURN_MODE wins when set; MODE=turn, as bench/run.sh passes it, means channel)
#   SERVERS="coturn sluice" SERVER_CPU=0 (or PROXY_CPU) LOAD_CPU=1 WARMUP=1 (Sluice warm-up runs) PAUSE=1
#   COTURN_THREADS=1 (turnserver --relay-threads; 0 = its single-threaded mode) UCLIENT_OPTS="" (more uclient flags)
#   JAVA=java SLUICE_JAR=target/sluice.jar REBUILD=0 SLUICE_START_TIMEOUT=30
#   SLUICE_HEAP_OPTS="-XX:+UseSerialGC -Xms64m -Xmx512m -XX:+ExitOnOutOfMemoryError" (as bench/run.sh) SLUICE_JAVA_OPTS=""
#   OTHER_WARN=15 (% of a core) LOSS_WARN=1 (%)
# Ports on 127.0.0.1 (UDP): 18478 coturn, 18479 Sluice, 18480 the peer; relays 20000-24999 (coturn), 25000-29999
# (Sluice). Everything it starts is stopped on exit, Ctrl-C or failure. Results: bench/out/results-turn-<stamp>.txt,
# uclient's output of every run in bench/out/turn-<stamp>/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TURN_MODE="${TURN_MODE:-${MODE:-channel}}"
[ "$TURN_MODE" = turn ] && TURN_MODE=channel
case "$TURN_MODE" in
  channel|send) ;;
  *) printf 'bench/turn.sh: unknown MODE %s (channel or send)\n' "$TURN_MODE" >&2; exit 1 ;;
esac
CLIENTS="${CLIENTS:-100}"
INTERVAL="${INTERVAL:-2}"
[[ "$INTERVAL" =~ ^[1-9][0-9]*$ ]] || { printf 'bench/turn.sh: INTERVAL is whole milliseconds, at least 1\n' >&2; exit 1; }
MESSAGES="${MESSAGES:-$(( 15000 / INTERVAL ))}"
SIZE="${SIZE:-160}"
ROUNDS="${ROUNDS:-3}"
SERVERS="${SERVERS:-coturn sluice}"
SERVER_CPU="${SERVER_CPU:-${PROXY_CPU:-0}}"
LOAD_CPU="${LOAD_CPU:-1}"
WARMUP="${WARMUP:-1}"
PAUSE="${PAUSE:-1}"
COTURN_THREADS="${COTURN_THREADS:-1}"
UCLIENT_OPTS="${UCLIENT_OPTS:-}"
JAVA="${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}"
SLUICE_JAR="${SLUICE_JAR:-target/sluice.jar}"
REBUILD="${REBUILD:-0}"
SLUICE_START_TIMEOUT="${SLUICE_START_TIMEOUT:-30}"
SLUICE_HEAP_OPTS="${SLUICE_HEAP_OPTS--XX:+UseSerialGC -Xms64m -Xmx512m -XX:+ExitOnOutOfMemoryError}"
SLUICE_JAVA_OPTS="${SLUICE_JAVA_OPTS:-}"
OTHER_WARN="${OTHER_WARN:-15}"
LOSS_WARN="${LOSS_WARN:-1}"

declare -A PORT=([coturn]=18478 [sluice]=18479)
PEER_PORT=18480
COTURN_RELAYS=(20000 24999)
SLUICE_RELAYS=(25000 29999)
# uclient starts each client 1 to 6 s after its allocations (random), then sends MESSAGES × INTERVAL ms.
SEND_S="$(awk -v n="$MESSAGES" -v z="$INTERVAL" 'BEGIN { printf "%.3f", n * z / 1000 }')"
WIN_FROM=6.5                                                                # after the connect line
WIN_TO="$(awk -v s="$SEND_S" 'BEGIN { printf "%.3f", 1 + s - 0.5 }')"      # idem
awk -v a="$WIN_FROM" -v b="$WIN_TO" 'BEGIN { exit !(b - a >= 3) }' || {
  printf 'bench/turn.sh: MESSAGES × INTERVAL = %s s of sending leaves less than 3 s with every client sending; raise MESSAGES\n' \
    "$SEND_S" >&2; exit 1; }
# uclient connects about 10 clients a second; after the last datagram it waits up to 10 s for late echoes.
RUN_TIMEOUT=$(( CLIENTS / 5 + ${SEND_S%.*} + 60 ))

declare -A PID=()
declare -A SKIP=()
STARTED=()
TMP=""
PEER_PID=""

log() { printf '%s\n' "$*" >&2; }
die() { log "bench/turn.sh: $*"; exit 1; }
want() { [[ " $SERVERS " == *" $1 "* ]]; }

# ---------------------------------------------------------------------------------------------- cleanup
# descendants, running, cleanup and the traps; cpu_ticks and sys_ticks
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ---------------------------------------------------------------------------------------------- tools
export PATH="$PATH:/usr/sbin:/sbin"
need=()
command -v turnserver >/dev/null 2>&1 && command -v turnutils_uclient >/dev/null 2>&1 \
  && command -v turnutils_peer >/dev/null 2>&1 || need+=(coturn)
command -v taskset >/dev/null 2>&1 || need+=(util-linux)
command -v pgrep >/dev/null 2>&1 || need+=(procps)
command -v ss >/dev/null 2>&1 || need+=(iproute2)
if [ "${#need[@]}" -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "missing ${need[*]}; not root and no sudo: install them yourself"
    sudo=sudo
  fi
  command -v apt-get >/dev/null 2>&1 || die "missing ${need[*]} and no apt-get: install them yourself"
  log "bench/turn.sh: installing ${need[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q "${need[@]}" >&2 || { $sudo apt-get update -q >&2; $sudo apt-get install -y -q "${need[@]}" >&2; }
fi
# Debian's coturn package enables its system service; this script never touches it, it only runs the binaries.
CLK_TCK="$(getconf CLK_TCK)"

udp_in_use() { [ -n "$(ss -Hun state all "sport = :$1" 2>/dev/null)" ]; }
for p in "${PORT[coturn]}" "${PORT[sluice]}" "$PEER_PORT"; do
  udp_in_use "$p" && die "UDP 127.0.0.1:$p is already in use; stop whatever listens there first"
done

TMP="$(mktemp -d "${TMPDIR:-/tmp}/sluice-turn-bench.XXXXXX")"
mkdir -p "$ROOT/bench/out"
STAMP="$(date +%Y%m%d-%H%M%S)"
RESULTS="$ROOT/bench/out/results-turn-$STAMP.txt"
RUNDIR="$ROOT/bench/out/turn-$STAMP"
mkdir -p "$RUNDIR"
RAW="$RUNDIR/raw.txt"
: > "$RAW"


# Datagrams the kernel dropped at the given processes' UDP sockets (a full receive buffer): the drops column of
# /proc/net/udp and udp6 (IPv4 and dual-stack sockets), summed over the sockets among their open files.
sock_drops() {  # pids...
  local pid
  for pid in "$@"; do ls -l "/proc/$pid/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p'; done \
    | awk 'FILENAME == "-" { want[$1] = 1; next } FNR > 1 && ($10 in want) { d += $13 } END { print d + 0 }' \
      - /proc/net/udp /proc/net/udp6
}

show_log() { [ -f "$1" ] && tail -n "${2:-15}" "$1" | sed 's/^/    | /' >&2 || true; }

# ---------------------------------------------------------------------------------------------- servers
start_peer() {
  taskset -c "$LOAD_CPU" turnutils_peer -L 127.0.0.1 -p "$PEER_PORT" > "$TMP/peer.log" 2>&1 &
  PEER_PID=$!
  STARTED+=("$PEER_PID")
}

COTURN_CMD=(turnserver -n -p "${PORT[coturn]}" -L 127.0.0.1 --relay-ip 127.0.0.1 --min-port "${COTURN_RELAYS[0]}"
  --max-port "${COTURN_RELAYS[1]}" --relay-threads "$COTURN_THREADS" --lt-cred-mech --user bench:bench --realm bench
  --allow-loopback-peers --no-tcp --no-tls --no-dtls --no-cli --no-tcp-relay)
start_coturn() {
  mkdir -p "$TMP/coturn"
  taskset -c "$SERVER_CPU" "${COTURN_CMD[@]}" --db "$TMP/coturn/turndb" --pidfile "$TMP/coturn/turnserver.pid" \
    --log-file "$TMP/coturn/turnserver.log" --simple-log --no-stdout-log > "$TMP/coturn/stdout.log" 2>&1 &
  PID[coturn]=$!
  STARTED+=("${PID[coturn]}")
}

sluice_yaml() {
  cat <<EOF
workers: 1
admin: { enabled: false }
listeners:
  - name: turn
    bind: 127.0.0.1:${PORT[sluice]}
    protocol: turn
    transports: [udp]
    turn:
      realm: bench
      auth: { users: { bench: bench } }
      relay_ports: ${SLUICE_RELAYS[0]}-${SLUICE_RELAYS[1]}
      allowed_peers: [ 127.0.0.1 ]
      max_allocations: 100000
      max_allocations_per_user: 100000
EOF
}

sluice_cmd() { echo "$JAVA $SLUICE_HEAP_OPTS $SLUICE_JAVA_OPTS -jar $SLUICE_JAR run --no-watch -c sluice.yaml" | awk '{ $1 = $1; print }'; }

start_sluice() {
  mkdir -p "$TMP/sluice"
  sluice_yaml > "$TMP/sluice/sluice.yaml"
  # shellcheck disable=SC2086
  taskset -c "$SERVER_CPU" "$JAVA" $SLUICE_HEAP_OPTS $SLUICE_JAVA_OPTS -jar "$SLUICE_JAR" run --no-watch \
    -c "$TMP/sluice/sluice.yaml" > "$TMP/sluice/sluice.log" 2>&1 &
  PID[sluice]=$!
  STARTED+=("${PID[sluice]}")
  local deadline=$(( $(date +%s) + SLUICE_START_TIMEOUT ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    kill -0 "${PID[sluice]}" 2>/dev/null || { SKIP[sluice]="failed to start (process exited)"; show_log "$TMP/sluice/sluice.log"; return 0; }
    grep -q 'sluice started' "$TMP/sluice/sluice.log" 2>/dev/null && return 0
    sleep 0.2
  done
  SKIP[sluice]="did not log 'sluice started' within ${SLUICE_START_TIMEOUT}s"; show_log "$TMP/sluice/sluice.log"
}

# The jar must have the TURN relay: an older build parses `protocol: turn` as unknown.
ensure_sluice_jar() {
  if [ "$SLUICE_JAR" = target/sluice.jar ] && { [ ! -f "$SLUICE_JAR" ] || [ "$REBUILD" = 1 ]; }; then
    log "bench/turn.sh: building Sluice (./mvnw -B -q -DskipTests package)"
    ./mvnw -B -q -DskipTests package >&2 || log "bench/turn.sh: Sluice build failed"
  fi
  if [ ! -f "$SLUICE_JAR" ]; then SKIP[sluice]="not built ($SLUICE_JAR missing)"; return 0; fi
  command -v "$JAVA" >/dev/null 2>&1 || { SKIP[sluice]="no java ('$JAVA' not found)"; return 0; }
  # (grep without -q reads the whole listing: with -q, unzip's SIGPIPE would fail the pipeline under pipefail)
  if command -v unzip >/dev/null 2>&1 && ! unzip -l "$SLUICE_JAR" 2>/dev/null | grep 'io/sluice/turn/TurnService.class' >/dev/null; then
    SKIP[sluice]="$SLUICE_JAR has no TURN relay (io/sluice/turn/TurnService.class): an old build; rebuild with REBUILD=1"
  fi
}

# ---------------------------------------------------------------------------------------------- one run
UCLIENT_FLAGS=(-c)
[ "$TURN_MODE" = send ] && UCLIENT_FLAGS+=(-s)
# shellcheck disable=SC2206
UCLIENT_FLAGS+=($UCLIENT_OPTS)
uclient_args() {  # port clients messages interval
  echo "-u bench -w bench -e 127.0.0.1 -r $PEER_PORT -p $1 -m $2 -n $3 -l $SIZE -z $4 ${UCLIENT_FLAGS[*]} 127.0.0.1"
}

# Runs uclient against a server and samples, at every one of its once-a-second counter lines, the clock, the
# server's CPU, the load side's CPU (uclient + peer) and /proc/stat. Writes $out (uclient's lines, time-stamped) and
# $out.samples ("t server_ticks load_ticks busy steal irq sent received server_drops load_drops"); $out.connect holds
# the time of the
# "Total connect time" line (the allocations are made).
uclient_run() {  # server out clients messages interval timeout
  local name=$1 out=$2 fifo="$TMP/uclient.fifo" upid line now connected="" spids lpids sent recv rest
  rm -f "$fifo"; mkfifo "$fifo"
  # shellcheck disable=SC2046
  timeout -s TERM "$6" taskset -c "$LOAD_CPU" turnutils_uclient $(uclient_args "${PORT[$name]}" "$3" "$4" "$5") \
    > "$fifo" 2>&1 &
  upid=$!
  STARTED+=("$upid")
  # shellcheck disable=SC2207
  spids=($(descendants "${PID[$name]}"))
  : > "$out"; : > "$out.samples"; : > "$out.connect"
  while IFS= read -r line; do
    now="$EPOCHREALTIME"
    printf '%s %s\n' "$now" "$line" >> "$out"
    case "$line" in
      *"Total connect time"*) [ -n "$connected" ] || { connected="$now"; echo "$now" > "$out.connect"; } ;;
      *"msz="*"tot_send_msgs="*)
        # shellcheck disable=SC2207
        lpids=($(descendants "$upid") "$PEER_PID")
        rest="${line#*tot_send_msgs=}"; sent="${rest%%,*}"
        rest="${line#*tot_recv_msgs=}"; recv="${rest%%,*}"
        printf '%s %s %s %s %s %s %s %s\n' "$now" "$(cpu_ticks "${spids[@]}")" "$(cpu_ticks "${lpids[@]}")" "$(sys_ticks "$SERVER_CPU")" \
          "$sent" "$recv" "$(sock_drops "${spids[@]}")" "$(sock_drops "${lpids[@]}")" >> "$out.samples" ;;
    esac
  done < "$fifo"
  local rc=0
  wait "$upid" || rc=$?
  local keep=() p
  for p in "${STARTED[@]}"; do [ "$p" = "$upid" ] || keep+=("$p"); done
  STARTED=("${keep[@]}")
  rm -f "$fifo"
  return "$rc"
}

# Quick check that a server relays: one client, 10 datagrams through a channel (or indications), all echoed.
check_server() {  # name
  local name=$1 out="$TMP/check-$1.txt" got
  uclient_run "$name" "$out" 1 10 20 30 || true
  got="$(sed -n 's/.*start_mclient: tot_send_msgs=\([0-9]*\), tot_recv_msgs=\([0-9]*\).*/\1 \2/p' "$out" | tail -n1)"
  if [ "$got" = "10 10" ]; then return 0; fi
  SKIP[$name]="does not relay: uclient's check (1 client, 10 datagrams) ended with sent/received '${got:-nothing}'"
  log "bench/turn.sh: $name ${SKIP[$name]}; uclient said:"; show_log "$out" 8
  case "$name" in coturn) show_log "$TMP/coturn/turnserver.log" ;; sluice) show_log "$TMP/sluice/sluice.log" ;; esac
  return 1
}

# Reduces a run's samples to the window where every client sends; prints
# "pkts_s cpu_us_pkt sirq_us_pkt core% load% loss% other% steal% window_s sent recv srv_drop% load_drop% core+irq%"
# or fails.
window() {  # out
  local c
  c="$(cat "$1.connect")"
  [ -n "$c" ] || return 1
  awk -v c="$c" -v from="$WIN_FROM" -v to="$WIN_TO" -v hz="$CLK_TCK" '
    { t = $1 - c }
    t >= from && t <= to { if (!n++) split($0, a, " "); split($0, b, " ") }
    END {
      if (n < 2) exit 1
      dt = b[1] - a[1]; if (dt < 2) exit 1
      srv = (b[2] - a[2]) / hz; load = (b[3] - a[3]) / hz; busy = (b[4] - a[4]) / hz
      steal = (b[5] - a[5]) / hz; irq = (b[6] - a[6]) / hz
      sent = b[7] - a[7]; recv = b[8] - a[8]
      if (recv <= 0) exit 1
      sd = sent > 0 ? (b[9] - a[9]) * 100 / sent : 0; ld = sent > 0 ? (b[10] - a[10]) * 100 / sent : 0
      pkts = 2 * recv
      other = (busy - srv - load) * 100 / dt; if (other < 0) other = 0
      loss = sent > 0 ? (1 - recv / sent) * 100 : 0; if (loss < 0) loss = 0
      printf "%.0f %.3f %.3f %.1f %.1f %.2f %.1f %.1f %.2f %d %d %.2f %.2f %.1f\n", pkts / dt, srv * 1e6 / pkts,
        irq * 1e6 / pkts, srv * 100 / dt, load * 100 / dt, loss, other, steal * 100 / dt, dt, sent, recv, sd, ld,
        (srv + irq) * 100 / dt }' "$1.samples"
}

# One measured run: appends "round server pkts_s cpu_us_pkt sirq_us_pkt core% load% loss% other% steal% window_s
# sent recv srv_drop% load_drop% core+irq% run_lost" to RAW and prints a line.
measure() {  # round name
  local round=$1 name=$2 out res run_lost
  out="$RUNDIR/uclient-$round-$name.txt"
  uclient_run "$name" "$out" "$CLIENTS" "$MESSAGES" "$INTERVAL" "$RUN_TIMEOUT" || log "bench/turn.sh: round $round $name: uclient exited with an error or was timed out"
  kill -0 "${PID[$name]}" 2>/dev/null || log "bench/turn.sh: $name died during round $round"
  cp "$out.samples" "$RUNDIR/samples-$round-$name.txt"
  run_lost="$(sed -n 's/.*Total lost packets \([0-9]*\) .*/\1/p' "$out" | tail -n1)"
  if ! res="$(window "$out")"; then
    log "bench/turn.sh: round $round $name: no measurable window (too few counter lines with every client sending); uclient said:"
    show_log "$out" 8
    return 0
  fi
  echo "$round $name $res ${run_lost:-NA}" >> "$RAW"
  tail -n1 "$RAW" | awk -v ow="$OTHER_WARN" -v lw="$LOSS_WARN" '{
    printf "  round %s %-7s %8s pkts/s  CPU %6.2f us/pkt (+%5.2f softirq)  core %5s%% (with irq %5s%%)  load %5s%%  loss %5s%% (dropped at the server %s%%, at uclient/peer %s%%)  other %4s%%  steal %3s%%  (%ss window; lost over the whole run: %s)\n",
      $1, $2, $3, $4, $5, $6, $16, $7, $8, $14, $15, $9, $10, $11, $17
    if ($8 > lw) printf "    warning: %s%% of the datagrams sent in the window were not echoed back\n", $8
    if ($9 > ow) printf "    warning: other processes used %s%% of a core during this run; its numbers are disturbed\n", $9
    if ($10 > ow) printf "    warning: the hypervisor stole %s%% of a core during this run; its numbers are disturbed\n", $10 }' \
    | tee -a "$RESULTS"
}

# ---------------------------------------------------------------------------------------------- setup
for name in $SERVERS; do
  case "$name" in coturn|sluice) ;; *) die "unknown server '$name' in SERVERS (known: coturn sluice)" ;; esac
done
start_peer
sleep 0.3
kill -0 "$PEER_PID" 2>/dev/null || { show_log "$TMP/peer.log"; die "turnutils_peer did not start"; }
want coturn && start_coturn
if want sluice; then ensure_sluice_jar; [ -z "${SKIP[sluice]:-}" ] && start_sluice; fi
sleep 1
ACTIVE=()
for name in $SERVERS; do
  if [ -z "${SKIP[$name]:-}" ] && ! kill -0 "${PID[$name]}" 2>/dev/null; then
    SKIP[$name]="exited at start"
    case "$name" in coturn) show_log "$TMP/coturn/turnserver.log" ;; sluice) show_log "$TMP/sluice/sluice.log" ;; esac
  fi
  if [ -z "${SKIP[$name]:-}" ] && check_server "$name"; then ACTIVE+=("$name"); fi
  [ -n "${SKIP[$name]:-}" ] && log "bench/turn.sh: $name: ${SKIP[$name]}; going on without it"
done
[ "${#ACTIVE[@]}" -gt 0 ] || die "no server relays; nothing to measure"

# ---------------------------------------------------------------------------------------------- header
cpu_model="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
[ -n "$cpu_model" ] || cpu_model="$(uname -m)"
jdk="$("$JAVA" -version 2>&1 | head -n1 || echo 'no java')"
transport="$(grep -m1 'sluice started' "$TMP/sluice/sluice.log" 2>/dev/null | grep -oE '[a-z_]+ transport' | head -n1 || true)"
offered=$(( CLIENTS * 1000 / INTERVAL ))
{
  echo "Sluice TURN relay benchmark (bench/turn.sh), $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine:   $(nproc) cores, $cpu_model, Linux $(uname -r)"
  echo "JDK:       $jdk"
  echo "versions:  coturn/$(turnserver --version 2>&1 | head -n1) (turnserver, turnutils_uclient, turnutils_peer)"
  echo "transport: loopback UDP 127.0.0.1; servers pinned to core $SERVER_CPU, uclient + peer to core $LOAD_CPU;"
  echo "           Sluice netty transport: ${transport:+${transport% transport}}${transport:-unknown}"
  echo "load:      turnutils_uclient $(uclient_args PORT "$CLIENTS" "$MESSAGES" "$INTERVAL")"
  echo "           $CLIENTS allocations, $( [ "$TURN_MODE" = send ] && echo 'Send/Data indications' || echo 'ChannelData') of $SIZE bytes,"
  echo "           every ${INTERVAL} ms each: $offered datagrams/s offered, each echoed: $(( 2 * offered )) relayed packets/s at most"
  echo "window:    from ${WIN_FROM} s to ${WIN_TO} s after uclient's allocations (every client sending), ${SEND_S} s of sending per client"
  echo "coturn:    taskset -c $SERVER_CPU ${COTURN_CMD[*]} (+ db, pid and log files in a temp dir)"
  echo "sluice:    taskset -c $SERVER_CPU $(sluice_cmd) (workers: 1, admin off, metrics on; relay_ports ${SLUICE_RELAYS[0]}-${SLUICE_RELAYS[1]})"
  echo "rounds:    $ROUNDS interleaved (order rotates); sluice warm-up: $WARMUP run(s) of the same load, not counted"
  for name in $SERVERS; do
    [ -n "${SKIP[$name]:-}" ] && echo "skipped:   $name: ${SKIP[$name]}"
  done
  true
} | tee "$RESULTS"

# ---------------------------------------------------------------------------------------------- runs
if [ -z "${SKIP[sluice]:-}" ] && want sluice && [ "$WARMUP" -gt 0 ]; then
  echo "warm-up:" | tee -a "$RESULTS"
  for i in $(seq 1 "$WARMUP"); do
    out="$RUNDIR/uclient-warmup$i-sluice.txt"
    uclient_run sluice "$out" "$CLIENTS" "$MESSAGES" "$INTERVAL" "$RUN_TIMEOUT" || true
    if res="$(window "$out")"; then
      echo "$res" | awk -v i="$i" '{ printf "  sluice warm-up %d: %s pkts/s, CPU %.2f us/pkt, core %s%%, loss %s%%\n", i, $1, $2, $4, $6 }' | tee -a "$RESULTS"
    else
      log "bench/turn.sh: sluice warm-up $i gave no window"; show_log "$out" 8
    fi
    sleep "$PAUSE"
  done
fi

echo "runs (order rotates each round):" | tee -a "$RESULTS"
n_active=${#ACTIVE[@]}
for round in $(seq 1 "$ROUNDS"); do
  for i in $(seq 0 $((n_active - 1))); do
    measure "$round" "${ACTIVE[$(( (i + round - 1) % n_active ))]}"
    sleep "$PAUSE"
  done
done

# ---------------------------------------------------------------------------------------------- summary
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "NA"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
col() { awk -v n="$1" -v c="$2" '$2 == n { print $c }' "$RAW" | median; }
{
  echo
  echo "raw: round server pkts_s cpu_us_per_pkt sirq_us_per_pkt core_pct load_pct loss_pct other_pct steal_pct window_s sent recv"
  echo "     server_socket_drop_pct load_socket_drop_pct core_with_irq_pct run_lost"
  cat "$RAW"
  echo
  echo "medians over rounds (relayed packets/s = 2 x echoes received per second; CPU per relayed packet):"
  printf '%-7s %8s %10s %11s %6s %9s %6s %6s %7s %7s %7s %7s %13s %13s\n' server pkts/s CPU_us/pkt sirq_us/pkt core% core+irq% \
    load% loss% s_drop% l_drop% other% steal% pps_vs_coturn cpu_vs_coturn
  ref_pps="$(col coturn 3)"; ref_cpu="$(col coturn 4)"
  for name in "${ACTIVE[@]}"; do
    awk -v n="$name" -v pps="$(col "$name" 3)" -v cpu="$(col "$name" 4)" -v sirq="$(col "$name" 5)" \
        -v core="$(col "$name" 6)" -v load="$(col "$name" 7)" -v loss="$(col "$name" 8)" -v other="$(col "$name" 9)" \
        -v steal="$(col "$name" 10)" -v sd="$(col "$name" 14)" -v ld="$(col "$name" 15)" -v ci="$(col "$name" 16)" \
        -v rp="$ref_pps" -v rc="$ref_cpu" '
      function f(v, fmt) { return v == "NA" ? v : sprintf(fmt, v) }
      BEGIN {
      r1 = (pps != "NA" && rp != "NA" && rp > 0) ? sprintf("%.2f", pps / rp) : "NA"
      r2 = (cpu != "NA" && rc != "NA" && rc > 0) ? sprintf("%.2f", cpu / rc) : "NA"
      printf "%-7s %8s %10s %11s %6s %9s %6s %6s %7s %7s %7s %7s %13s %13s\n", n, f(pps, "%.0f"), f(cpu, "%.2f"), f(sirq, "%.2f"),
        f(core, "%.1f"), f(ci, "%.1f"), f(load, "%.1f"), f(loss, "%.2f"), f(sd, "%.2f"), f(ld, "%.2f"), f(other, "%.1f"),
        f(steal, "%.1f"), r1, r2 }'
  done
  if want coturn && want sluice && [ -z "${SKIP[coturn]:-}" ] && [ -z "${SKIP[sluice]:-}" ]; then
    # The two run back to back in each round: their per-round ratio cancels most of the drift between rounds. A round
    # in which only one of them was disturbed (other% above OTHER_WARN) says nothing, so the paired figure takes the
    # rounds where neither was, when there is one; else every round.
    quiet_rounds="$(awk -v lim="$OTHER_WARN" '$2 == "sluice" || $2 == "coturn" { n[$1]++; if ($9 > lim) bad[$1] = 1 }
      END { for (r in n) if (n[r] == 2 && !(r in bad)) print r }' "$RAW" | sort -n | tr '\n' ' ')"
    all_rounds="$(awk '$2 == "sluice" || $2 == "coturn" { n[$1]++ } END { for (r in n) if (n[r] == 2) print r }' "$RAW" \
      | sort -n | tr '\n' ' ')"
    paired_rounds="${quiet_rounds:-$all_rounds}"
    paired() {  # column: median over paired_rounds of sluice / coturn
      awk -v c="$1" -v rounds=" $paired_rounds" '$2 == "sluice" { s[$1] = $c } $2 == "coturn" { k[$1] = $c }
        END { for (r in s) if (index(rounds, " " r " ") && (r in k) && k[r] > 0) print s[r] / k[r] }' "$RAW" | median
    }
    paired_pps="$(paired 3)"; paired_cpu="$(paired 4)"
    if [ -n "$quiet_rounds" ] && [ "$quiet_rounds" != "$all_rounds" ]; then
      paired_desc="rounds ${quiet_rounds% } (the others had a run with other% above $OTHER_WARN)"
    elif [ -z "$quiet_rounds" ]; then
      paired_desc="every round, though each had a run with other% above $OTHER_WARN"
    else
      paired_desc="every round"
    fi
    awk -v pp="$paired_pps" -v pc="$paired_cpu" -v pd="$paired_desc" -v pps="$(col sluice 3)" -v rp="$ref_pps" -v lw="$LOSS_WARN" \
        -v sc="$(col sluice 16)" -v cc="$(col coturn 16)" -v sl="$(col sluice 7)" -v cl="$(col coturn 7)" \
        -v sx="$(col sluice 8)" -v cx="$(col coturn 8)" -v so="$(col sluice 9)" -v co="$(col coturn 9)" \
        -v sd="$(col sluice 14)" -v cd="$(col coturn 14)" -v sl2="$(col sluice 15)" -v cl2="$(col coturn 15)" 'BEGIN {
      if (pp != "NA") printf "\nmedian of the per-round ratios, sluice / coturn, over %s:\n  packets/s x%.2f, CPU per packet x%.2f\n", pd, pp, pc
      # the verdict takes the paired figure (same round, back to back), else the ratio of the medians
      v = pp; how = "median of the per-round ratios"
      if (v == "NA" && pps != "NA" && rp != "NA" && rp > 0) { v = pps / rp; how = "ratio of the medians" }
      if (v != "NA")
        printf "target (issue 16): sluice at least 0.8x coturn'"'"'s packets/s: %s (x%.2f, %s)\n", (v >= 0.8 ? "met" : "missed"), v, how
      if (sc == "NA" || cc == "NA") exit
      if (sc >= 90 || cc >= 90) {
        printf "note: a server'"'"'s core was 90%% busy or more (with irq: sluice %.1f%%, coturn %.1f%%): its packets/s is its ceiling\n", sc, cc
        printf "      at this load (dropped at the server'"'"'s own sockets: sluice %.1f%%, coturn %.1f%% of the datagrams sent)\n", sd, cd
      } else if (sx <= lw && cx <= lw) {
        printf "note: neither server'"'"'s core was 90%% busy (with irq: sluice %.1f%%, coturn %.1f%%; load %.1f%% / %.1f%%) and both lost\n", sc, cc, sl, cl
        printf "      under %.1f%%: both carried what was offered, so packets/s is the offered load; CPU per packet compares them\n", lw
      } else {
        printf "note: datagrams were lost (sluice %.1f%%, coturn %.1f%%) although neither server'"'"'s core was 90%% busy (with irq:\n", sx, cx
        printf "      sluice %.1f%%, coturn %.1f%%). Dropped at the server'"'"'s own sockets: sluice %.1f%%, coturn %.1f%% of those sent (a receive\n", sc, cc, sd, cd
        printf "      buffer that filled during a burst or while the server waited for its core); at uclient'"'"'s and the peer'"'"'s:\n"
        printf "      %.1f%% / %.1f%%. Other processes used %.1f%% / %.1f%% of a core; the load core ran at %.1f%% / %.1f%%.\n", sl2, cl2, so, co, sl, cl } }'
  fi
  echo
  echo "pkts/s: 2 x echoes received per second in the window (each round trip is relayed twice). CPU_us/pkt: the server's"
  echo "CPU time / those packets (all its threads: JIT and GC for Sluice, coturn's listener, auth and relay threads)."
  echo "sirq_us/pkt: kernel irq+softirq time on the server's core per packet. core%: the server's CPU / wall time;"
  echo "core+irq%: the same plus that irq+softirq time (how busy the server's core was: near 100, the server was the limit);"
  echo "load%: uclient + peer (both on core $LOAD_CPU). loss%: datagrams sent in the window and not echoed; s_drop% and"
  echo "l_drop%: datagrams the kernel dropped at the server's sockets / at uclient's and the peer's (full receive buffers),"
  echo "as % of the datagrams sent (from /proc/net/udp)."
  echo "other%/steal%: CPU of unrelated processes / taken by the hypervisor during the window."
  echo
  echo "results: $RESULTS (uclient output of every run: $RUNDIR/)"
} | tee -a "$RESULTS"
