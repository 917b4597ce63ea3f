#!/usr/bin/env bash
# Memory per idle TLS keep-alive connection: N connections, each with a completed handshake and one
# request answered, held idle; RSS with them minus RSS before, per connection. The candidate
# (bench/peers-tls.toml, port 18190) beside nginx (../shared/bench-peers, port 18181), same
# certificate (/tmp/peers/cert.pem, made by run.sh tls). Both speak TLS 1.3: nginx 1.22 offers only
# TLS 1.2 unless told, so its config is copied with `ssl_protocols TLSv1.2 TLSv1.3` (figures before
# this line compared its TLS 1.2 connections with our TLS 1.3 ones).
# usage: bench/scripts/tls-idle-mem.sh [N]
set -u
cd "$(dirname "$0")/../.."
PEERS_DIR=$(cd "${PEERS_DIR:-../shared/bench-peers}" && pwd)
N=${1:-2000}; W=/tmp/peers
ulimit -n 20000 2>/dev/null
[ -f $W/cert.pem ] || { echo "no $W/cert.pem: run $PEERS_DIR/run.sh tls once first"; exit 1; }
pids=()
cleanup() { for p in "${pids[@]}"; do pkill -TERM -P "$p" 2>/dev/null; kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT
rss() { local t=0 p; for p in $1 $(pgrep -P "$1"); do t=$((t + $(ps -o rss= -p $p | awk '{print $1+0}'))); done; echo $t; }
nginx -c $PEERS_DIR/nginx-backend.conf -p $W & pids+=($!)
sed -e "s#^\( *\)ssl_session_cache#\1ssl_protocols TLSv1.2 TLSv1.3;\n\1ssl_session_cache#" \
  $PEERS_DIR/nginx-proxy.conf > $W/nginx-proxy-tls13.conf
nginx -c $W/nginx-proxy-tls13.conf -p $W & NGINX=$!; pids+=($!)
bin/pingora4j -c bench/peers-tls.toml >$W/candidate.log 2>&1 & CAND=$!; pids+=($!)
declare -A PID=([nginx]=$NGINX [candidate]=$CAND) PORT=([nginx]=18181 [candidate]=18190)
for n in nginx candidate; do for i in $(seq 1 150); do curl -kfs -o /dev/null https://127.0.0.1:${PORT[$n]}/small && break; sleep 0.2; done; done
sleep 2
for n in nginx candidate; do
  idle=$(rss ${PID[$n]})
  python3 - ${PORT[$n]} $N >$W/tlshold.out 2>&1 <<'PY' &
import socket, ssl, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
held = []
for _ in range(n):
    raw = socket.create_connection(("127.0.0.1", port))
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as curl and browsers do
    s = ctx.wrap_socket(raw, server_hostname="localhost")
    s.sendall(b"GET /small HTTP/1.1\r\nHost: x\r\n\r\n")
    s.recv(4096)
    held.append(s)
print("protocol", held[0].version(), flush=True)
print("holding", len(held), flush=True)
time.sleep(60)
PY
  H=$!
  for i in $(seq 1 600); do grep -q holding $W/tlshold.out && break; sleep 0.1; done
  sleep 2; held=$(rss ${PID[$n]}); kill $H 2>/dev/null; wait $H 2>/dev/null
  printf "%-10s idle_rss=%6d KiB  with_%d_tls_conns=%6d KiB  per_conn=%6d bytes  (%s)\n" $n $idle $N $held \
    $(( (held - idle) * 1024 / N )) "$(tr "\n" " " < $W/tlshold.out)"
  sleep 1
done
