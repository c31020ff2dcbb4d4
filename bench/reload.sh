# MODE=reload: latency while Sluice reloads its configuration, against the same load without reloads.
# Sourced by bench/run.sh after its shared helpers (log, die, cleanup, ensure_sluice_jar, wait_http, median).
#
# Three demo backends (`sluice backend`) and wrk share the load core; Sluice runs alone on the proxy core from a
# file with an admin listener. Each round measures, for HTTP/1.1 keep-alive and for a new connection per request
# (Connection: close): DURATION of steady load, then DURATION of the same load while a loop swaps the file
# between two configurations (backend b3 in and out, weights and health-check settings changed) and asks for a
# reload through POST /api/reload every RELOAD_EVERY seconds. It prints req/s, p50, p99 and errors (socket
# errors and non-2xx answers) of both, and how many reloads were applied. Zero errors is the target.
#
# Knobs: ROUNDS DURATION CONNECTIONS THREADS WARMUP_SLUICE PROXY_CPU LOAD_CPU (run.sh's), RELOAD_EVERY=0.2

RELOAD_EVERY="${RELOAD_EVERY:-0.2}"
RELOAD_ADMIN=18090
RELOAD_PROXY=18091
RELOAD_BACKENDS=(18092 18093 18094)

command -v wrk >/dev/null 2>&1 || try_install wrk || die "MODE=reload needs wrk"
command -v curl >/dev/null 2>&1 || try_install curl || die "MODE=reload needs curl"
ensure_sluice_jar
[ -f "$SLUICE_JAR" ] || die "no $SLUICE_JAR"
for p in "$RELOAD_ADMIN" "$RELOAD_PROXY" "${RELOAD_BACKENDS[@]}"; do
  port_in_use "$p" && die "port $p is in use"
done

TMP="$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench.XXXXXX")"
mkdir -p "$TMP/reload"

for i in 0 1 2; do
  taskset -c "$LOAD_CPU" "$JAVA" -XX:+UseSerialGC -Xmx64m -jar "$SLUICE_JAR" backend --port "${RELOAD_BACKENDS[$i]}" \
    --name "b$((i + 1))" > "$TMP/reload/backend-$i.log" 2>&1 &
  STARTED+=("$!")
  wait_http "$!" "${RELOAD_BACKENDS[$i]}" 30 backend || die "backend b$((i + 1)) did not start"
done

# config A: b1 and b2; config B: b3 joins, weights change, health checks run more often.
reload_config() {  # with-b3 weight1 weight2 interval
  cat <<EOF
admin: { bind: "127.0.0.1:$RELOAD_ADMIN" }
metrics: { enabled: false }
listeners:
  - { name: web, bind: "127.0.0.1:$RELOAD_PROXY", routes: [ { pool: app } ] }
pools:
  - name: app
    strategy: weighted_round_robin
    health_check: { path: /health, interval: $4 }
    backends:
      - { address: "127.0.0.1:${RELOAD_BACKENDS[0]}", weight: $2 }
      - { address: "127.0.0.1:${RELOAD_BACKENDS[1]}", weight: $3 }
EOF
  if [ "$1" = 1 ]; then printf '      - { address: "127.0.0.1:%s", weight: 2 }\n' "${RELOAD_BACKENDS[2]}"; fi
}
reload_config 0 1 2 2s > "$TMP/reload/a.yaml"
reload_config 1 3 1 1s > "$TMP/reload/b.yaml"
cp "$TMP/reload/a.yaml" "$TMP/reload/sluice.yaml"

# shellcheck disable=SC2086
taskset -c "$PROXY_CPU" "$JAVA" -XX:+UseParallelGC -Xms256m -Xmx256m $SLUICE_JAVA_OPTS \
  -jar "$SLUICE_JAR" run --no-watch -c "$TMP/reload/sluice.yaml" > "$TMP/reload/sluice.log" 2>&1 &
SLUICE_RELOAD_PID=$!
STARTED+=("$SLUICE_RELOAD_PID")
wait_http "$SLUICE_RELOAD_PID" "$RELOAD_PROXY" "$SLUICE_START_TIMEOUT" proxy || { show_log "$TMP/reload/sluice.log"; die "sluice did not start"; }
log "bench: warming Sluice up for $WARMUP_SLUICE"
taskset -c "$LOAD_CPU" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP_SLUICE" "http://127.0.0.1:$RELOAD_PROXY/" > /dev/null

