#!/usr/bin/env bash
# Records bin/pingora4j.classlist again: the classes (and lambda forms) the server loads to start on the
# bundled config and answer a few requests, which bin/pingora4j turns into its AppCDS archive. Run it
# after changes to what a start loads (new classes on the start path show as a slower launch:
# bench/scripts/launch-time.sh). The launcher makes the archive again on its next start.
# usage: bench/scripts/record-classlist.sh   (port 6188 must be free)
set -eu
cd "$(dirname "$0")/../.."
out=$(mktemp)
PINGORA4J_CDS=off JAVA_OPTS="-XX:+UseSerialGC -Xms16m -Xmx256m -Xss512k -XX:AutoBoxCacheMax=65536 -XX:DumpLoadedClassList=$out" \
  bin/pingora4j -c conf/pingora4j.toml >/dev/null 2>&1 &
pid=$!
for i in $(seq 1 300); do curl -fs -o /dev/null http://127.0.0.1:6188/ && break; sleep 0.1; done
for i in 1 2 3; do curl -fs -o /dev/null http://127.0.0.1:6188/; done
sleep 1
kill $pid; wait $pid 2>/dev/null || true
[ "$(grep -vc '^#' "$out")" -gt 1000 ] || { echo "record-classlist: too few classes recorded, kept the old list" >&2; exit 1; }
mv "$out" bin/pingora4j.classlist
echo "bin/pingora4j.classlist: $(grep -vc '^#' bin/pingora4j.classlist) entries"
