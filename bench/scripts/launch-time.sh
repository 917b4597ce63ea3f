#!/usr/bin/env bash
# Launch time: from starting the process to the first proxied 200, the candidate (bin/pingora4j with
# the bundled conf/pingora4j.toml, already built) beside nginx (../shared/bench-peers' proxy and
# origin, both started at t0), and the candidate with AppCDS off. Also the candidate's idle RSS.
# Polls every 5 ms. usage: bench/scripts/launch-time.sh [runs]
set -u
cd "$(dirname "$0")/../.."
PEERS_DIR=$(cd "${PEERS_DIR:-../shared/bench-peers}" && pwd)
RUNS=${1:-5}; W=/tmp/peers; mkdir -p $W
now() { date +%s%N; }
first_ok() { # url t0 -> ms until the first 200
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ]; do sleep 0.005; done
  echo $(( ($(now) - $2) / 1000000 ))
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
bin/pingora4j --version >/dev/null   # builds the jar and the class archive if needed
declare -A MS RSS
for r in $(seq 1 $RUNS); do
  for who in candidate candidate-nocds nginx; do
    t0=$(now)
    case $who in
      candidate) bin/pingora4j -c conf/pingora4j.toml >$W/launch.log 2>&1 & p=$!; url=http://127.0.0.1:6188/ ;;
      candidate-nocds) PINGORA4J_CDS=off bin/pingora4j -c conf/pingora4j.toml >$W/launch.log 2>&1 & p=$!; url=http://127.0.0.1:6188/ ;;
      nginx) nginx -c $PEERS_DIR/nginx-backend.conf -p $W & b=$!; nginx -c $PEERS_DIR/nginx-proxy.conf -p $W & p=$!
             url=http://127.0.0.1:18081/small ;;
    esac
    ms=$(first_ok $url $t0)
    sleep 2
    rss=$(ps -o rss= -p $p | awk '{print $1}')
    [ $who = nginx ] && rss=$(( rss + $(ps -o rss= --ppid $p | awk '{s+=$1} END {print s+0}') ))
    MS[$who]="${MS[$who]:-} $ms"; RSS[$who]="${RSS[$who]:-} $rss"
    echo "run $r $who first_response_ms=$ms rss_kib=$rss"
    kill $p; wait $p 2>/dev/null
    [ $who = nginx ] && { kill $b; wait $b 2>/dev/null; }
  done
done
for who in candidate candidate-nocds nginx; do
  echo "$who median_first_response_ms=$(echo ${MS[$who]} | median) median_rss_kib=$(echo ${RSS[$who]} | median)"
done
