#!/usr/bin/env bash
# The directory and compression plugins beside nginx, interleaved rounds in one run (wrk, 1 thread):
#   static: a 16 KiB file, pingora4j's directory plugin (18090) vs nginx static + sendfile (18095)
#   gzip:   a 64 KiB text file at gzip level 6, directory + compression (18091) vs nginx gzip (18096)
# usage: bench/plugins-vs-nginx.sh [rounds] [seconds] [connections]   (from the repo root, after a build)
set -u
ROUNDS=${1:-3}; DUR=${2:-5}; CONNS=${3:-50}
HERE=$(cd "$(dirname "$0")" && pwd)
W=/tmp/peers; mkdir -p $W/www
[ -f $W/www/16k.bin ] || head -c 16384 /dev/urandom > $W/www/16k.bin
# 64 KiB of words: compressible like a page, not trivially
[ -f $W/www/64k.txt ] || python3 -c "
import random; r = random.Random(1); w = 'proxy pingora origin header chunk stream event loop buffer zstd'.split()
s = ''
while len(s) < 65536: s += r.choice(w) + ('\n' if r.random() < 0.1 else ' ')
open('$W/www/64k.txt', 'w').write(s[:65536])"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT
nginx -c $HERE/nginx-static.conf -p $W & pids+=($!)
$HERE/../bin/pingora4j -c $HERE/plugins.toml > $W/plugins-candidate.log 2>&1 & pids+=($!)
for u in http://127.0.0.1:18090/16k.bin http://127.0.0.1:18095/16k.bin; do
  for i in $(seq 1 150); do curl -fs -o /dev/null $u && break; sleep 0.2; done
done
run() { wrk -t1 -c$CONNS -d${DUR}s "$@" 2>&1 | awk '/Requests\/sec/ {print $2} /Transfer\/sec/ {t=$2} /Non-2xx/ {print "ERR " $0}'; }
declare -A RPS
for case in static gzip; do
  case $case in
    static) C=(http://127.0.0.1:18090/16k.bin); N=(http://127.0.0.1:18095/16k.bin); H=() ;;
    gzip) C=(http://127.0.0.1:18091/64k.txt); N=(http://127.0.0.1:18096/64k.txt); H=(-H "Accept-Encoding: gzip") ;;
  esac
  # both answers must really be what we compare: 16 KiB, or gzip
  curl -fs "${H[@]}" -D - -o /dev/null ${C[0]} | grep -iE "content-(length|encoding)" | tr -d '\r' | sed "s/^/pingora4j $case: /"
  curl -fs "${H[@]}" -D - -o /dev/null ${N[0]} | grep -iE "content-(length|encoding)" | tr -d '\r' | sed "s/^/nginx $case: /"
  wrk -t1 -c$CONNS -d3s "${H[@]}" ${C[0]} >/dev/null 2>&1; wrk -t1 -c$CONNS -d3s "${H[@]}" ${N[0]} >/dev/null 2>&1
  for r in $(seq 1 $ROUNDS); do
    c=$(run "${H[@]}" ${C[0]}); n=$(run "${H[@]}" ${N[0]})
    echo "round $r $case pingora4j=$c nginx=$n"
    RPS[$case-c]="${RPS[$case-c]:-} $c"; RPS[$case-n]="${RPS[$case-n]:-} $n"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for case in static gzip; do
  c=$(echo ${RPS[$case-c]} | median); n=$(echo ${RPS[$case-n]} | median)
  printf "== %-6s pingora4j=%s nginx=%s ratio=%.2f (medians of %d rounds, %ds, %d connections)\n" $case $c $n $(echo "$c / $n" | bc -l) $ROUNDS $DUR $CONNS
done
