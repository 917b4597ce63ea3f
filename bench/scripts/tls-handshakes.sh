#!/usr/bin/env bash
# TLS handshakes per second, the candidate beside nginx on the same origin, interleaved rounds; each
# connection carries one request for /small. Like for like: the same protocol version on both sides.
#   NEW13 / REUSE13  full / resumed TLS 1.3 handshakes: PAR parallel `openssl s_time -tls1_3 -new|-reuse`
#                    clients (default 4); resumption from a ticket (psk_dhe_ke: an X25519 exchange each)
#   NEW12 / REUSE12  the same with -tls1_2; resumption from the session id (no key exchange at all)
#   WRK              wrk -H 'Connection: close' with CONNS connections, reconnecting with its session
#                    (TLS 1.3 against both)
# nginx 1.22 (Debian 12) offers only TLS 1.2 and below unless told: the copy of the peers' nginx
# config made here adds `ssl_protocols TLSv1.2 TLSv1.3` (nginx's default from 1.23.4). Before this
# line was added, nginx's "TLS 1.3" figures were TLS 1.2 handshakes, and its resumptions did no key
# exchange while ours did one.
# Rates are connections over the wall-clock time of the parallel run. s_time's request is made an
# HTTP/1.1 one with Connection: close (its "GET <page> HTTP/1.0" tail lands in a padding header), so
# that neither proxy treats it as HTTP/1.0 toward the origin.
# Certificate: CERT=ec (P-256, the default) or CERT=rsa (2048 bits), made here under /tmp/peers/<type>;
# nginx and the candidate get the same one. Uses ../shared/bench-peers' nginx configs (ports, origin).
# usage: CERT=ec|rsa bench/scripts/tls-handshakes.sh [rounds] [seconds] [connections]
set -u
cd "$(dirname "$0")/../.."
PEERS_DIR=$(cd "${PEERS_DIR:-../shared/bench-peers}" && pwd)
ROUNDS=${1:-3}; DUR=${2:-5}; CONNS=${3:-50}; CERT=${CERT:-ec}; PAR=${PAR:-4}
W=/tmp/peers; C=$W/$CERT; mkdir -p $C
if [ ! -f $C/cert.pem ]; then
  if [ "$CERT" = rsa ]; then kopt=(-newkey rsa:2048); else kopt=(-newkey ec -pkeyopt ec_paramgen_curve:P-256); fi
  openssl req -x509 "${kopt[@]}" -nodes -keyout $C/key.pem -out $C/cert.pem -days 30 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
fi
sed -e "s#/tmp/peers/cert.pem#$C/cert.pem#; s#/tmp/peers/key.pem#$C/key.pem#; s#nginx-proxy.pid#nginx-proxy-$CERT.pid#" \
    -e "s#^\( *\)ssl_session_cache#\1ssl_protocols TLSv1.2 TLSv1.3;\n\1ssl_session_cache#" \
  $PEERS_DIR/nginx-proxy.conf > $C/nginx-proxy.conf
sed -e "s#/tmp/peers/cert.pem#$C/cert.pem#; s#/tmp/peers/key.pem#$C/key.pem#" bench/peers-tls.toml > $C/candidate.toml
pids=()
cleanup() { for p in "${pids[@]}"; do pkill -TERM -P "$p" 2>/dev/null; kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT
nginx -c $PEERS_DIR/nginx-backend.conf -p $W & pids+=($!)
nginx -c $C/nginx-proxy.conf -p $W & pids+=($!)
${CANDIDATE:-bin/pingora4j} -c $C/candidate.toml >$W/candidate.log 2>&1 & pids+=($!)
declare -A PORT=([nginx]=18181 [candidate]=18190)
for n in nginx candidate; do
  for i in $(seq 1 150); do curl -kfs -o /dev/null https://localhost:${PORT[$n]}/small && break; sleep 0.2; done
  wrk -t1 -c$CONNS -d3s -H 'Connection: close' https://localhost:${PORT[$n]}/small >/dev/null 2>&1   # warm-up
  openssl s_time -connect 127.0.0.1:${PORT[$n]} -www /small -reuse -time 2 >/dev/null 2>&1   # warm-up
done
PAGE=$'/small HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-Pad:'
stime() {
  local t0 t1 i total=0 n
  t0=$(date +%s.%N)
  for i in $(seq 1 $PAR); do openssl s_time -connect 127.0.0.1:$1 -www "$PAGE" $2 -time $DUR >$W/stime.$i 2>&1 & done
  wait $(jobs -p | tail -n $PAR) 2>/dev/null
  t1=$(date +%s.%N)
  for i in $(seq 1 $PAR); do
    n=$(awk '/connections in [0-9.]+s;/ {print $1}' $W/stime.$i | tail -1); total=$((total + ${n:-0}))
  done
  echo "$total / ($t1 - $t0)" | bc -l | xargs printf "%.0f"
}
for n in nginx candidate; do   # what each side negotiates by default, for the record
  echo "$n default: $(echo | openssl s_client -connect 127.0.0.1:${PORT[$n]} 2>/dev/null | grep -E '^(New|Reused),' | head -1)"
done
declare -A NEW13 REUSE13 NEW12 REUSE12 WRK
for r in $(seq 1 $ROUNDS); do
  for n in nginx candidate; do
    out=$(wrk -t1 -c$CONNS -d${DUR}s -H 'Connection: close' https://localhost:${PORT[$n]}/small 2>&1)
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    errs=$(echo "$out" | grep -E "Non-2xx|Socket errors" | tr '\n' ' ')
    new13=$(stime ${PORT[$n]} "-tls1_3 -new"); reuse13=$(stime ${PORT[$n]} "-tls1_3 -reuse")
    new12=$(stime ${PORT[$n]} "-tls1_2 -new"); reuse12=$(stime ${PORT[$n]} "-tls1_2 -reuse")
    WRK[$n]="${WRK[$n]:-} $rps"; NEW13[$n]="${NEW13[$n]:-} $new13"; REUSE13[$n]="${REUSE13[$n]:-} $reuse13"
    NEW12[$n]="${NEW12[$n]:-} $new12"; REUSE12[$n]="${REUSE12[$n]:-} $reuse12"
    echo "round $r $n cert=$CERT new13/s=$new13 resumed13/s=$reuse13 new12/s=$new12 resumed12/s=$reuse12 wrk/s=$rps $errs"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for what in NEW13 REUSE13 NEW12 REUSE12 WRK; do
  declare -n A=$what
  base=$(echo ${A[nginx]} | median)
  for n in nginx candidate; do
    m=$(echo ${A[$n]} | median)
    printf "%-8s %-10s cert=%-3s per_s=%-10s vs_nginx=%.2f\n" $what $n $CERT $m $(echo "$m / $base" | bc -l)
  done
done
