#!/usr/bin/env bash
# bench/rdbspeed.sh: RDB load and BGSAVE of the same data, Anax beside
# redis-server, servers run back to back (bench/README.md, "RDB load and
# save").
#
#   bench/rdbspeed.sh                    # 1M strings of 100 B and 200k small collections, 3 rounds
#   KEYS=100000 ROUNDS=1 bench/rdbspeed.sh
#   KEYS=5000000 SIZE=1024 ROUNDS=1 bench/rdbspeed.sh   # 5M keys of 1 KB (about 12 GB of memory)
#   ANAX=/tmp/anax-new bench/rdbspeed.sh      # another build
#   BASELINE=/tmp/anax-before bench/rdbspeed.sh   # adds an older build's column
#
# redis-server writes both files (KEYS strings of SIZE bytes, 100 unless
# set, the values
# DEBUG POPULATE makes under the names redis-benchmark -r KEYS writes,
# key:%012d, so that the SET load below overwrites them rather than adding
# keys; then a quarter each of hashes, lists, sets and sorted sets of 10
# elements, KEYS/5 keys; both by Lua scripts). Each round starts redis-server and then Anax
# (--threads THREADS) on the file and reads the time each logs ("DB loaded
# from disk"), its CPU time (user + system) and its RSS once loaded; then,
# with the strings loaded, times a BGSAVE (from the command until INFO
# shows it done, polled every 10 ms) and samples RSS meanwhile. Ratios of
# runs seconds apart hold on a busy machine better than the times do.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
KEYS=${KEYS:-1000000}
SIZE=${SIZE:-100}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
PORT=${PORT:-17479}
ANAX=${ANAX:-}
BASELINE=${BASELINE:-}
WORK=$(mktemp -d /tmp/anax-rdbspeed.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

if [[ -z $ANAX ]]; then
  go build -o "$WORK/anax" ./cmd/anax
  ANAX=$WORK/anax
fi
go build -o "$WORK/anaxload" ./bench/cmd/anaxload

cli() { redis-cli -p "$PORT" "$@"; }
waitport() { for _ in $(seq 1 500); do cli ping >/dev/null 2>&1 && return 0; sleep 0.02; done; return 1; }
waitlog() { for _ in $(seq 1 6000); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.02; done; return 1; }
cputime() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }
rss_mb() { awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }

# start NAME FILE: starts a server on FILE, sets SRV_PID and SRV_LOG.
start() {
  SRV_LOG=$WORK/$1.log
  rm -f "$SRV_LOG"
  local bin=$ANAX
  [[ $1 == base ]] && bin=$BASELINE
  if [[ $1 == redis ]]; then
    redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" --dbfilename "$2" \
      --logfile "$SRV_LOG" --enable-debug-command yes &
  else
    "$bin" --port "$PORT" --bind 127.0.0.1 --threads "$THREADS" --save '' --appendonly no --dir "$WORK" \
      --dbfilename "$2" --enable-debug-command yes >"$SRV_LOG" 2>&1 &
  fi
  SRV_PID=$!
  PIDS+=("$SRV_PID")
}

stop() {
  kill "$SRV_PID" 2>/dev/null || true
  wait "$SRV_PID" 2>/dev/null || true
}

# ---- the files, written by redis-server --------------------------------------
echo "writing the files with redis-server ($KEYS strings of $SIZE bytes, $((KEYS / 5)) collections)..."
start redis none.rdb
waitport
for ((i = 0; i < KEYS; i += 100000)); do
  cli eval '
