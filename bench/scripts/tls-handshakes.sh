#!/usr/bin/env bash
# New TLS handshakes per second (every request on a new connection: wrk -H 'Connection: close'),
# the candidate beside nginx on the same origin, interleaved rounds. Uses ../shared/bench-peers'
# nginx configs and certificate (run ../shared/bench-peers/run.sh tls once to create it).
# usage: bench/scripts/tls-handshakes.sh [rounds] [seconds] [connections]
set -u
cd "$(dirname "$0")/../.."
PEERS_DIR=${PEERS_DIR:-../shared/bench-peers}
ROUNDS=${1:-3}; DUR=${2:-5}; CONNS=${3:-50}
W=/tmp/peers
[ -f $W/cert.pem ] || { echo "no $W/cert.pem: run $PEERS_DIR/run.sh tls once first"; exit 1; }
pids=()
cleanup() { for p in "${pids[@]}"; do pkill -TERM -P "$p" 2>/dev/null; kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT
nginx -c "$(cd $PEERS_DIR && pwd)/nginx-backend.conf" -p $W & pids+=($!)
nginx -c "$(cd $PEERS_DIR && pwd)/nginx-proxy.conf" -p $W & pids+=($!)
bin/pingora4j -c bench/peers-tls.toml >$W/candidate.log 2>&1 & pids+=($!)
declare -A URL=([nginx]=https://localhost:18181/small [candidate]=https://localhost:18190/small)
for n in nginx candidate; do
  for i in $(seq 1 150); do curl -kfs -o /dev/null ${URL[$n]} && break; sleep 0.2; done
  wrk -t1 -c$CONNS -d3s -H 'Connection: close' ${URL[$n]} >/dev/null 2>&1   # warm-up
done
declare -A RPS
for r in $(seq 1 $ROUNDS); do
  for n in nginx candidate; do
    out=$(wrk -t1 -c$CONNS -d${DUR}s -H 'Connection: close' ${URL[$n]} 2>&1)
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    errs=$(echo "$out" | grep -E "Non-2xx|Socket errors" | tr '\n' ' ')
    RPS[$n]="${RPS[$n]:-} $rps"; echo "round $r $n handshakes/s=$rps $errs"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
base=$(echo ${RPS[nginx]} | median)
for n in nginx candidate; do
  m=$(echo ${RPS[$n]} | median)
  printf "%-10s handshakes/s=%-10s vs_nginx=%.2f\n" $n $m $(echo "$m / $base" | bc -l)
done
