# What the bench scripts share (sourced, not run): cleanup of every process they start, and CPU accounting.
# The sourcing script sets STARTED=() (pids it started) and TMP (its scratch directory, or "") before calling
# anything here; sourcing installs the EXIT, INT and TERM traps.

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
  # A running wrk, h2load or iperf3 (under timeout) is not in STARTED; the run_* functions keep its pid in a file.
  if [ -n "$TMP" ] && [ -f "$TMP/load.pid" ]; then
    pid="$(cat "$TMP/load.pid")"
    case "$(cat "/proc/$pid/comm" 2>/dev/null)" in wrk|h2load|iperf3|timeout) kill -TERM "$pid" 2>/dev/null || true ;; esac
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

cpu_ticks() {  # utime+stime summed over the given pids (all threads of each)
  local total=0 pid s rest f
  for pid in "$@"; do
    s="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
    rest="${s##*) }"
    read -r -a f <<< "$rest"
    total=$(( total + f[11] + f[12] ))
  done
  echo "$total"
}

# Machine-wide ticks: "process_busy steal irq_on_core". process_busy is user+nice+system over all cores (time
# some process ran); steal is time the hypervisor took; irq_on_core is irq+softirq on core $1 (the measured
# server's), mostly the kernel's loopback work for packets it sends, which no process is charged for.
sys_ticks() {
  awk -v pc="cpu${1:?sys_ticks needs the server core}" '$1 == "cpu" { busy = $2 + $3 + $4; steal = $9 }
    $1 == pc { irq = $7 + $8 } END { print busy, steal, irq }' /proc/stat
}
