#!/usr/bin/env bash
# Hit ratio of a cache-aside Zipf load larger than memory (bench/README.md,
# "Hit ratio"): Anax under allkeys-lru, allkeys-lfu and cache_mode, and
# redis-server under allkeys-lru and allkeys-lfu, each a fresh server with
# the same maxmemory, driven by bench/cmd/hitratio (GET; SET on a miss).
#
#   bench/hitratio.sh                                   # 2M keys of 1 KB, maxmemory 256mb
#   KEYS=400000 MAXMEMORY=64mb OPS=2000000 bench/hitratio.sh   # a small run
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
KEYS=${KEYS:-2000000}
VALUE=${VALUE:-1024}
MAXMEMORY=${MAXMEMORY:-256mb}
OPS=${OPS:-20000000}
THETA=${THETA:-0.99}
CONNS=${CONNS:-4}
THREADS=${THREADS:-1}
PORT=${BASE_PORT:-17479}
PEERS=${PEERS:-redis}
WORK=$ROOT/bench/out/hitratio
mkdir -p "$WORK"

make -s build
go build -o "$WORK/hitratio" ./bench/cmd/hitratio

PID=
cleanup() { [[ -z $PID ]] || { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }; }
trap cleanup EXIT

# row NAME ARGV...: starts the server, runs the load, prints one table row.
row() {
  local name=$1
  shift
  "$@" --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --maxmemory "$MAXMEMORY" \
    >"$WORK/$name.log" 2>&1 &
  PID=$!
  for _ in $(seq 100); do
    redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  local out
  out=$("$WORK/hitratio" -addr "127.0.0.1:$PORT" -keys "$KEYS" -d "$VALUE" -theta "$THETA" \
    -ops "$OPS" -conns "$CONNS" -tsv)
  local rss
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
  kill "$PID"
  wait "$PID" 2>/dev/null || true
  PID=
  IFS=$'\t' read -r ratio hits gets sets secs evicted used dbsize refused first <<<"$out"
  printf '| %s | %s | %s | %s | %s | %s | %d | %.0f | %s |\n' "$name" "$ratio" "$gets" "$evicted" \
    "$dbsize" "$((used / 1048576))" "$((rss / 1024))" "$(echo "$gets / $secs" | bc -l)" "${first:+$refused refused ($first)}"
}

echo "Zipf $THETA over $KEYS keys of $VALUE B, maxmemory $MAXMEMORY, $OPS GETs measured after $((OPS / 2)) of warm-up, $CONNS connections; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| server | hit ratio | GETs | evicted_keys | keys at end | used_memory MB | RSS MB | GETs/s | notes |"
echo "|---|--:|--:|--:|--:|--:|--:|--:|---|"
row "anax allkeys-lru" bin/anax --threads "$THREADS" --maxmemory-policy allkeys-lru
row "anax allkeys-lfu" bin/anax --threads "$THREADS" --maxmemory-policy allkeys-lfu
row "anax cache_mode" bin/anax --threads "$THREADS" --cache_mode yes
if [[ $PEERS == *redis* ]] && command -v redis-server >/dev/null; then
  row "redis allkeys-lru" redis-server --maxmemory-policy allkeys-lru
  row "redis allkeys-lfu" redis-server --maxmemory-policy allkeys-lfu
fi
