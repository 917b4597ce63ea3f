#!/usr/bin/env bash
# TLS handshakes per second, the candidate beside nginx on the same origin, interleaved rounds; each
# connection carries one request for /small.
#   NEW   full TLS 1.3 handshakes: PAR parallel `openssl s_time -new` clients (default 4)
#   REUSE resumed TLS 1.3 handshakes (tickets): PAR parallel `openssl s_time -reuse` clients
#   WRK   wrk -H 'Connection: close' with CONNS connections: wrk negotiates TLS 1.2 and keeps its
#         session across reconnects (SSL_clear), so these are TLS 1.2 resumptions, not new handshakes
#         (nginx's $ssl_session_reused says "r" for all but the first of each connection)
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
declare -A NEW REUSE WRK
for r in $(seq 1 $ROUNDS); do
  for n in nginx candidate; do
    out=$(wrk -t1 -c$CONNS -d${DUR}s -H 'Connection: close' https://localhost:${PORT[$n]}/small 2>&1)
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    errs=$(echo "$out" | grep -E "Non-2xx|Socket errors" | tr '\n' ' ')
    new=$(stime ${PORT[$n]} -new); reuse=$(stime ${PORT[$n]} -reuse)
    WRK[$n]="${WRK[$n]:-} $rps"; NEW[$n]="${NEW[$n]:-} $new"; REUSE[$n]="${REUSE[$n]:-} $reuse"
    echo "round $r $n cert=$CERT new_tls13/s=$new resumed_tls13/s=$reuse wrk_tls12_resumed/s=$rps $errs"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for what in WRK NEW REUSE; do
  declare -n A=$what
  base=$(echo ${A[nginx]} | median)
  for n in nginx candidate; do
    m=$(echo ${A[$n]} | median)
    printf "%-6s %-10s cert=%-3s per_s=%-10s vs_nginx=%.2f\n" $what $n $CERT $m $(echo "$m / $base" | bc -l)
  done
done