# Swaps the file and asks for a reload every RELOAD_EVERY s until $TMP/reload/stop exists; counts applied ones.
reloader() {
  local n=0 ok=0 answer
  while [ ! -f "$TMP/reload/stop" ]; do
    if [ $((n % 2)) = 0 ]; then cp "$TMP/reload/b.yaml" "$TMP/reload/sluice.yaml"; else cp "$TMP/reload/a.yaml" "$TMP/reload/sluice.yaml"; fi
    answer="$(curl -s -m 10 -X POST "http://127.0.0.1:$RELOAD_ADMIN/api/reload" || true)"
    case "$answer" in
      *'"result" : "ok"'*|*'"result":"ok"'*) ok=$((ok + 1)) ;;
      *'"unchanged"'*) ;;  # the file in place already (the previous phase ended on it)
      *) log "bench: reload answer: $answer" ;;
    esac
    n=$((n + 1))
    sleep "$RELOAD_EVERY"
  done
  echo "$ok" > "$TMP/reload/applied"
}

# wrk's p50/p99 in ms, req/s, and errors (socket errors + non-2xx) from its --latency output.
wrk_figures() {  # file
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 }
    /Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { err += $5 }
    END { printf "%.0f %.3f %.3f %d\n", rps, p50, p99, err }' "$1"
}

RAW="$TMP/reload/raw"
: > "$RAW"
for round in $(seq 1 "$ROUNDS"); do
  for conn in keep-alive close; do
    header=()
    [ "$conn" = close ] && header=(-H "Connection: close")
    taskset -c "$LOAD_CPU" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${header[@]}" \
      "http://127.0.0.1:$RELOAD_PROXY/" > "$TMP/reload/steady.out" 2>&1
    printf '%s %s steady %s -\n' "$round" "$conn" "$(wrk_figures "$TMP/reload/steady.out")" >> "$RAW"
    rm -f "$TMP/reload/stop" "$TMP/reload/applied"
    reloader &
    RELOADER_PID=$!
    taskset -c "$LOAD_CPU" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${header[@]}" \
      "http://127.0.0.1:$RELOAD_PROXY/" > "$TMP/reload/reloading.out" 2>&1
    touch "$TMP/reload/stop"
    wait "$RELOADER_PID" || true
    printf '%s %s reloading %s %s\n' "$round" "$conn" "$(wrk_figures "$TMP/reload/reloading.out")" \
      "$(cat "$TMP/reload/applied" 2>/dev/null || echo 0)" >> "$RAW"
    log "bench: round $round $conn done"
  done
done

printf '\nMODE=reload: %s rounds of %s, wrk -t%s -c%s, a reload every %ss while reloading; medians\n' \
  "$ROUNDS" "$DURATION" "$THREADS" "$CONNECTIONS" "$RELOAD_EVERY"
printf '%-11s %-10s %10s %9s %9s %7s %8s\n' connection load req/s p50_ms p99_ms errors reloads
for conn in keep-alive close; do
  for phase in steady reloading; do
    pick() { awk -v c="$conn" -v p="$phase" -v k="$1" '$2 == c && $3 == p { print $k }' "$RAW" | median; }
    total_errors="$(awk -v c="$conn" -v p="$phase" '$2 == c && $3 == p { s += $7 } END { print s + 0 }' "$RAW")"
    reloads="$(awk -v c="$conn" -v p="$phase" '$2 == c && $3 == p && $8 != "-" { s += $8 } END { print (p == "steady") ? "-" : s + 0 }' "$RAW")"
    printf '%-11s %-10s %10s %9s %9s %7s %8s\n' "$conn" "$phase" "$(pick 4)" "$(pick 5)" "$(pick 6)" "$total_errors" "$reloads"
  done
done
printf '(errors: wrk socket errors plus non-2xx answers, summed over rounds; reloads: applied, summed)\n'
if grep -q "reload refused" "$TMP/reload/sluice.log"; then log "bench: some reloads were refused; see the log"; fi