for i = tonumber(ARGV[1]), tonumber(ARGV[2]) - 1 do
  local v = "value:" .. i
  redis.call("SET", string.format("key:%012d", i), v .. string.rep("\0", tonumber(ARGV[3]) - #v))
end' 0 "$i" $((i + 100000 < KEYS ? i + 100000 : KEYS)) "$SIZE" >/dev/null
done
cli save >/dev/null
mv "$WORK/none.rdb" "$WORK/strings.rdb"
cli flushall >/dev/null
cli eval '
for i = 0, tonumber(ARGV[1]) - 1 do
  local k = "key:" .. i
  local m = i % 4
  if m == 0 then
    for j = 0, 9 do redis.call("HSET", k, "field" .. j, "value-" .. i .. "-" .. j) end
  elseif m == 1 then
    for j = 0, 9 do redis.call("RPUSH", k, "element-" .. i .. "-" .. j) end
  elseif m == 2 then
    for j = 0, 9 do redis.call("SADD", k, "member-" .. i .. "-" .. j) end
  else
    for j = 0, 9 do redis.call("ZADD", k, j, "member-" .. i .. "-" .. j) end
  end
end' 0 $((KEYS / 5)) >/dev/null
cli save >/dev/null
mv "$WORK/none.rdb" "$WORK/mixed.rdb"
stop
ls -l "$WORK"/*.rdb | awk '{print "  " $9 ": " $5 " bytes"}'

# load NAME FILE: starts NAME on FILE and sets L_TIME (the time it logs),
# L_CPU and L_RSS once loaded; the server keeps running.
load() {
  start "$1" "$2"
  waitlog "$SRV_LOG" 'DB loaded from disk' || { echo "$1 did not load $2:" >&2; cat "$SRV_LOG" >&2; exit 1; }
  L_TIME=$(grep -o 'DB loaded from disk: [0-9.]*' "$SRV_LOG" | awk '{print $5}')
  L_CPU=$(cputime "$SRV_PID")
  L_RSS=$(rss_mb "$SRV_PID")
}

# bgsave [writes]: times a BGSAVE of the running server: sets S_TIME,
# S_BEFORE and S_PEAK (RSS in MB before and at most during it) and S_COW
# (redis-server's rdb_last_cow_size in MB; - for Anax). With writes, a
# redis-benchmark SET load over the saved keys runs from a second before
# the save until it ends; S_KEYS is the number of keys after it (KEYS
# unless the load added keys).
bgsave() {
  waitport
  local t0 t1 r wp=
  if [[ ${1:-} == writes ]]; then
    redis-benchmark -p "$PORT" -t set -r "$KEYS" -d "$SIZE" -c 20 -P 16 -n 1000000000 -q >/dev/null 2>&1 &
    wp=$!
    PIDS+=("$wp")
    sleep 1
  fi
  S_BEFORE=$(rss_mb "$SRV_PID")
  S_PEAK=$S_BEFORE
  t0=$(date +%s.%N)
  cli bgsave >/dev/null
  while :; do
    r=$(rss_mb "$SRV_PID")
    ((r > S_PEAK)) && S_PEAK=$r
    cli info persistence | grep -q 'rdb_bgsave_in_progress:0' && break
    sleep 0.01
  done
  t1=$(date +%s.%N)
  S_TIME=$(echo "$t1 - $t0" | bc)
  if [[ -n $wp ]]; then
    kill "$wp" 2>/dev/null || true
    wait "$wp" 2>/dev/null || true
  fi
  S_KEYS=$(cli dbsize)
  [[ $S_KEYS == "$KEYS" ]] || echo "  ($S_KEYS keys after the save, not $KEYS: the RSS figures include added keys)"
  S_COW=$(cli info persistence | awk -F: '/^rdb_last_cow_size:/ {printf "%d", $2 / 1048576}')
  [[ -n $S_COW ]] || S_COW=-
}

ratio() { echo "scale=2; $1 / $2" | bc; }

for f in strings mixed; do
  echo
  echo "load of $f.rdb: redis-server | anax (--threads $THREADS) | time ratio"
  for r in $(seq 1 "$ROUNDS"); do
    load redis "$f.rdb"
    stop
    rt=$L_TIME rc=$L_CPU rr=$L_RSS
    load anax "$f.rdb"
    stop
    at=$L_TIME ac=$L_CPU ar=$L_RSS
    printf '  round %d: %6.3f s (cpu %5.2f s, rss %4d MB) | %6.3f s (cpu %5.2f s, rss %4d MB) | %s   (load average %s)\n' \
      "$r" "$rt" "$rc" "$rr" "$at" "$ac" "$ar" "$(ratio "$at" "$rt")" "$(cut -d' ' -f1 /proc/loadavg)"
    if [[ -n $BASELINE ]]; then
      load base "$f.rdb"
      stop
      printf '           baseline: %6.3f s (cpu %5.2f s, rss %4d MB) | %s of redis-server'"'"'s time\n' "$L_TIME" "$L_CPU" "$L_RSS" "$(ratio "$L_TIME" "$rt")"
    fi
  done
done

for mode in quiet writes; do
  echo
  if [[ $mode == quiet ]]; then
    echo "BGSAVE of strings.rdb's keys, no writes: redis-server | anax | time ratio (RSS before -> peak)"
  else
    echo "BGSAVE under a SET load over the same keys (redis-benchmark -P 16 -c 20): redis-server (its child's copy-on-write) | anax | time ratio"
  fi
  for r in $(seq 1 "$ROUNDS"); do
    load redis strings.rdb
    bgsave "$mode"
    stop
    rt=$S_TIME rb=$S_BEFORE rp=$S_PEAK rcow=$S_COW
    load anax strings.rdb
    bgsave "$mode"
    stop
    at=$S_TIME ab=$S_BEFORE ap=$S_PEAK
    printf '  round %d: %6.3f s (%d -> %d MB, cow %s MB) | %6.3f s (%d -> %d MB, +%d%%) | %s   (load average %s)\n' \
      "$r" "$rt" "$rb" "$rp" "$rcow" "$at" "$ab" "$ap" "$(((ap - ab) * 100 / ab))" "$(ratio "$at" "$rt")" "$(cut -d' ' -f1 /proc/loadavg)"
    if [[ -n $BASELINE ]]; then
      load base strings.rdb
      bgsave "$mode"
      stop
      printf '           baseline: %6.3f s (%d -> %d MB, +%d%%) | %s of redis-server'"'"'s time\n' "$S_TIME" "$S_BEFORE" "$S_PEAK" "$(((S_PEAK - S_BEFORE) * 100 / S_BEFORE))" "$(ratio "$S_TIME" "$rt")"
    fi
  done
done

# GET latency during a BGSAVE: a paced GET load (anaxload, PROBE_RATE
# requests per second over 8 connections, keys drawn uniformly) for as long
# as a first BGSAVE took, once with no save and once starting with a
# second BGSAVE; p50 / p99 / p99.9 / max in ms.
PROBE_RATE=${PROBE_RATE:-20000}
probe() {
  "$WORK/anaxload" -addr "127.0.0.1:$PORT" -cmd get -keys "$KEYS" -c 8 -rate "$PROBE_RATE" \
    -duration "$1s" -warmup 0s -tsv 2>/dev/null | awk -F'\t' '{printf "%s / %s / %s / %s", $2, $3, $4, $5}'
}
latency() {
  load "$1" strings.rdb
  bgsave quiet
  local d
  d=$(echo "$S_TIME" | awk '{d = int($1 + 0.999); print (d < 1 ? 1 : d)}')
  P_IDLE=$(probe "$d")
  probe "$d" >"$WORK/probe.out" &
  local pp=$!
  sleep 0.2
  bgsave quiet
  wait "$pp"
  P_SAVE=$(cat "$WORK/probe.out")
  stop
}
echo
echo "GET latency (ms: p50 / p99 / p99.9 / max) at $PROBE_RATE GET/s, no save | during a BGSAVE"
for r in $(seq 1 "$ROUNDS"); do
  latency redis
  printf '  round %d: redis-server %s | %s\n' "$r" "$P_IDLE" "$P_SAVE"
  latency anax
  printf '           anax         %s | %s\n' "$P_IDLE" "$P_SAVE"
done
