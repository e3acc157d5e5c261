#!/usr/bin/env bash
# bench/pgo.sh: refreshes cmd/anax/default.pgo, the CPU profile that Go's
# profile-guided optimisation builds cmd/anax with (every go build of it
# picks the file up: -pgo=auto). It runs the server (bench/cmd/pgoserve:
# the server's code with a CPU profile recorded) under the command mix of
# make bench, at pipeline 1 and 16, once with one shard (the benchmark's
# shape) and once with two (cross-shard hops), and merges the two
# profiles. Run it with `make pgo` on an otherwise idle machine after a
# change to the hot paths, and commit the new profile with the change.
#
# Environment: SECS (seconds per load, default 2), PORT (default 7390).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SECS=${SECS:-2}
PORT=${PORT:-7390}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
command -v redis-cli >/dev/null || { echo "pgo: needs redis-cli (apt-get install redis-tools)" >&2; exit 1; }
go build -o "$WORK/pgoserve" ./bench/cmd/pgoserve
go build -o "$WORK/anaxload" ./bench/cmd/anaxload

CPUS=$(nproc)
pin_server=() pin_load=()
if ((CPUS >= 2)); then
  pin_server=(taskset -c 0)
  pin_load=(taskset -c 1)
fi

load() { "${pin_load[@]}" "$WORK/anaxload" -addr "127.0.0.1:$PORT" -c 50 "$@" >/dev/null 2>>"$WORK/load.stderr"; }

# mix PIPELINE: one load of each command family.
mix() {
  local p=$1 d="-duration ${SECS}s"
  local one="-keys 1 -pad 0 -members 200000 -P $p $d"
  load -cmd get -keys 100000 -P "$p" $d
  load -cmd set -keys 100000 -P "$p" $d
  load -cmd mget -keys 100000 -P "$p" $d
  load -cmd incr -key-prefix c: -keys 10000 -P "$p" $d
  load -cmd multi -key-prefix m: -keys 10000 -P "$p" $d
  load -cmd sadd -key-prefix bigset: $one
  load -cmd sismember -key-prefix bigset: $one
  load -cmd spop -key-prefix popset: $one
  load -cmd zadd -key-prefix bigzset: $one
  load -cmd zincrby -key-prefix bigzset: $one
  load -cmd zscore -key-prefix bigzset: $one
  load -cmd zrank -key-prefix bigzset: $one
  load -cmd zrange -zrange 10 -key-prefix bigzset: $one
  load -cmd zpopmin -key-prefix popzset: $one
  load -cmd hset -key-prefix h: -keys 10000 -P "$p" $d
  load -cmd hget -key-prefix h: -keys 10000 -P "$p" $d
  load -cmd hgetall -key-prefix h: -keys 10000 -P "$p" $d
  load -cmd lpush -key-prefix l: -keys 1000 -P "$p" $d
  load -cmd lrange -key-prefix l: -keys 1000 -P "$p" $d
  load -cmd lpop -key-prefix l: -keys 1000 -P "$p" $d
  load -cmd setbit -key-prefix bm: -P "$p" $d
  load -cmd getbit -key-prefix bm: -P "$p" $d
  load -cmd pfadd -key-prefix hll: -P "$p" $d
  load -cmd pfcount -key-prefix hll: -P "$p" $d
  load -cmd xadd -d 10 -key-prefix xadd: -keys 1000 -P "$p" $d
  load -cmd xrange -xcount 10 -key-prefix xrange: -keys 1000 -P "$p" $d
  load -cmd xreadgroup -xcount 10 -key-prefix xrg: -pad 0 -keys 50 -elems 5000 -P "$p" $d
  load -cmd publish -P "$p" $d
  load -cmd evalsha-incr -key-prefix rl: -pad 0 -keys 100000 -P "$p" $d
}

# profile THREADS OUT: one server run under the mix.
profile() {
  local threads=$1 out=$2 pin=()
  ((threads > 1)) || pin=("${pin_server[@]}")
  "${pin[@]}" "$WORK/pgoserve" -profile "$out" --port "$PORT" --bind 127.0.0.1 \
    --threads "$threads" --save "" --appendonly no 2>>"$WORK/server.stderr" &
  local pid=$!
  load -cmd ping -duration 10s
  load -c 1 -cmd prefill -keys 100000 -duration 120s
  load -c 1 -cmd fill-set -key-prefix bigset: -pad 0 -keys 1 -elems 200000 -chunk 1000 -duration 120s
  load -c 1 -cmd fill-set -key-prefix popset: -pad 0 -keys 1 -elems 1000000 -chunk 1000 -duration 120s
  load -c 1 -cmd fill-zset -key-prefix bigzset: -pad 0 -keys 1 -elems 200000 -chunk 1000 -duration 120s
  load -c 1 -cmd fill-zset -key-prefix popzset: -pad 0 -keys 1 -elems 1000000 -chunk 1000 -duration 120s
  load -cmd fill-stream -key-prefix xrange: -keys 1000 -elems 100 -duration 120s
  load -cmd fill-stream -key-prefix xrg: -pad 0 -keys 50 -elems 5000 -group g -duration 120s
  mix 1
  mix 16
  redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
  wait "$pid"
}

echo "pgo: profiling with 1 shard, then 2 (about $((2 * 2 * 29 * SECS / 60 + 2)) minutes)" >&2
profile 1 "$WORK/one.pprof"
profile 2 "$WORK/two.pprof"
go tool pprof -proto "$WORK/one.pprof" "$WORK/two.pprof" >"$WORK/merged.pprof" 2>/dev/null
mv "$WORK/merged.pprof" cmd/anax/default.pgo
echo "pgo: wrote cmd/anax/default.pgo ($(wc -c <cmd/anax/default.pgo) bytes)" >&2
