#!/usr/bin/env bash
# JMH microbenchmarks of hot paths. Default: the cost of one pick for every registered strategy over 3, 100
# and 1,000 backends (PickBenchmark), printed as a table; values over 200 ns at 1,000 backends are marked.
#
# Usage: bench/jmh.sh [BENCHMARK_REGEX]   (default: PickBenchmark; also ForwardHeadersBenchmark, HeaderBlockBenchmark
#   (a proxied request and response head as bytes: parsed, rewritten, written), FilterBenchmark
#   (ns per request each built-in filter adds), RateLimitBenchmark, CompressBenchmark, HeaderFiltersBenchmark,
#   ProxyPathBenchmark (heap the event loop allocates per proxied request; add JMH_OPTS="-prof gc"))
# Knobs (environment): STRATEGIES=a,b (default: all registered)  BACKENDS=3,100,1000
#   JMH_OPTS="..." (extra JMH options, e.g. "-wi 5 -i 10" or "-f 2")  JAVA=java
# Raw output and JSON go to bench/out/. Needs only a JDK; the Maven wrapper builds the test classes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JAVA="${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}"
PATTERN="${1:-PickBenchmark}"
BACKENDS="${BACKENDS:-3,100,1000}"
JMH_OPTS="${JMH_OPTS:-}"

echo "jmh: building test classes" >&2
./mvnw -B -q -ntp -DskipTests test-compile >&2
./mvnw -B -q -ntp org.apache.maven.plugins:maven-dependency-plugin:3.11.0:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt >&2
CP="target/test-classes:target/classes:$(cat target/test-classpath.txt)"
STRATEGIES="${STRATEGIES:-$("$JAVA" -cp "$CP" io.sluice.bench.ListStrategies)}"

mkdir -p bench/out
STAMP="$(date +%Y%m%d-%H%M%S)"
RAW="bench/out/jmh-$STAMP.txt"
# shellcheck disable=SC2086
PARAMS=()
if [[ "$PATTERN" == *Pick* ]]; then PARAMS=(-p strategy="$STRATEGIES" -p backends="$BACKENDS"); fi
"$JAVA" -cp "$CP" org.openjdk.jmh.Main "$PATTERN" "${PARAMS[@]}" \
  -rf json -rff "bench/out/jmh-$STAMP.json" $JMH_OPTS | tee "$RAW"

# The pick table: one row per strategy, one column per pool size (ns per pick, lower is better).
if [[ "$PATTERN" == *Pick* ]]; then
  echo
  echo "ns per pick (Selection.select), $(grep -m1 -o 'JMH version: .*' "$RAW" || true); * = over 200 ns at 1,000 backends"
  awk -v sizes="$BACKENDS" '
    $1 ~ /PickBenchmark\.select$/ && $4 == "avgt" && $NF == "ns/op" {
      size = $2; name = $3; score = ($(NF-2) == "±") ? $(NF-3) : $(NF-1); gsub(",", ".", score)
      v[name, size] = score; if (!(name in seen)) { seen[name] = 1; order[++n] = name }
    }
    END {
      k = split(sizes, s, ",")
      printf "%-22s", "strategy"; for (j = 1; j <= k; j++) printf "%16s", s[j] " backends"; printf "\n"
      for (i = 1; i <= n; i++) {
        printf "%-22s", order[i]
        for (j = 1; j <= k; j++) {
          x = v[order[i], s[j]]; mark = (s[j] == 1000 && x + 0 > 200) ? "*" : " "
          printf "%15s%s", (x == "" ? "-" : sprintf("%.1f", x)), mark
        }
        printf "\n"
      }
    }' "$RAW"
fi
echo "raw: $RAW" >&2
