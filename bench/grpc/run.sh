#!/usr/bin/env bash
# HTTP/2 to an h2c origin through the proxies, side by side on this machine, interleaved rounds
# (as ../../../shared/bench-peers/run.sh does): HAProxy (proto h2), nginx (grpc_pass) and the
# candidate, each with one worker, against one nginx origin.
#
# usage: bench/grpc/run.sh MODE [rounds] [duration_s] [connections] [streams_per_connection]
#   MODE: h2   GET /small (a 19-byte body)
#         grpc a gRPC unary call: POST /bench.Echo/Unary, a 12-byte message each way, trailers grpc-status 0
#   CANDIDATE_CMD='bin/pingora4j -c bench/grpc/pingora4j.toml' to include the project (h2c on 18390).
#   PEERS='haproxy nginx' limits the peers; WARMUP=s of load first (default 10).
# Ports, outside bench-peers' 18080-18290: origin 18380, nginx 18381, HAProxy 18382, candidate 18390.
# Prints requests/s (h2load), the p50/p99 of each request's time (h2load --log-file), and the CPU
# time each proxy's processes spent per request (user+system, /proc): on a shared, loaded machine
# the last is the steadier figure, as it does not depend on what else got the cores.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
MODE=${1:-h2}; ROUNDS=${2:-3}; DUR=${3:-10}; CONNS=${4:-50}; STREAMS=${5:-10}
W=/tmp/peers-grpc; mkdir -p $W
printf '\x00\x00\x00\x00\x0chello world!' > $W/reply.bin
printf '\x00\x00\x00\x00\x0chello world!' > $W/request.bin
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT
declare -A PORT=([haproxy]=18382 [nginx]=18381 [candidate]=18390)
declare -A PID
nginx -c $HERE/nginx-origin.conf -p $W & pids+=($!)
NAMES=()
for p in ${PEERS:-haproxy nginx}; do
  case $p in
    nginx) nginx -c $HERE/nginx-proxy.conf -p $W & pids+=($!); PID[nginx]=$!; NAMES+=(nginx) ;;
    haproxy) haproxy -f $HERE/haproxy.cfg -db >$W/haproxy.log 2>&1 & pids+=($!); PID[haproxy]=$!; NAMES+=(haproxy) ;;
  esac
done
if [ -n "${CANDIDATE_CMD:-}" ]; then bash -c "exec $CANDIDATE_CMD" >$W/candidate.log 2>&1 & pids+=($!); PID[candidate]=$!; NAMES+=(candidate); fi
# user+system clock ticks of a process and its children (nginx's worker is its master's child)
ticks() { local t=0 p; for p in $1 $(pgrep -P $1); do t=$((t + $(awk '{print $14 + $15}' /proc/$p/stat 2>/dev/null || echo 0))); done; echo $t; }
HZ=$(getconf CLK_TCK)
case $MODE in
  h2) PATHQ=/small; EXTRA=() ;;
  grpc) PATHQ=/bench.Echo/Unary; EXTRA=(-d $W/request.bin -H 'content-type: application/grpc' -H 'te: trailers') ;;
  *) echo "unknown mode $MODE (h2 or grpc)"; exit 2 ;;
esac
url() { echo "http://127.0.0.1:${PORT[$1]}$PATHQ"; }
for n in "${NAMES[@]}"; do
  ok=; for i in $(seq 1 150); do
    h2load -n1 -c1 "${EXTRA[@]}" $(url $n) 2>/dev/null | grep -q "1 succeeded" && ok=1 && break; sleep 0.2; done
  [ -n "$ok" ] || { echo "$n not answering at $(url $n)"; exit 1; }
done
for n in "${NAMES[@]}"; do h2load -c$CONNS -m$STREAMS -D${WARMUP:-10} "${EXTRA[@]}" $(url $n) >/dev/null 2>&1; done
declare -A RPS P99 CPU
for r in $(seq 1 $ROUNDS); do
  for n in "${NAMES[@]}"; do
    rm -f $W/lat.log
    t0=$(ticks ${PID[$n]})
    out=$(h2load -c$CONNS -m$STREAMS -D$DUR "${EXTRA[@]}" --log-file=$W/lat.log $(url $n) 2>&1)
    t1=$(ticks ${PID[$n]})
    rps=$(echo "$out" | awk '/^finished in/ {print $4}')
    done_=$(echo "$out" | awk '/^requests:/ {print $8}')
    cpu=$(echo "($t1 - $t0) * 1000000 / $HZ / ($done_ + 1)" | bc)
    lat=$(awk -F'\t' '{print $3}' $W/lat.log | sort -n | awk '{a[NR]=$1} END {printf "p50=%.2fms p99=%.2fms", a[int(NR*0.5)]/1000, a[int(NR*0.99)]/1000}')
    errs=$(echo "$out" | grep -E "^requests:|^status codes:" | tr '\n' ' ')
    RPS[$n]="${RPS[$n]:-} $rps"; P99[$n]="${P99[$n]:-} $(echo $lat | sed 's/.*p99=//')"; CPU[$n]="${CPU[$n]:-} $cpu"
    echo "round $r $n rps=$rps $lat cpu_us_per_req=$cpu $errs"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sed 's/ms$//' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "== $MODE: medians over $ROUNDS rounds, ${DUR}s each, $CONNS connections x $STREAMS streams, load $(cut -d' ' -f1-3 /proc/loadavg)"
base=$(echo ${RPS[haproxy]:-1} | median)
for n in "${NAMES[@]}"; do
  m=$(echo ${RPS[$n]} | median)
  printf "%-10s rps=%-10s vs_haproxy=%.2f p99_median=%sms cpu_us_per_req=%s\n" $n $m $(echo "$m / $base" | bc -l) \
    $(echo ${P99[$n]} | median) $(echo ${CPU[$n]} | median)
done
