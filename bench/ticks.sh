# CPU accounting shared by the bench scripts (sourced, not run): ticks from /proc, in USER_HZ.

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
