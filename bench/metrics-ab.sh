#!/usr/bin/env bash
# Metrics on vs off, interleaved in one run on the same origin (the peers' nginx on 127.0.0.1:18080,
# started here unless one already serves): three copies of this build, one event loop each,
#   off     bench/metrics-off.toml     127.0.0.1:18091  no metrics, no tracing
#   on      bench/metrics-on.toml      127.0.0.1:18092  prometheus_metrics = "/metrics"
#   traced  bench/metrics-traced.toml  127.0.0.1:18093  metrics + tracing with every request sampled out
# and wrk against each in turn, round after round, so the machine's drift hits all three alike.
# usage: bench/metrics-ab.sh [rounds] [seconds] [connections] [path]
# JFR=1 also records an allocation profile of "traced" (in /tmp/metrics-ab/traced.jfr); its figures
# then include JFR's own cost, so quote throughput from a run without it.
set -u
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}; DUR=${2:-5}; CONNS=${3:-50}; PATHQ=${4:-/small}
W=/tmp/metrics-ab; mkdir -p $W
PEERS_DIR=${PEERS_DIR:-../shared/bench-peers}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT
if ! curl -fs -o /dev/null http://127.0.0.1:18080$PATHQ; then
  mkdir -p /tmp/peers/www; [ -f /tmp/peers/www/16k.bin ] || head -c 16384 /dev/urandom > /tmp/peers/www/16k.bin
  nginx -c "$(cd "$PEERS_DIR" && pwd)/nginx-backend.conf" -p /tmp/peers & pids+=($!) # the file says daemon off
fi
bin/pingora4j --version >/dev/null # builds the jar if the sources changed
declare -A PORT=([off]=18091 [on]=18092 [traced]=18093)
declare -A PID
NAMES=(off on traced)
for n in "${NAMES[@]}"; do
  opts="-XX:+UseSerialGC -Xms16m -Xmx256m -XX:MaxDirectMemorySize=512m -Xss512k -XX:AutoBoxCacheMax=65536 -XX:TrimNativeHeapInterval=2000" # the launcher's
  if [ "$n" = traced ] && [ -n "${JFR:-}" ]; then
    opts="$opts -XX:StartFlightRecording=filename=$W/traced.jfr,settings=profile,dumponexit=true"
  fi
  JAVA_OPTS="$opts" bin/pingora4j -c bench/metrics-$n.toml >$W/$n.log 2>&1 & pids+=($!); PID[$n]=$! # the launcher execs java
done
# CPU time the process used (user + system, clock ticks): per request, it hardly depends on what
# else the machine runs, where throughput on a shared machine swings by tens of percent
cpu() { awk '{print $14 + $15}' /proc/$1/stat; }
TICK_US=$((1000000 / $(getconf CLK_TCK)))
for n in "${NAMES[@]}"; do
  for i in $(seq 1 150); do curl -fs -o /dev/null http://127.0.0.1:${PORT[$n]}$PATHQ && break; sleep 0.2; done
  curl -fs -o /dev/null http://127.0.0.1:${PORT[$n]}$PATHQ || { echo "$n not answering"; exit 1; }
done
for n in "${NAMES[@]}"; do wrk -t1 -c$CONNS -d${WARMUP:-5}s http://127.0.0.1:${PORT[$n]}$PATHQ >/dev/null 2>&1; done
declare -A RPS CPU
for r in $(seq 1 $ROUNDS); do
  for n in "${NAMES[@]}"; do
    c0=$(cpu ${PID[$n]})
    out=$(wrk -t1 -c$CONNS -d${DUR}s --latency http://127.0.0.1:${PORT[$n]}$PATHQ 2>&1)
    c1=$(cpu ${PID[$n]})
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}'); p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    reqs=$(echo "$out" | awk '/requests in/ {print $1}')
    us=$(echo "scale=2; ($c1 - $c0) * $TICK_US / $reqs" | bc -l)
    errs=$(echo "$out" | grep -E "Non-2xx|Socket errors" | tr '\n' ' ')
    RPS[$n]="${RPS[$n]:-} $rps"; CPU[$n]="${CPU[$n]:-} $us"
    echo "round $r $n rps=$rps p99=$p99 cpu_us_per_request=$us $errs"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
base=$(echo ${RPS[off]} | median)
cbase=$(echo ${CPU[off]} | median)
echo "== medians over $ROUNDS rounds, ${DUR}s each, $CONNS connections, path $PATHQ; load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${NAMES[@]}"; do
  m=$(echo ${RPS[$n]} | median); c=$(echo ${CPU[$n]} | median)
  printf "%-7s rps=%-10s vs_off=%.3f cpu_us_per_request=%-6s vs_off=%.3f\n" $n $m $(echo "$m / $base" | bc -l) $c \
    $(echo "$c / $cbase" | bc -l)
  echo "        rps all=[${RPS[$n]} ] cpu all=[${CPU[$n]} ]"
done
echo "requests counted by 'on': $(curl -fs http://127.0.0.1:18092/metrics | grep '^pingora4j_http_requests_total{location="all"' )"
