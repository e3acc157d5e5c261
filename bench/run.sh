#!/usr/bin/env bash
# bench/run.sh: Anax side by side with Redis (and Valkey, KeyDB, memcached
# where installed) under the same load in the same CPU placement. Run it
# through `make bench`; bench/README.md explains the method and the knobs.
#
# Everything runs on loopback. Every load run is bounded by `timeout`.
# Servers are started here, on ports from BASE_PORT up, and stopped (by the
# process ids this script recorded) when it exits.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# ---- knobs -----------------------------------------------------------------
QUICK=${QUICK:-}
BIG=${BIG:-}
NPROC=$(nproc)

# expand_cpus "0-2,5" prints "0 1 2 5".
expand_cpus() {
  local part out=()
  IFS=',' read -ra parts <<<"$1"
  for part in "${parts[@]}"; do
    if [[ $part == *-* ]]; then
      out+=($(seq "${part%-*}" "${part#*-}"))
    else
      out+=("$part")
    fi
  done
  echo "${out[@]}"
}

if [[ -z ${SERVER_CPUS:-} || -z ${LOAD_CPUS:-} ]]; then
  if ((NPROC < 2)); then
    echo "bench: needs 2 cores to keep the server and the load apart (set SERVER_CPUS and LOAD_CPUS to override)" >&2
    exit 1
  fi
  half=$((NPROC / 2))
  SERVER_CPUS=${SERVER_CPUS:-0-$((half - 1))}
  LOAD_CPUS=${LOAD_CPUS:-$half-$((NPROC - 1))}
  SERVER_CPUS=${SERVER_CPUS/#0-0/0}
  [[ $LOAD_CPUS == "1-1" ]] && LOAD_CPUS=1
fi
read -ra SERVER_CPU_LIST <<<"$(expand_cpus "$SERVER_CPUS")"
read -ra LOAD_CPU_LIST <<<"$(expand_cpus "$LOAD_CPUS")"
THREADS=${#SERVER_CPU_LIST[@]}
LOAD_THREADS=${#LOAD_CPU_LIST[@]}

if [[ -n $QUICK ]]; then
  DURATION=${DURATION:-1}
  WARMUP=${WARMUP:-0.3}
  KEYS=${KEYS:-100000}
  LARGE_KEYS=${LARGE_KEYS:-2000}
  RETRIES=${RETRIES:-0}
  ROUNDS=${ROUNDS:-1}
else
  DURATION=${DURATION:-10}
  WARMUP=${WARMUP:-1}
  KEYS=${KEYS:-1000000}
  LARGE_KEYS=${LARGE_KEYS:-10000}
  RETRIES=${RETRIES:-2}
  ROUNDS=${ROUNDS:-3}
fi
# Each row's DURATION is split into ROUNDS runs that alternate the servers,
# so servers compared in a row were measured seconds apart, not minutes.
RUN_SECS=$(awk -v d="$DURATION" -v r="$ROUNDS" 'BEGIN{printf "%g", d / r}')
NOISE_MAX=${NOISE_MAX:-5}
CONNS=${CONNS:-50}
MEM_KEYS=${MEM_KEYS:-1000000}
# The small-value memory row: MEM_SMALL_KEYS keys of MEM_SMALL_SIZE bytes,
# Anax and Redis only (0: none).
MEM_SMALL_KEYS=${MEM_SMALL_KEYS:-$([[ -n $QUICK ]] && echo 1000000 || echo 10000000)}
MEM_SMALL_SIZE=${MEM_SMALL_SIZE:-10}
BIG_KEYS=${BIG_KEYS:-10000000}
BIG_DURATION=${BIG_DURATION:-30}
# Lists and hashes (TYPES=0 leaves them out): speed rows over TYPE_KEYS
# hashes of 10 fields and lists, LRANGE over LRANGE_KEYS lists of 100
# elements; the pop rows refill their lists before each run with
# POP_RATE x (run + warm-up) x 1.2 elements, so pops at up to POP_RATE/s
# never run dry. Memory rows with TMEM_KEYS hashes and lists (and fields
# of the one big hash) and a list of TMEM_LIST elements; GC windows of
# TGC_DURATION seconds. TYPES=only runs these alone.
TYPES=${TYPES:-1}
if [[ -n $QUICK ]]; then
  TYPE_KEYS=${TYPE_KEYS:-10000}
  LRANGE_KEYS=${LRANGE_KEYS:-1000}
  TMEM_KEYS=${TMEM_KEYS:-100000}
  TMEM_LIST=${TMEM_LIST:-1000000}
  TGC_DURATION=${TGC_DURATION:-3}
  RB_CHECK_N=${RB_CHECK_N:-2000}
  WAKES=${WAKES:-1000}
else
  TYPE_KEYS=${TYPE_KEYS:-100000}
  LRANGE_KEYS=${LRANGE_KEYS:-10000}
  TMEM_KEYS=${TMEM_KEYS:-1000000}
  TMEM_LIST=${TMEM_LIST:-10000000}
  TGC_DURATION=${TGC_DURATION:-30}
  RB_CHECK_N=${RB_CHECK_N:-10000}
  WAKES=${WAKES:-5000}
fi
POP_RATE=${POP_RATE:-2000000}
# Sets and sorted sets (SETS=0 leaves them out, SETS=only runs them alone;
# TYPES=only runs them with the lists and hashes): speed rows on one set and
# one zset of SET_MEMBERS 16-byte members; the pop rows pop from a set and
# a zset of SPOP_RATE x (run + warm-up) x 1.2 members (at least
# SET_MEMBERS), topped up again before each run. Memory rows: one set and
# one zset of SMEM_KEYS members, SMEM_KEYS sets of 10 integers,
# SMEM_KEYS / 10 zsets of 10 members; GC windows of TGC_DURATION seconds;
# SUNIONSTORE of two sets of SUNION_MEMBERS members.
SETS=${SETS:-1}
if [[ -n $QUICK ]]; then
  SET_MEMBERS=${SET_MEMBERS:-100000}
  SMEM_KEYS=${SMEM_KEYS:-100000}
  SUNION_MEMBERS=${SUNION_MEMBERS:-100000}
else
  SET_MEMBERS=${SET_MEMBERS:-1000000}
  SMEM_KEYS=${SMEM_KEYS:-1000000}
  SUNION_MEMBERS=${SUNION_MEMBERS:-1000000}
fi
SPOP_RATE=${SPOP_RATE:-1000000}
# Pub/Sub (PUBSUB=0 leaves it out, PUBSUB=only runs it alone): PUBLISH to
# one channel with each count of subscriber connections in PUBSUB_SUBS, at
# P1 and P16; then publish-to-receive latency at an equal load on every
# server, PACED_DELIVERIES messages delivered per second (PUBLISHes per
# second = PACED_DELIVERIES / subscribers).
PUBSUB=${PUBSUB:-1}
PUBSUB_SUBS=${PUBSUB_SUBS:-1 100}
PACED_DELIVERIES=${PACED_DELIVERIES:-20000}
# Streams (STREAMS=0 leaves them out, STREAMS=only runs them alone):
# speed rows on STREAM_KEYS streams (XADD of two 10-byte fields; XRANGE
# COUNT 10 of streams of 100 entries) and, for XREADGROUP COUNT 10 with
# the XACK of what it read, one stream of XRG_LEN entries per connection;
# XREAD BLOCK wake-ups (XWAKES of them) with Anax on XWAKE_THREADS shards;
# memory of one stream of XMEM_ENTRIES entries and of XPEL_ENTRIES pending
# entries in a group.
STREAMS=${STREAMS:-1}
if [[ -n $QUICK ]]; then
  STREAM_KEYS=${STREAM_KEYS:-1000}
  XMEM_ENTRIES=${XMEM_ENTRIES:-100000}
else
  STREAM_KEYS=${STREAM_KEYS:-10000}
  XMEM_ENTRIES=${XMEM_ENTRIES:-1000000}
fi
XRG_LEN=${XRG_LEN:-5000}
XPEL_ENTRIES=${XPEL_ENTRIES:-100000}
XWAKES=${XWAKES:-$WAKES}
BITS=${BITS:-1}
# Scripts (SCRIPTS=0 leaves them out, SCRIPTS=only runs them alone): EVALSHA
# at P1 and P16 of a rate limiter's script (INCR + EXPIRE) over SCRIPT_KEYS
# keys, and of a BullMQ-style job script over the 6 keys of one of
# SCRIPT_QUEUES queues (one hash tag each), which a SCRIPT_FILL-second run
# of the same script brings to their steady size first.
SCRIPTS=${SCRIPTS:-1}
SCRIPT_KEYS=${SCRIPT_KEYS:-100000}
SCRIPT_QUEUES=${SCRIPT_QUEUES:-100}
SCRIPT_FILL=${SCRIPT_FILL:-2}
# RDB load and save (RDB=1 adds it, RDB=only runs it alone; off unless asked:
# it takes minutes, and RDB_KEYS=5000000 RDB_SIZE=1024, issue #14's shape,
# about 12 GB of memory): bench/rdbspeed.sh, unpinned, Anax with
# RDB_THREADS threads, on RDB_KEYS strings of RDB_SIZE bytes and RDB_KEYS/5
# small collections written by redis-server, RDB_ROUNDS rounds; its report
# goes into a section of the results.
RDB=${RDB:-0}
# The string memory rows (phase 2, issue #16's per-key targets) run with the
# string rows; MEM=only runs them alone (a few minutes, most of it the 10M
# keys of MEM_SMALL_KEYS), MEM=0 skips them.
MEM=${MEM:-1}
RDB_SIZE=${RDB_SIZE:-100}
RDB_THREADS=${RDB_THREADS:-2}
if [[ -n $QUICK ]]; then
  RDB_KEYS=${RDB_KEYS:-100000}
  RDB_ROUNDS=${RDB_ROUNDS:-1}
else
  RDB_KEYS=${RDB_KEYS:-1000000}
  RDB_ROUNDS=${RDB_ROUNDS:-2}
fi
# Which phases run: each family unless its switch is 0 or another family's
# switch is "only" (TYPES=only runs the sets too); the string rows (and the
# string memory run) unless some switch is "only".
other_only() { # other_only NAME...: a switch not among NAMEs is "only"
  local f
  for f in TYPES SETS BITS PUBSUB STREAMS SCRIPTS RDB MEM; do
    [[ " $* " == *" $f "* ]] && continue
    [[ ${!f} == only ]] && return 0
  done
  return 1
}
RUN_STRINGS=$(other_only || echo 1)
RUN_LH=$([[ $TYPES == 0 ]] || other_only TYPES || echo 1)
RUN_SETS=$([[ $SETS == 0 ]] || other_only SETS TYPES || echo 1)
RUN_BITS=$([[ $BITS == 0 ]] || other_only BITS || echo 1)
RUN_PUBSUB=$([[ $PUBSUB == 0 ]] || other_only PUBSUB || echo 1)
RUN_STREAMS=$([[ $STREAMS == 0 ]] || other_only STREAMS || echo 1)
RUN_SCRIPTS=$([[ $SCRIPTS == 0 ]] || other_only SCRIPTS || echo 1)
RUN_RDB=$([[ $RDB == 0 ]] || other_only RDB || echo 1)
RUN_MEM=$([[ $MEM == 0 ]] || other_only MEM || echo 1)
BASE_PORT=${BASE_PORT:-17379}
RB_SHARE=${RB_SHARE:-0.6}
PEERS=${PEERS:-redis valkey keydb memcached}
UPDATE_DOCS=${UPDATE_DOCS:-$([[ -n $QUICK ]] && echo 0 || echo 1)}

WORK=$ROOT/bench/out/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$WORK"
ANAX=$ROOT/bin/anax
ANAXLOAD=$ROOT/bench/out/anaxload
ROWS=$WORK/rows.tsv
ROUND_ROWS=$WORK/round-rows.tsv
MEMROWS=$WORK/mem.tsv
: >"$ROWS"
: >"$MEMROWS"
CLK_TCK=$(getconf CLK_TCK)
START_EPOCH=$(date +%s)

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---- build -----------------------------------------------------------------
[[ -x $ANAX ]] || { echo "bench: $ANAX missing (make bench builds it)" >&2; exit 1; }
go build -o "$ANAXLOAD" ./bench/cmd/anaxload
BLOCKWAKE=$ROOT/bench/out/blockwake
go build -o "$BLOCKWAKE" ./bench/cmd/blockwake
BIGCMD=$ROOT/bench/out/bigcmd
go build -o "$BIGCMD" ./bench/cmd/bigcmd

# ---- servers ---------------------------------------------------------------
declare -A PID PORT PROTO
ALL_PIDS=()

cleanup() {
  local p
  for p in "${ALL_PIDS[@]}"; do
    kill "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SERVERS=(anax)
NOTES=()
# anax-base is another Anax binary (BASELINE=path), started exactly as anax:
# a change is measured against the code before it, side by side.
if [[ -n ${BASELINE:-} ]]; then
  [[ -x $BASELINE ]] || { echo "bench: BASELINE $BASELINE is not an executable" >&2; exit 1; }
  SERVERS+=(anax-base)
fi
# anax-mc is Anax's memcached port (--memcached-port) on the same process:
# memcached is compared with it, protocol for protocol.
if grep -aq 'memcached-port' "$ANAX"; then
  SERVERS+=(anax-mc)
else
  NOTES+=("anax-mc skipped: this Anax has no --memcached-port")
fi
declare -A BINARY=([redis]=redis-server [valkey]=valkey-server [keydb]=keydb-server [memcached]=memcached)
for s in $PEERS; do
  if command -v "${BINARY[$s]:-none}" >/dev/null; then
    SERVERS+=("$s")
  else
    NOTES+=("$s skipped: ${BINARY[$s]:-$s} not on PATH")
  fi
done
HAVE_MEMTIER=
if command -v memtier_benchmark >/dev/null; then HAVE_MEMTIER=1; else NOTES+=("memtier_benchmark not on PATH: memtier rows skipped"); fi
for n in "${NOTES[@]}"; do log "note: $n"; done

i=0
for s in "${SERVERS[@]}"; do
  PORT[$s]=$((BASE_PORT + i))
  PROTO[$s]=resp
  i=$((i + 1))
done
[[ -n ${PORT[memcached]:-} ]] && PROTO[memcached]=memcache
[[ -n ${PORT[anax-mc]:-} ]] && PROTO[anax-mc]=memcache

# server_argv NAME sets ARGV to the command line that starts NAME on its
# port; server_cmd NAME prints it.
server_argv() {
  local port=${PORT[$1]}
  case $1 in
  anax)
    ARGV=("$ANAX" --port "$port" --bind 127.0.0.1 --threads "${ANAX_THREADS:-$THREADS}" --save "" --appendonly no --enable-debug-command yes)
    [[ -z ${PORT[anax-mc]:-} ]] || ARGV+=(--memcached-port "${PORT[anax-mc]}")
    ;;
  anax-mc) ARGV=("(the anax process)") ;;
  anax-base) ARGV=("$BASELINE" --port "$port" --bind 127.0.0.1 --threads "$THREADS" --save "" --appendonly no --enable-debug-command yes) ;;
  redis) ARGV=(redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --enable-debug-command yes) ;;
  valkey) ARGV=(valkey-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --enable-debug-command yes) ;;
  keydb) ARGV=(keydb-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --server-threads "$THREADS") ;;
  memcached)
    ARGV=(memcached -p "$port" -l 127.0.0.1 -U 0 -t "$THREADS" -m 4096 -c 4096)
    [[ $(id -u) != 0 ]] || ARGV+=(-u root) # memcached refuses root without -u
    ;;
  esac
}

server_cmd() {
  server_argv "$1"
  local a out=
  for a in "${ARGV[@]}"; do
    [[ -n $a ]] || a="''"
    out+="${out:+ }${a/#$ROOT\//}"
  done
  echo "$out"
}

# start_server NAME [ENV=VALUE ...]: starts NAME pinned to SERVER_CPUS.
# env and taskset exec, so $! is the server's own process id.
start_server() {
  local name=$1
  shift
  if [[ $name == anax-mc ]]; then # served by the anax process
    PID[$name]=${PID[anax]}
    "$ANAXLOAD" -addr "127.0.0.1:${PORT[$name]}" -proto memcache -cmd ping -duration 10s
    return
  fi
  if (echo >"/dev/tcp/127.0.0.1/${PORT[$name]}") 2>/dev/null; then
    echo "bench: port ${PORT[$name]} is taken (set BASE_PORT)" >&2
    exit 1
  fi
  server_argv "$name"
  env "$@" taskset -c "$SERVER_CPUS" "${ARGV[@]}" >>"$WORK/$name.log" 2>>"$WORK/$name.stderr" &
  PID[$name]=$!
  ALL_PIDS+=($!)
  if ! "$ANAXLOAD" -addr "127.0.0.1:${PORT[$name]}" -proto "${PROTO[$name]}" -cmd ping -duration 10s; then
    echo "bench: $name did not start; see $WORK/$name.log" >&2
    exit 1
  fi
  if [[ $(readlink "/proc/${PID[$name]}/exe") != "$(readlink -f "$(command -v "${ARGV[0]}")")" ]]; then
    echo "bench: process ${PID[$name]} is not $name" >&2
    exit 1
  fi
}

stop_server() {
  [[ $1 != anax-mc ]] || return 0
  local p=${PID[$1]} n
  kill "$p" 2>/dev/null || return 0
  for n in $(seq 50); do
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}

# ---- CPU accounting --------------------------------------------------------
# proc_ticks PID: user+system ticks of the process (all its threads).
proc_ticks() {
  local s
  s=$(<"/proc/$1/stat")
  s=${s##*) }
  read -ra f <<<"$s"
  echo $((f[11] + f[12])) # fields 14 and 15, counted from field 3
}

# cores_ticks CPU...: "TASK BUSY STEAL" ticks summed over those cores:
# TASK is user+nice+system (time charged to processes), BUSY adds irq and
# softirq (loopback TCP work lands there), STEAL is time the hypervisor
# gave to other guests.
cores_ticks() {
  local c task=0 busy=0 steal=0 u n s i q st
  for c in "$@"; do
    read -r _ u n s _ _ i q st _ < <(grep "^cpu$c " /proc/stat)
    task=$((task + u + n + s))
    busy=$((busy + u + n + s + i + q))
    steal=$((steal + st))
  done
  echo "$task $busy $steal"
}

# children_ticks sets CT to the user+system ticks of this shell's finished
# children (the load tools), from the times builtin: call it directly, not
# in $(...), whose subshell has children of its own.
children_ticks() {
  times >"$WORK/times"
  CT=$(sed -n 2p "$WORK/times" | awk -v hz="$CLK_TCK" '{
    t = 0
    for (i = 1; i <= 2; i++) { split($i, a, "m"); t += a[1] * 60 + substr(a[2], 1, length(a[2]) - 1) }
    printf "%d", t * hz + 0.5 }')
}

now_ns() { date +%s%N; }

# measure NAME CMD...: runs a load command, keeps its output in OUT, and
# sets, as shares of the cores each side is pinned to: SRV_BUSY and
# LOAD_BUSY (time the cores were not idle, softirq included; ~100% on the
# server side means the server was the limit), and OTHER_CPU (time those
# cores gave to anything but the server and the load tool, steal included:
# other people's work on a shared machine).
measure() {
  local name=$1 p0 k0 t0 p1 k1 t1 rc=0
  local -a s0 l0 s1 l1
  shift
  p0=$(proc_ticks "${PID[$name]}")
  read -ra s0 <<<"$(cores_ticks "${SERVER_CPU_LIST[@]}")"
  read -ra l0 <<<"$(cores_ticks "${LOAD_CPU_LIST[@]}")"
  children_ticks
  k0=$CT
  t0=$(now_ns)
  OUT=$("$@" 2>>"$WORK/load.stderr") || rc=$?
  children_ticks
  k1=$CT
  t1=$(now_ns)
  p1=$(proc_ticks "${PID[$name]}")
  read -ra s1 <<<"$(cores_ticks "${SERVER_CPU_LIST[@]}")"
  read -ra l1 <<<"$(cores_ticks "${LOAD_CPU_LIST[@]}")"
  local wall=$(((t1 - t0) * CLK_TCK / 1000000)) # ticks x 1000
  ((wall > 0)) || wall=1
  SRV_BUSY=$(((s1[1] - s0[1]) * 100000 / (wall * THREADS)))
  LOAD_BUSY=$(((l1[1] - l0[1]) * 100000 / (wall * LOAD_THREADS)))
  local others=$(((s1[0] - s0[0]) + (l1[0] - l0[0]) - (p1 - p0) - (k1 - k0) + (s1[2] - s0[2]) + (l1[2] - l0[2])))
  OTHER_CPU=$((others * 100000 / (wall * (THREADS + LOAD_THREADS))))
  SRV_PROC_PM=$(((p1 - p0) * 1000000 / wall)) # the server's own CPU, per mille of one core
  ((OTHER_CPU >= 0)) || OTHER_CPU=0
  ((SRV_BUSY <= 100)) || SRV_BUSY=100
  ((LOAD_BUSY <= 100)) || LOAD_BUSY=100
  return $rc
}

# ---- loads -----------------------------------------------------------------
RUN_LIMIT=$(awk -v d="$RUN_SECS" -v w="$WARMUP" 'BEGIN{printf "%d", 3*(d+w)+20}')

# row SCENARIO LOAD SERVER OPS P50 P99 P999 [NOTE]: one attempt's result,
# with the CPU figures of the last measure, in ROW_LINE, ROW_NOTE, ROW_OPS.
# The server's efficiency is OPS per second of the server process's own
# CPU (user + system), "-" when OPS is not a number.
row() {
  local eff=-
  [[ ! $4 =~ ^[0-9]+$ || ${SRV_PROC_PM:-0} -le 0 ]] || eff=$(($4 * 1000 / SRV_PROC_PM))
  ROW_LINE=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$SRV_BUSY" "$LOAD_BUSY" "$OTHER_CPU" "$eff")
  ROW_NOTE=${8:-}
  ROW_OPS=$4
}

# best_of FN ARGS...: runs one attempt (FN sets ROW_*), again while other
# processes took more than NOISE_MAX% of the bench cores or it failed, up
# to RETRIES more times, and records the quietest attempt in ROUND_ROWS.
# Sets LAST_OPS.
best_of() {
  local try tries=0 rank best_rank=1000000 best_line= best_note= best_ops=0
  for ((try = 0; try <= RETRIES; try++)); do
    "$@"
    tries=$((try + 1))
    rank=$OTHER_CPU
    [[ $ROW_OPS =~ ^[0-9]+$ || $ROW_OPS == refused ]] || rank=$((rank + 100000))
    if ((rank < best_rank)); then
      best_rank=$rank best_line=$ROW_LINE best_note=$ROW_NOTE best_ops=$ROW_OPS
    fi
    ((rank > NOISE_MAX)) || break
    ((try == RETRIES)) || log "  others took $OTHER_CPU% of the bench cores (or it failed): measuring again"
  done
  ((tries == 1)) || best_note="${best_note:+$best_note, }quietest of $tries"
  printf '%s\t%s\n' "$best_line" "$best_note" >>"$ROUND_ROWS"
  LAST_OPS=$best_ops
  [[ $LAST_OPS =~ ^[0-9]+$ ]] || LAST_OPS=0
}

# anaxload_run SCENARIO SERVER ARGS...: one anaxload attempt. A server
# that answered every request of a load with an error refuses its command
# (an Anax without lists, say): the row says "refused" with the error, and
# later rows with the same -cmd skip that server at once. BEFORE_RUN, when
# set, names a function run with the server's name before the load,
# outside the measurement (the pop rows refill their lists there).
declare -A REFUSED
anaxload_run() {
  local sc=$1 srv=$2 ops p50 p99 p999 mx errs miss ccpu first note= cmd=
  shift 2
  local -a args=("$@")
  for ((a = 0; a < ${#args[@]} - 1; a++)); do [[ ${args[a]} != -cmd ]] || cmd=${args[a + 1]}; done
  if [[ -n ${REFUSED[$srv/$cmd]:-} ]]; then
    SRV_BUSY=- LOAD_BUSY=- OTHER_CPU=0 SRV_PROC_PM=0
    row "$sc" anaxload "$srv" refused - - - "${REFUSED[$srv/$cmd]}"
    return 0
  fi
  [[ -z ${BEFORE_RUN:-} ]] || "$BEFORE_RUN" "$srv" || log "$sc $srv: $BEFORE_RUN failed (see load.stderr)"
  if ! measure "$srv" timeout "$RUN_LIMIT" taskset -c "$LOAD_CPUS" "$ANAXLOAD" -tsv \
    -addr "127.0.0.1:${PORT[$srv]}" -proto "${PROTO[$srv]}" -c "$CONNS" \
    -duration "${RUN_SECS}s" -warmup "${WARMUP}s" "$@"; then
    row "$sc" anaxload "$srv" FAIL - - - "see load.stderr"
    log "$sc $srv anaxload: FAILED"
    return 0
  fi
  IFS=$'\t' read -r ops p50 p99 p999 mx errs miss ccpu first <<<"$OUT"
  if ((errs > 0)) && awk -v e="$errs" -v o="$ops" -v d="$RUN_SECS" 'BEGIN{exit !(e >= o * d)}'; then
    REFUSED[$srv/$cmd]="refused: ${first:0:60}"
    row "$sc" anaxload "$srv" refused - - - "${REFUSED[$srv/$cmd]}"
    log "$sc $srv anaxload: refused ($first)"
    return 0
  fi
  if ((errs > 0)); then
    # -cmd multi counts a transaction that went wrong as one error.
    if [[ " $* " == *" -cmd multi "* ]]; then note="$errs failed transactions"; else note="$errs error replies"; fi
  fi
  if awk -v m="$miss" 'BEGIN{exit !(m > 1)}'; then note="${note:+$note, }misses $miss%"; fi
  row "$sc" anaxload "$srv" "$ops" "$p50" "$p99" "$p999" "$note"
  log "$sc $srv anaxload: $ops ops/s p50 $p50 p99 $p99 ms (cores busy: server $SRV_BUSY%, load $LOAD_BUSY%; others $OTHER_CPU%)"
}

# rb_run SCENARIO SERVER EST_OPS ARGS...: one redis-benchmark attempt. It
# runs a request count, not a time; the count is RB_SHARE (0.6) x EST_OPS
# (anaxload's figure for the same row and round) x RUN_SECS: redis-benchmark
# usually reaches 0.5-1x anaxload's rate, so its run lasts about RUN_SECS.
rb_run() {
  local sc=$1 srv=$2 est=$3 n ops p50 p99
  shift 3
  n=$(awk -v o="$est" -v d="$RUN_SECS" -v f="$RB_SHARE" 'BEGIN{n=int(o*d*f); if (n < 10000) n = 10000; print n}')
  local threads=()
  ((LOAD_THREADS > 1)) && threads=(--threads "$LOAD_THREADS")
  if ! measure "$srv" timeout "$RUN_LIMIT" taskset -c "$LOAD_CPUS" redis-benchmark \
    -p "${PORT[$srv]}" -c "$CONNS" -n "$n" --csv "${threads[@]}" "$@"; then
    row "$sc" redis-benchmark "$srv" FAIL - - - "timed out or failed"
    log "$sc $srv redis-benchmark: FAILED"
    return 0
  fi
  # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  IFS=, read -r _ ops _ _ p50 _ p99 _ <<<"$(tail -1 <<<"$OUT" | tr -d '"')"
  ops=${ops%.*}
  row "$sc" redis-benchmark "$srv" "$ops" "$p50" "$p99" - ""
  log "$sc $srv redis-benchmark: $ops ops/s p50 $p50 p99 $p99 ms (cores busy: server $SRV_BUSY%, load $LOAD_BUSY%; others $OTHER_CPU%)"
}

# memtier_run SCENARIO SERVER ARGS...: one memtier_benchmark attempt, for
# a fixed time.
memtier_run() {
  local sc=$1 srv=$2 proto=redis ops p50 p99 p999
  shift 2
  [[ ${PROTO[$srv]} == memcache ]] && proto=memcache_text
  if ! measure "$srv" timeout "$RUN_LIMIT" taskset -c "$LOAD_CPUS" memtier_benchmark \
    -s 127.0.0.1 -p "${PORT[$srv]}" -P "$proto" -t "$LOAD_THREADS" -c $((CONNS / LOAD_THREADS)) \
    --test-time "$(awk -v d="$RUN_SECS" 'BEGIN{t = int(d + 0.5); print t < 1 ? 1 : t}')" --key-prefix key: --hide-histogram --print-percentiles 50,99,99.9 "$@"; then
    row "$sc" memtier "$srv" FAIL - - - "timed out or failed"
    return 0
  fi
  # Totals  ops/sec  hits/sec  misses/sec  avg-latency  p50  p99  p99.9  KB/sec
  read -r _ ops _ _ _ p50 p99 p999 _ <<<"$(grep '^Totals' <<<"$OUT" | tail -1)"
  row "$sc" memtier "$srv" "${ops%.*}" "$p50" "$p99" "$p999" ""
  log "$sc $srv memtier: ${ops%.*} ops/s"
}

# median_rows: ROUND_ROWS has one line per round for each (load, server);
# prints, for each in first-seen order, the round with the median ops/s
# (the lower middle one of an even count), noting the spread and any
# failed round. The efficiency column is the median of the rounds' own
# efficiencies, not the median round's: the VM's slow spells move ops/s
# by a third between rounds, and the round in the middle by ops/s need not
# be the one in the middle by work per CPU second, the figure the targets
# are about.
median_rows() {
  awk -F'\t' -v OFS='\t' '
    { k = $2 SUBSEP $3; if (!(k in n)) order[++m] = k
      c = ++n[k]; line[k, c] = $0; ops[k, c] = ($4 ~ /^[0-9]+$/) ? $4 + 0 : -1; refused[k] = ($4 == "refused")
      eff[k, c] = ($11 ~ /^[0-9]+$/) ? $11 + 0 : -1 }
    END {
      for (i = 1; i <= m; i++) {
        k = order[i]; c = n[k]; fails = 0; ne = 0
        for (a = 1; a <= c; a++) { idx[a] = a; if (ops[k, a] < 0) fails++; if (eff[k, a] >= 0) es[++ne] = eff[k, a] }
        for (a = 2; a <= c; a++) { v = idx[a]; b = a - 1
          while (b >= 1 && ops[k, idx[b]] > ops[k, v]) { idx[b + 1] = idx[b]; b-- }
          idx[b + 1] = v }
        for (a = 2; a <= ne; a++) { v = es[a]; b = a - 1
          while (b >= 1 && es[b] > v) { es[b + 1] = es[b]; b-- }
          es[b + 1] = v }
        split(line[k, idx[int((c + 1) / 2)]], f, "\t")
        if (ne > 0) f[11] = es[int((ne + 1) / 2)]
        note = f[12]
        if (c > 1 && fails < c)
          note = (note == "" ? "" : note ", ") sprintf("median of %d rounds (%.1fk-%.1fk)", c, ops[k, idx[fails + 1]] / 1000, ops[k, idx[c]] / 1000)
        if (ne > 1) note = note sprintf("; per CPU s %.1fk-%.1fk", es[1] / 1000, es[ne] / 1000)
        if (fails > 0 && !refused[k]) note = (note == "" ? "" : note ", ") fails " of " c " rounds failed"
        print f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], note
      }
    }' "$ROUND_ROWS"
}

# scenario NAME AL_ARGS RB_ARGS MT_ARGS: one scenario against every server,
# in ROUNDS rounds that alternate the servers; each (load, server) gets its
# median round, in ROWS (in ROWS_OUT when set: the sets' rows have a table
# of their own). An empty RB_ARGS or MT_ARGS skips that tool; "-" as
# AL_ARGS's first word keeps the memcached-protocol servers (memcached,
# anax-mc) out, for commands memcached's protocol does not have.
scenario() {
  local name=$1 al=$2 rb=$3 mt=$4 srv round resp_only=
  local -a alv rbv mtv
  read -ra alv <<<"$al"
  read -ra rbv <<<"$rb"
  read -ra mtv <<<"$mt"
  if [[ ${alv[0]:-} == - ]]; then
    resp_only=1
    alv=("${alv[@]:1}")
  fi
  : >"$ROUND_ROWS"
  for ((round = 1; round <= ROUNDS; round++)); do
    ((ROUNDS == 1)) || log "$name: round $round of $ROUNDS"
    for srv in "${SERVERS[@]}"; do
      [[ -z $resp_only || ${PROTO[$srv]} == resp ]] || continue
      best_of anaxload_run "$name" "$srv" "${alv[@]}"
      if [[ -n $rb && ${PROTO[$srv]} == resp ]]; then
        best_of rb_run "$name" "$srv" "$LAST_OPS" "${rbv[@]}"
      fi
      if [[ -n $mt && -n $HAVE_MEMTIER ]]; then
        best_of memtier_run "$name" "$srv" "${mtv[@]}"
      fi
    done
  done
  median_rows >>"${ROWS_OUT:-$ROWS}"
}

prefill_all() { # KEYS SIZE
  local srv
  for srv in "${SERVERS[@]}"; do
    [[ $srv != anax-mc ]] || continue # anax's database 0
    log "prefill $srv: $1 keys of $2 bytes"
    local try
    for try in 1 2; do
      if timeout 300 taskset -c "$LOAD_CPUS" "$ANAXLOAD" -addr "127.0.0.1:${PORT[$srv]}" -proto "${PROTO[$srv]}" \
        -cmd prefill -keys "$1" -d "$2" -c "$CONNS" -duration 280s >/dev/null; then
        break
      fi
      ((try == 1)) || { echo "bench: prefill of $srv failed twice" >&2; exit 1; }
      log "prefill $srv failed; trying again"
    done
  done
}

# ---- machine ---------------------------------------------------------------
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "placement: servers on CPU $SERVER_CPUS (Anax --threads $THREADS), load on CPU $LOAD_CPUS"
log "duration ${DURATION}s per row and server ($ROUNDS rounds of ${RUN_SECS}s, each after ${WARMUP}s warm-up), $CONNS connections, $KEYS keys; load average $LOAD_AT_START"

# ---- phase 1: throughput and latency ----------------------------------------
for s in "${SERVERS[@]}"; do start_server "$s"; done
if [[ -n $RUN_STRINGS ]]; then
prefill_all "$KEYS" 100

K=$KEYS
scenario "SET 100 B, P1" "-cmd set -P 1 -d 100 -keys $K" "-t set -P 1 -d 100 -r $K" "--ratio 1:0 --pipeline 1 -d 100 --key-maximum $K"
scenario "SET 100 B, P16" "-cmd set -P 16 -d 100 -keys $K" "-t set -P 16 -d 100 -r $K" "--ratio 1:0 --pipeline 16 -d 100 --key-maximum $K"
scenario "GET 100 B, P1" "-cmd get -P 1 -d 100 -keys $K" "-t get -P 1 -d 100 -r $K" "--ratio 0:1 --pipeline 1 -d 100 --key-maximum $K"
scenario "GET 100 B, P16" "-cmd get -P 16 -d 100 -keys $K" "-t get -P 16 -d 100 -r $K" "--ratio 0:1 --pipeline 16 -d 100 --key-maximum $K"
scenario "SET:GET 1:10, Zipf 0.99, P1" "-cmd mix -ratio 1:10 -dist zipf -theta 0.99 -P 1 -d 100 -keys $K" "" ""
MGET_RB="-r $K MGET"
for _ in $(seq 10); do MGET_RB+=" key:__rand_int__"; done
scenario "MGET 10 keys, P1" "-cmd mget -mget 10 -P 1 -keys $K" "$MGET_RB" ""
scenario "INCR one hot key, P1" "-cmd incr -P 1 -keys 1 -key-prefix counter: -pad 0" "-t incr -P 1" ""
# Multi-key writes and transactions, to set against "SET 100 B, P1" (one
# key). MSET's two keys are drawn apart, so with several Anax threads they
# usually belong to different shards. redis-benchmark's -t mset sets 10
# keys; the custom command below is the 2-key equivalent (each
# __rand_int__ is drawn on its own). It cannot send a transaction.
# INCRs go to "counter:N" keys, since the prefilled values are not numbers.
printf -v V100 '%*s' 100 ''
V100=${V100// /v}
MSET_RB="-r $K MSET key:__rand_int__ $V100 key:__rand_int__ $V100"
scenario "MSET 2 keys, P1" "- -cmd mset -mset 2 -P 1 -d 100 -keys $K" "$MSET_RB" ""
scenario "MULTI/EXEC 10 INCR, P1" "- -cmd multi -multi 10 -multi-cmd incr -P 1 -keys $K -key-prefix counter: -pad 0" "" ""
# Equal load: the rows above run each server as fast as it answers, so a
# faster server is driven harder (and the load core saturates sooner). The
# p99 target is judged here, with every server paced to the same rate
# (anaxload -rate), below what the slower one sustains on this placement.
PACED_P16=${PACED_P16:-400000}
PACED_P1=${PACED_P1:-50000}
scenario "SET 100 B, P16, paced ${PACED_P16}/s" "-cmd set -P 16 -d 100 -keys $K -rate $PACED_P16" "" ""
scenario "GET 100 B, P16, paced ${PACED_P16}/s" "-cmd get -P 16 -d 100 -keys $K -rate $PACED_P16" "" ""
scenario "GET 100 B, P1, paced ${PACED_P1}/s" "-cmd get -P 1 -d 100 -keys $K -rate $PACED_P1" "" ""
prefill_all "$LARGE_KEYS" 16384
scenario "SET 16 KB, P1" "-cmd set -P 1 -d 16384 -keys $LARGE_KEYS" "-t set -P 1 -d 16384 -r $LARGE_KEYS" "--ratio 1:0 --pipeline 1 -d 16384 --key-maximum $LARGE_KEYS"
scenario "GET 16 KB, P1" "-cmd get -P 1 -d 16384 -keys $LARGE_KEYS" "-t get -P 1 -d 16384 -r $LARGE_KEYS" "--ratio 0:1 --pipeline 1 -d 16384 --key-maximum $LARGE_KEYS"
fi # RUN_STRINGS

# ---- lists and hashes: speed -------------------------------------------------
# fill_types SERVER ARGS...: one anaxload fill (fill-list, fill-hash,
# fill-set, fill-zset) of SERVER; a server that refuses it is noted, not
# fatal.
fill_types() {
  local srv=$1
  shift
  timeout 300 taskset -c "$LOAD_CPUS" "$ANAXLOAD" -addr "127.0.0.1:${PORT[$srv]}" -c "$CONNS" -duration 280s "$@" \
    >/dev/null 2>>"$WORK/load.stderr"
}

# refill_pops SERVER: the pop rows' lists, deleted and refilled.
POP_ELEMS=$(awk -v r="$POP_RATE" -v d="$RUN_SECS" -v w="$WARMUP" -v k="$TYPE_KEYS" \
  'BEGIN{e = int(r * (d + w) * 1.2 / k) + 1; print e < 10 ? 10 : e}')
refill_pops() {
  fill_types "$1" -cmd fill-list -key-prefix list: -keys "$TYPE_KEYS" -elems "$POP_ELEMS" -chunk 100 -del
}

# rb_check SERVER [TESTS FILE]: redis-benchmark -t TESTS -q (by default
# lpush,rpush,lpop,rpop,hset,lrange, the tests issue #12 names), a small
# run; records whether it ran without an error, and its requests per
# second, in FILE (RBCHECK).
RBCHECK=$WORK/rbcheck.tsv
WAKEROWS=$WORK/wake.tsv
: >"$RBCHECK"
: >"$WAKEROWS"
rb_check() {
  local srv=$1 tests=${2:-lpush,rpush,lpop,rpop,hset,lrange} file=${3:-$RBCHECK} out rc=0 verdict
  out=$(timeout 120 taskset -c "$LOAD_CPUS" redis-benchmark -p "${PORT[$srv]}" -t "$tests" \
    -q -n "$RB_CHECK_N" 2>&1) || rc=$?
  out=$(tr '\r' '\n' <<<"$out" | grep -v '^ *$' | grep -v 'rps=' || true)
  verdict=ok
  if ((rc != 0)) || grep -qi 'error' <<<"$out"; then verdict="FAILED (exit $rc)"; fi
  # The first error, then the rates of the tests that ran before it
  # (redis-benchmark stops at an error reply).
  local err res
  err=$(grep -i 'error' <<<"$out" | head -1 | cut -c1-100) || true
  res=$(grep -v -i error <<<"$out" | sed 's/ requests per second.*//' | paste -sd';' | sed 's/;/; /g') || true
  printf '%s\t%s\t%s\n' "$srv" "$verdict" "$err${err:+${res:+; }}$res" >>"$file"
  log "redis-benchmark -t $tests on $srv: $verdict"
}

RESP_SERVERS=()
for s in "${SERVERS[@]}"; do [[ ${PROTO[$s]} != resp ]] || RESP_SERVERS+=("$s"); done
if [[ -n $RUN_LH ]]; then
  for s in "${RESP_SERVERS[@]}"; do
    log "types: $s: $TYPE_KEYS hashes of 10 fields, $LRANGE_KEYS lists of 100 elements"
    fill_types "$s" -cmd fill-hash -key-prefix hash: -keys "$TYPE_KEYS" -elems 10 -chunk 10 -del ||
      log "types: $s refused the hash fill (see load.stderr)"
    fill_types "$s" -cmd fill-list -key-prefix lrange: -keys "$LRANGE_KEYS" -elems 100 -chunk 100 -del ||
      log "types: $s refused the list fill (see load.stderr)"
  done
  TK=$TYPE_KEYS
  for p in 1 16; do
    for c in lpush rpush; do
      scenario "${c^^} 10 B, P$p" "- -cmd $c -P $p -d 10 -key-prefix list: -keys $TK" "" ""
    done
    BEFORE_RUN=refill_pops
    for c in lpop rpop; do
      scenario "${c^^}, P$p" "- -cmd $c -P $p -key-prefix list: -keys $TK" "" ""
    done
    BEFORE_RUN=
    scenario "HSET 10 B (10-field hashes), P$p" "- -cmd hset -P $p -d 10 -fields 10 -key-prefix hash: -keys $TK" "" ""
    scenario "HGET (10-field hashes), P$p" "- -cmd hget -P $p -fields 10 -key-prefix hash: -keys $TK" "" ""
    scenario "HGETALL (10-field hashes), P$p" "- -cmd hgetall -P $p -key-prefix hash: -keys $TK" "" ""
    scenario "LRANGE_100, P$p" "- -cmd lrange -lrange 100 -P $p -key-prefix lrange: -keys $LRANGE_KEYS" "" ""
  done
  for s in "${RESP_SERVERS[@]}"; do rb_check "$s"; done
  # BLPOP wake-up: 50 clients blocked on keys spread over Anax's shards,
  # woken one at a time by RPUSH from another connection (blockwake).
  for s in "${RESP_SERVERS[@]}"; do
    out=$(timeout 300 taskset -c "$LOAD_CPUS" "$BLOCKWAKE" -addr "127.0.0.1:${PORT[$s]}" -clients "$CONNS" \
      -wakes "$WAKES" -shards "$THREADS" -tsv 2>&1) || out=$'-\t-\t-\t0\t1\tfailed: '"${out//$'\t'/ }"
    IFS=$'\t' read -r wp50 wp99 wmax wn werrs wfirst <<<"$out"
    note=
    ((werrs == 0)) || note="refused: ${wfirst:0:60}"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$wn" "$wp50" "$wp99" "$wmax" "$note" >>"$WAKEROWS"
    log "BLPOP wake-up on $s: p50 $wp50 p99 $wp99 max $wmax ms over $wn wakes${note:+ ($note)}"
  done
fi

# ---- sets and sorted sets: speed ---------------------------------------------
# One set ("bigset:0") and one zset ("bigzset:0") of SET_MEMBERS members
# (anaxload's: "m" and 15 digits; a zset member's score is a fixed mix of
# its index), every load on that one key (-keys 1), members drawn from the
# same SET_MEMBERS: SADD and ZADD re-add members that are there (ZADD at the
# score the member has), so neither grows; ZINCRBY moves members. The pop
# rows pop from "popset:0" and "popzset:0", SPOP_POP members each, which
# refill_set_pops tops up again before each run (SADD or ZADD of every
# member: only the popped ones are new), so every run starts from the same
# size and none can empty them. With one key, Anax runs these rows on one
# shard whatever --threads is; the target is per server CPU second.
SROWS=$WORK/set-rows.tsv
SRBCHECK=$WORK/set-rbcheck.tsv
: >"$SROWS"
: >"$SRBCHECK"
SPOP_POP=$(awk -v r="$SPOP_RATE" -v d="$RUN_SECS" -v w="$WARMUP" -v m="$SET_MEMBERS" \
  'BEGIN{e = int(r * (d + w) * 1.2) + 1; print e < m ? m : e}')

# human N: 1000000 -> 1M, 100000 -> 100K, 5200001 -> 5.2M (3 digits).
human() {
  awk -v n="$1" 'BEGIN { if (n >= 1e6) printf "%.3gM", n / 1e6; else if (n >= 1e3) printf "%.3gK", n / 1e3; else print n }'
}

# refill_set_pops SERVER: BEFORE_RUN of the pop rows; cmd is the calling
# anaxload_run's (a local it sees). A top-up that failed (or took longer
# than fill_types allows) is not tried again for that server and command:
# a server that fills slowly would otherwise cost the limit on every run;
# its later runs pop what is left, and their misses show in the row's note.
declare -A REFILL_FAILED
refill_set_pops() {
  local rc=0
  [[ -z ${REFILL_FAILED[$1/$cmd]:-} ]] || return 0
  case $cmd in
  spop) fill_types "$1" -cmd fill-set -key-prefix popset: -pad 0 -keys 1 -elems "$SPOP_POP" -chunk 1000 -c 1 || rc=$? ;;
  zpopmin) fill_types "$1" -cmd fill-zset -key-prefix popzset: -pad 0 -keys 1 -elems "$SPOP_POP" -chunk 1000 -c 1 || rc=$? ;;
  esac
  ((rc == 0)) || REFILL_FAILED[$1/$cmd]=1
  return $rc
}

if [[ -n $RUN_SETS ]]; then
  SM=$SET_MEMBERS
  for s in "${RESP_SERVERS[@]}"; do
    log "sets: $s: 1 set and 1 zset of $SM members"
    fill_types "$s" -cmd fill-set -key-prefix bigset: -pad 0 -keys 1 -elems "$SM" -chunk 1000 -c 1 -del ||
      log "sets: $s refused the set fill (see load.stderr)"
    fill_types "$s" -cmd fill-zset -key-prefix bigzset: -pad 0 -keys 1 -elems "$SM" -chunk 1000 -c 1 -del ||
      log "sets: $s refused the zset fill (see load.stderr)"
  done
  H=$(human "$SM")
  ROWS_OUT=$SROWS
  for p in 1 16; do
    one="-keys 1 -pad 0 -members $SM -P $p"
    scenario "SADD (${H}-member set), P$p" "- -cmd sadd -key-prefix bigset: $one" "" ""
    scenario "SISMEMBER (${H}-member set), P$p" "- -cmd sismember -key-prefix bigset: $one" "" ""
    BEFORE_RUN=refill_set_pops
    scenario "SPOP ($(human "$SPOP_POP")-member set), P$p" "- -cmd spop -key-prefix popset: $one" "" ""
    BEFORE_RUN=
    scenario "ZADD (${H}-member zset), P$p" "- -cmd zadd -key-prefix bigzset: $one" "" ""
    scenario "ZINCRBY (${H}-member zset), P$p" "- -cmd zincrby -key-prefix bigzset: $one" "" ""
    scenario "ZSCORE (${H}-member zset), P$p" "- -cmd zscore -key-prefix bigzset: $one" "" ""
    scenario "ZRANK (${H}-member zset), P$p" "- -cmd zrank -key-prefix bigzset: $one" "" ""
    scenario "ZRANGE 0 9 (${H}-member zset), P$p" "- -cmd zrange -zrange 10 -key-prefix bigzset: $one" "" ""
    BEFORE_RUN=refill_set_pops
    scenario "ZPOPMIN ($(human "$SPOP_POP")-member zset), P$p" "- -cmd zpopmin -key-prefix popzset: $one" "" ""
    BEFORE_RUN=
  done
  ROWS_OUT=
  for s in "${RESP_SERVERS[@]}"; do rb_check "$s" sadd,spop,zadd,zpopmin "$SRBCHECK"; done
fi

# ---- bitmaps and HyperLogLog: speed -----------------------------------------
# Two 1 MB strings ("{bm}0", "{bm}1": one hash tag, so Anax keeps them and
# BITOP's destination "{bm}dst" on one shard): SETBIT and GETBIT of a bit
# drawn from the 8M bits of "{bm}0", BITCOUNT of it, BITOP AND of the two.
# PFADD of 10 elements ("e" and a number below 10M) to "hll:0", which a
# short PFADD load over "hll:0".."hll:2" made dense first; PFCOUNT of
# "hll:0" alone (its cached estimate) and of the three (merged, not stored;
# with several Anax threads they are usually on different shards).
BROWS=$WORK/bit-rows.tsv
: >"$BROWS"
if [[ -n $RUN_BITS ]]; then
  for s in "${RESP_SERVERS[@]}"; do
    log "bitmaps: $s: 2 bitmaps of 1 MB, 3 HyperLogLogs"
    fill_types "$s" -cmd prefill -keys 2 -d 1048576 -key-prefix "{bm}" -pad 0 -c 2 ||
      log "bitmaps: $s refused the bitmap fill (see load.stderr)"
    fill_types "$s" -cmd pfadd -keys 3 -key-prefix hll: -pad 0 -members 10000000 -P 16 -duration 2s -warmup 0s ||
      log "bitmaps: $s refused the HyperLogLog fill (see load.stderr)"
  done
  ROWS_OUT=$BROWS
  for p in 1 16; do
    bm="-keys 1 -key-prefix {bm} -pad 0 -P $p"
    hl="-key-prefix hll: -pad 0 -P $p"
    scenario "SETBIT (1 MB bitmap), P$p" "- -cmd setbit $bm" "" ""
    scenario "GETBIT (1 MB bitmap), P$p" "- -cmd getbit $bm" "" ""
    scenario "BITCOUNT (1 MB bitmap), P$p" "- -cmd bitcount $bm" "" ""
    scenario "BITOP AND (two 1 MB bitmaps), P$p" "- -cmd bitop $bm" "" ""
    scenario "PFADD 10 elements, P$p" "- -cmd pfadd -keys 1 -members 10000000 $hl" "" ""
    scenario "PFCOUNT (1 key), P$p" "- -cmd pfcount -keys 1 $hl" "" ""
    scenario "PFCOUNT (3 keys), P$p" "- -cmd pfcount -keys 1 -pf-keys 3 $hl" "" ""
  done
  ROWS_OUT=
fi

# ---- Pub/Sub: speed and publish-to-receive latency ---------------------------
# CONNS publishers send PUBLISH of 100 bytes to one channel ("chan:0"); N
# more connections (anaxload -subscribers, RESP2) subscribe to it before the
# run and read every message through it, on the load cores too. PUBLISH
# answers N while every subscriber still gets the messages; fewer (one cut
# for its output buffer) is a miss. Messages delivered = PUBLISHes x N, so
# "ops per server CPU s" x N is the messages delivered per server CPU
# second, and the Anax/peer ratio is the same for both. The paced rows
# report the subscribers' latency, from the publisher's write (a stamp in
# the payload) to the subscriber's read.
PROWS=$WORK/pubsub-rows.tsv
: >"$PROWS"
if [[ -n $RUN_PUBSUB ]]; then
  ROWS_OUT=$PROWS
  pub="-cmd publish -key-prefix chan: -pad 0 -keys 1 -d 100"
  for n in $PUBSUB_SUBS; do
    for p in 1 16; do
      scenario "PUBLISH 100 B, $n subscriber(s), P$p" "- $pub -subscribers $n -P $p" "" ""
    done
  done
  for n in $PUBSUB_SUBS; do
    rate=$((PACED_DELIVERIES / n))
    ((rate > 0)) || rate=1
    scenario "PUBLISH to receive, $n subscriber(s), paced ${rate}/s" "- $pub -subscribers $n -P 1 -pub-latency -rate $rate" "" ""
  done
  ROWS_OUT=
fi

# ---- scripts: speed ------------------------------------------------------------
# Before the streams, which restart Anax with other threads. anaxload sends
# SCRIPT LOAD once per run, then EVALSHA. The rate limiter: INCR and EXPIRE
# (60 s) of "rl:N", SCRIPT_KEYS keys. The BullMQ-style job: the 6 keys
# "{q:N}:id", ":wait", ":active", ":job", ":prio", ":events" of queue N, one
# hash tag (one Anax shard), 9 commands (bench/cmd/anaxload/scripts.go); the
# queues keep their size (100 active jobs, 100 in the zset, an events stream
# trimmed to ~100), which the fill run reaches before the rows.
SCROWS=$WORK/script-rows.tsv
: >"$SCROWS"
if [[ -n $RUN_SCRIPTS ]]; then
  for s in "${RESP_SERVERS[@]}"; do
    log "scripts: $s: $SCRIPT_QUEUES queues, a ${SCRIPT_FILL}s run to their steady size"
    fill_types "$s" -cmd evalsha-bullmq -key-prefix q: -pad 0 -keys "$SCRIPT_QUEUES" -d 100 -P 16 \
      -duration "${SCRIPT_FILL}s" -warmup 0s || log "scripts: $s refused the queue fill (see load.stderr)"
  done
  ROWS_OUT=$SCROWS
  for p in 1 16; do
    scenario "EVALSHA INCR + EXPIRE (1 key), P$p" "- -cmd evalsha-incr -P $p -key-prefix rl: -pad 0 -keys $SCRIPT_KEYS" "" ""
    scenario "EVALSHA BullMQ-style job (6 keys, 9 commands), P$p" "- -cmd evalsha-bullmq -P $p -d 100 -key-prefix q: -pad 0 -keys $SCRIPT_QUEUES" "" ""
  done
  ROWS_OUT=
fi

# ---- streams: speed and XREAD BLOCK wake-up ------------------------------------
# XADD appends to "xadd:N" (STREAM_KEYS keys, uniform; the streams grow over
# the run); XRANGE reads "xrange:N", STREAM_KEYS streams of 100 entries
# (anaxload fill-stream: ids 1-0..100-0, fields f0 and f1 with 10-byte
# values). XREADGROUP: connection i reads "xrg:i" alone, XRG_LEN entries and
# a group "g", COUNT 10, and acknowledges the 10 ids in the same pipeline
# (anaxload knows them: explicit ids, one reader per stream); at the end of
# the stream it sends XGROUP SETID back to 0 with its next read (one
# operation in XRG_LEN / 10). Then XREAD BLOCK wake-ups (blockwake -cmd
# xread): Anax restarted with XWAKE_THREADS (at least 2) shards so that the
# blocked streams spread over the shards.
XROWS=$WORK/stream-rows.tsv
XWAKEROWS=$WORK/stream-wake.tsv
: >"$XROWS"
: >"$XWAKEROWS"
XWAKE_THREADS=${XWAKE_THREADS:-$((THREADS < 2 ? 2 : THREADS))}
if [[ -n $RUN_STREAMS ]]; then
  for s in "${RESP_SERVERS[@]}"; do
    log "streams: $s: $STREAM_KEYS streams of 100 entries, $CONNS of $XRG_LEN entries with a group"
    fill_types "$s" -cmd fill-stream -key-prefix xrange: -keys "$STREAM_KEYS" -elems 100 -del ||
      log "streams: $s refused the stream fill (see load.stderr)"
    fill_types "$s" -cmd fill-stream -key-prefix xrg: -pad 0 -keys "$CONNS" -elems "$XRG_LEN" -group g -del ||
      log "streams: $s refused the group fill (see load.stderr)"
  done
  ROWS_OUT=$XROWS
  for p in 1 16; do
    scenario "XADD 2 fields of 10 B, P$p" "- -cmd xadd -P $p -d 10 -key-prefix xadd: -keys $STREAM_KEYS" "" ""
    scenario "XRANGE - + COUNT 10 (100-entry streams), P$p" "- -cmd xrange -xcount 10 -P $p -key-prefix xrange: -keys $STREAM_KEYS" "" ""
    scenario "XREADGROUP > COUNT 10 + XACK, P$p" "- -cmd xreadgroup -xcount 10 -P $p -key-prefix xrg: -pad 0 -keys $CONNS -elems $XRG_LEN" "" ""
  done
  ROWS_OUT=
  for s in "${RESP_SERVERS[@]}"; do
    [[ $s != anax-base ]] || continue
    shards=1
    if [[ $s == anax ]]; then
      stop_server anax
      ANAX_THREADS=$XWAKE_THREADS start_server anax
      shards=$XWAKE_THREADS
    fi
    out=$(timeout 300 taskset -c "$LOAD_CPUS" "$BLOCKWAKE" -cmd xread -addr "127.0.0.1:${PORT[$s]}" -clients "$CONNS" \
      -wakes "$XWAKES" -shards "$shards" -tsv 2>&1) || out=$'-\t-\t-\t0\t1\tfailed: '"${out//$'\t'/ }"
    IFS=$'\t' read -r wp50 wp99 wmax wn werrs wfirst <<<"$out"
    note=
    ((werrs == 0)) || note="refused: ${wfirst:0:60}"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$shards" "$wn" "$wp50" "$wp99" "$wmax" "$note" >>"$XWAKEROWS"
    log "XREAD BLOCK wake-up on $s ($shards shard(s)): p50 $wp50 p99 $wp99 max $wmax ms over $wn wakes${note:+ ($note)}"
  done
fi

for s in "${SERVERS[@]}"; do stop_server "$s"; done

# ---- phase 2: memory per key -------------------------------------------------
rss_bytes() { awk '/^VmRSS:/ {print $2 * 1024}' "/proc/$1/status"; }

used_memory() { # NAME: INFO used_memory, or memcached's "stats" bytes
  local name=$1
  if [[ ${PROTO[$name]} == memcache ]]; then
    exec 3<>"/dev/tcp/127.0.0.1/${PORT[$name]}"
    printf 'stats\r\nquit\r\n' >&3
    timeout 2 cat <&3 | awk '$2 == "bytes" {print $3+0}'
    exec 3>&-
  else
    redis-cli -p "${PORT[$name]}" info memory | tr -d '\r' | awk -F: '$1 == "used_memory" {print $2}'
  fi
}

# populate NAME COUNT: DEBUG POPULATE COUNT key MEM_SIZE (keys "key:N",
# values of MEM_SIZE bytes, default 100); memcached, or a server without
# DEBUG POPULATE, gets the same keys through pipelined SETs from anaxload.
# Sets POP_HOW.
populate() {
  local name=$1 n=$2 r
  if [[ ${PROTO[$name]} == resp ]]; then
    r=$(timeout 600 redis-cli -p "${PORT[$name]}" debug populate "$n" key "${MEM_SIZE:-100}" 2>&1 || true)
    if [[ $r == OK ]]; then
      POP_HOW="DEBUG POPULATE"
      return
    fi
    log "$name: DEBUG POPULATE answered '$r'; falling back to SETs"
  fi
  POP_HOW="pipelined SET"
  timeout 600 taskset -c "$LOAD_CPUS" "$ANAXLOAD" -addr "127.0.0.1:${PORT[$name]}" -proto "${PROTO[$name]}" \
    -cmd prefill -keys "$n" -d "${MEM_SIZE:-100}" -pad 0 -c "$CONNS" -duration 590s >/dev/null
}

# memory_run NAME COUNT [ENV=VALUE ...]: fresh server, COUNT keys, RSS and used_memory.
memory_run() {
  local name=$1 n=$2 rss0 rss1 um0 um1 t0 t1
  shift 2
  start_server "$name" "$@"
  sleep 0.5
  rss0=$(rss_bytes "${PID[$name]}")
  um0=$(used_memory "$name")
  t0=$(now_ns)
  populate "$name" "$n"
  t1=$(now_ns)
  sleep 1
  rss1=$(rss_bytes "${PID[$name]}")
  um1=$(used_memory "$name")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$n" "$rss0" "$rss1" "$um0" "$um1" \
    "$(((t1 - t0) / 1000000))" "$POP_HOW" "${MEM_SIZE:-100}" >>"$MEMROWS"
  log "memory $name $n keys of ${MEM_SIZE:-100} B: RSS $((rss1 / 1048576)) MiB, used_memory $((um1 / 1048576)) MiB ($POP_HOW)"
}

for s in "${SERVERS[@]}"; do
  [[ $s != anax-mc && -n $RUN_MEM ]] || continue
  memory_run "$s" "$MEM_KEYS"
  stop_server "$s"
done
if [[ $MEM_SMALL_KEYS != 0 && -n $RUN_MEM ]]; then
  MEM_SIZE=$MEM_SMALL_SIZE
  for s in "${SERVERS[@]}"; do
    [[ $s == anax || $s == redis ]] || continue
    memory_run "$s" "$MEM_SMALL_KEYS"
    stop_server "$s"
  done
  MEM_SIZE=
fi

# big_window LABEL WHOLE KEY_ARGS...: runs WINDOW_SECS (BIG_DURATION)
# seconds of pipelined SETs (P16, uniform over BIG_KEYS keys of KEY_ARGS;
# KEY_ARGS may name another -cmd and -keys) against the Anax started at
# anax_t0 with gctrace on, and appends to GCROWS the GC cycles that began
# in the window; WHOLE=1 also appends the whole run's. gctrace lines
# before ANAX_ERR_SKIP are an earlier process's.
big_window() {
  local label=$1 whole=$2 w0 w1 ws we out secs=${WINDOW_SECS:-$BIG_DURATION}
  shift 2
  log "GC window: $label, ${secs}s (gctrace on)"
  w0=$(now_ns)
  out=$(timeout $((secs + 60)) taskset -c "$LOAD_CPUS" "$ANAXLOAD" -addr "127.0.0.1:${PORT[anax]}" \
    -cmd set -P 16 -d 100 -keys "$BIG_KEYS" "$@" -c "$CONNS" -duration "${secs}s" -warmup 0s -tsv) || true
  w1=$(now_ns)
  ws=$(awk -v a="$w0" -v b="$anax_t0" 'BEGIN{printf "%.3f", (a-b)/1e9}')
  we=$(awk -v a="$w1" -v b="$anax_t0" 'BEGIN{printf "%.3f", (a-b)/1e9}')
  # gc N @T s P%: a+b+c ms clock, a+b/c/d+e ms cpu, H->H->L MB, G MB goal, ..., N P [(forced)]
  # STW pauses are clock a and c; CPU is STW a and e, assist b, background
  # mark c, idle mark d.
  awk -v ws="$ws" -v we="$we" -v ops="${out%%$'\t'*}" -v label="$label" -v whole="$whole" -v skip="${ANAX_ERR_SKIP:-0}" '
    NR > skip && $1 == "gc" {
      t = substr($3, 2) + 0
      split($5, c, "+"); p = c[1] + 0; if (c[3] + 0 > p) p = c[3] + 0
      split($8, u, "[+/]"); busy = u[1] + u[2] + u[3] + u[5]
      for (k = 2; k <= NF; k++) if ($k == "P") procs = $(k - 1)
      split($11, h, "->"); heap = h[1] + 0
      all++; allcpu += busy; if (p > allp) allp = p; if (heap > allheap) allheap = heap
      if (t < ws || t > we) next
      n++; cpu += busy; idle += u[4]; if (p > maxp) maxp = p; if (heap > maxheap) maxheap = heap
      cum = $4; sub(/:$/, "", cum)
    }
    END {
      w = we - ws
      if (n > 0)
        printf "%s for %.1f s at %s ops/s: %d GC cycles (heap up to %d MB at a cycle start); GC CPU %.2f%% of %d P (STW + assist + background mark; idle-time mark adds %.2f%%); longest STW pause %.3f ms; gctrace cumulative GC share %s\n",
          label, w, ops, n, maxheap, 100 * cpu / (w * 1000 * procs), procs, 100 * idle / (w * 1000 * procs), maxp, cum
      else
        printf "%s for %.1f s at %s ops/s: no GC cycle in the window\n", label, w, ops
      if (whole == 1)
        printf "whole run (start, DEBUG POPULATE, loads): %d GC cycles, largest heap at a cycle start %d MB, longest STW pause %.3f ms, GC CPU %.1f ms in all\n",
          all, allheap, allp, allcpu
    }' "$WORK/anax.stderr" >>"$GCROWS"
}
# ---- phase 2b: lists and hashes, memory and GC ---------------------------------
# Fresh server for each shape, loaded with pipelined HSET/RPUSH commands by
# anaxload (fill-hash, fill-list): keys "h:0000001" (9 bytes), 6-byte
# fields "field0".."field9" (13-byte "field:0000001" in the one big hash),
# 10-byte values and elements "v000000001" -- the shapes of the Redis
# baselines in docs (design notes, datatypes section 1). Anax runs with
# GODEBUG=gctrace=1; after loading, its GC figures come from INFO, MEMORY
# STATS and /metrics, and two shapes take a write load of TGC_DURATION
# seconds (HSET over the hashes, LPUSH onto the small lists) whose GC
# cycles are read from gctrace.
TMEMROWS=$WORK/tmem.tsv
TGCROWS=$WORK/tgc.txt
: >"$TMEMROWS"
: >"$TGCROWS"

# anax_gc_figures: Anax's GC figures now, one line: INFO gc_cycles, the
# live heap object count (INFO gc_heap_objects), heap object bytes (INFO
# allocator_allocated), the longest GC pause as the /metrics histogram's
# bound (anax_go_gc_pause_seconds) and gctrace's exact longest pause since
# ANAX_ERR_SKIP.
anax_gc_figures() {
  local port=${PORT[anax]} cycles objects heap bound trace
  cycles=$(redis-cli -p "$port" info anax | tr -d '\r' | awk -F: '$1 == "gc_cycles" {print $2}')
  objects=$(redis-cli -p "$port" info anax | tr -d '\r' | awk -F: '$1 == "gc_heap_objects" {print $2}')
  heap=$(redis-cli -p "$port" info memory | tr -d '\r' | awk -F: '$1 == "allocator_allocated" {print $2}')
  bound=$( (exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n' >&3 && timeout 5 cat <&3) 2>/dev/null |
    awk '/^anax_go_gc_pause_seconds_count/ {n = $2} /^anax_go_gc_pause_seconds_bucket/ {
      b = $1; sub(/.*le="/, "", b); sub(/".*/, "", b); c[++k] = b; v[k] = $2 }
      END { if (n == 0) { print "no pause"; exit } for (i = 1; i <= k; i++) if (v[i] >= n) { printf "<= %g ms", c[i] * 1000; exit } }')
  trace=$(awk -v skip="$ANAX_ERR_SKIP" 'NR > skip && $1 == "gc" { split($5, c, "+"); p = c[1] + 0; if (c[3] + 0 > p) p = c[3] + 0
    if (p > m) m = p; n++ } END { printf "%d cycles in gctrace, longest STW pause %.3f ms", n, m }' "$WORK/anax.stderr")
  echo "gc_cycles ${cycles:-?}; ${objects:-?} heap objects, ${heap:-?} bytes (INFO gc_heap_objects, allocator_allocated); longest pause ${bound:-?} (/metrics), $trace"
}

# tmem_run NAME LABEL KEYS ELEMS FILL_ARGS...: fresh server NAME, the
# shape loaded, RSS and used_memory growth into TMEMROWS (TMEM_OUT when
# set: the sets' shapes have a table of their own).
tmem_run() {
  local name=$1 label=$2 keys=$3 elems=$4 rss0 rss1 um0 um1 t0 t1 note= err
  shift 4
  if [[ $name == anax ]]; then
    ANAX_ERR_SKIP=$(wc -l <"$WORK/anax.stderr" 2>/dev/null || echo 0)
    anax_t0=$(now_ns)
    start_server anax GODEBUG=gctrace=1
  else
    start_server "$name"
  fi
  sleep 0.5
  rss0=$(rss_bytes "${PID[$name]}")
  um0=$(used_memory "$name")
  t0=$(now_ns)
  if ! err=$(timeout 900 taskset -c "$LOAD_CPUS" "$ANAXLOAD" -addr "127.0.0.1:${PORT[$name]}" -c "$CONNS" \
    -duration 880s -keys "$keys" -elems "$elems" -chunk 1000 "$@" 2>&1 >/dev/null); then
    note="refused: $(sed -n 's/.*first: //p' <<<"$err" | head -1 | cut -c1-60)"
    [[ $note != "refused: " ]] || note="load failed: ${err:0:60}"
  fi
  t1=$(now_ns)
  sleep 1
  rss1=$(rss_bytes "${PID[$name]}")
  um1=$(used_memory "$name")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$name" "$keys" "$elems" "$rss0" "$rss1" "$um0" "$um1" \
    "$(((t1 - t0) / 1000000))" "$note" >>"${TMEM_OUT:-$TMEMROWS}"
  log "memory $label on $name: RSS $((rss1 / 1048576)) MiB, used_memory $((um1 / 1048576)) MiB${note:+ ($note)}"
  TMEM_OK=$([[ -z $note ]] && echo 1 || true)
  TMEM_GC_NOTE=$([[ -z $note ]] || echo " (the load was refused: an empty server's figures)")
}

# tgc_window LABEL ARGS...: TGC_DURATION seconds of the load ARGS (P16)
# against the Anax just loaded, then its GC figures into TGCROWS (TGC_OUT
# when set).
tgc_window() {
  local label=$1
  shift
  GCROWS=${TGC_OUT:-$TGCROWS} WINDOW_SECS=$TGC_DURATION big_window "$label" 0 "$@"
}

if [[ -n $RUN_LH ]]; then
  for s in "${SERVERS[@]}"; do
    [[ ${PROTO[$s]} == resp && $s != anax-base ]] || continue
    # label, keys, elements per key, anaxload fill arguments, Anax's GC load
    tmem_run "$s" "hashes x 10 fields" "$TMEM_KEYS" 10 -cmd fill-hash -key-prefix h: -pad 7 -field-prefix field -field-pad 1
    if [[ $s == anax ]]; then
      echo "after loading $TMEM_KEYS hashes x 10 fields$TMEM_GC_NOTE: $(anax_gc_figures)" >>"$TGCROWS"
      [[ -z $TMEM_OK ]] || tgc_window "HSET load over the hashes" -cmd hset -fields 10 -d 10 -key-prefix h: -pad 7 -keys "$TMEM_KEYS"
    fi
    stop_server "$s"
    tmem_run "$s" "1 hash x fields" 1 "$TMEM_KEYS" -cmd fill-hash -key-prefix bighash -pad 0 -field-prefix field: -field-pad 7 -c 1
    [[ $s != anax ]] || echo "after loading 1 hash x $TMEM_KEYS fields$TMEM_GC_NOTE: $(anax_gc_figures)" >>"$TGCROWS"
    stop_server "$s"
    tmem_run "$s" "1 list x elements" 1 "$TMEM_LIST" -cmd fill-list -key-prefix biglist -pad 0 -c 1
    [[ $s != anax ]] || echo "after loading 1 list x $TMEM_LIST elements$TMEM_GC_NOTE: $(anax_gc_figures)" >>"$TGCROWS"
    stop_server "$s"
    tmem_run "$s" "lists x 10 elements" "$TMEM_KEYS" 10 -cmd fill-list -key-prefix l: -pad 7
    if [[ $s == anax ]]; then
      echo "after loading $TMEM_KEYS lists x 10 elements$TMEM_GC_NOTE: $(anax_gc_figures)" >>"$TGCROWS"
      [[ -z $TMEM_OK ]] || tgc_window "LPUSH load onto the lists" -cmd lpush -d 10 -key-prefix l: -pad 7 -keys "$TMEM_KEYS"
    fi
    stop_server "$s"
  done
fi

# ---- phase 2c: sets and sorted sets, memory, GC, SUNIONSTORE -------------------
# The four shapes of issue #13, each on a fresh server, loaded by anaxload
# (fill-set, fill-zset; up to 1,000 members per command): one set and one
# zset of SMEM_KEYS 16-byte members ("bigset0", "bigzset0"), SMEM_KEYS sets
# of the integers 0-9 ("s:0000001": intsets in Redis), SMEM_KEYS / 10 zsets
# of 10 members ("z:0000001": listpacks in Redis). After each, Anax's GC
# figures; three shapes then take a TGC_DURATION-second P16 write load:
# SADD over the int sets and ZADD over the small zsets, members drawn from
# 0-19 (half the adds insert, so the collections grow, as LPUSH's lists
# do), and ZINCRBY over the big zset (every command moves a member).
SMEMROWS=$WORK/smem.tsv
SGCROWS=$WORK/sgc.txt
SUNIONROWS=$WORK/sunion.tsv
: >"$SMEMROWS"
: >"$SGCROWS"
: >"$SUNIONROWS"
if [[ -n $RUN_SETS ]]; then
  ZMEM_KEYS=$((SMEM_KEYS / 10))
  TMEM_OUT=$SMEMROWS TGC_OUT=$SGCROWS
  for s in "${SERVERS[@]}"; do
    [[ ${PROTO[$s]} == resp && $s != anax-base ]] || continue
    tmem_run "$s" "1 set x 16-byte members" 1 "$SMEM_KEYS" -cmd fill-set -key-prefix bigset -pad 0 -c 1
    [[ $s != anax ]] || echo "after loading 1 set x $SMEM_KEYS members$TMEM_GC_NOTE: $(anax_gc_figures)" >>"$SGCROWS"
    stop_server "$s"
    tmem_run "$s" "1 zset x 16-byte members" 1 "$SMEM_KEYS" -cmd fill-zset -key-prefix bigzset -pad 0 -c 1
    if [[ $s == anax ]]; then
      echo "after loading 1 zset x $SMEM_KEYS members$TMEM_GC_NOTE: $(anax_gc_figures)" >>"$SGCROWS"
      [[ -z $TMEM_OK ]] || tgc_window "ZINCRBY load over the big zset" -cmd zincrby -key-prefix bigzset -pad 0 -keys 1 -members "$SMEM_KEYS"
    fi
    stop_server "$s"
    tmem_run "$s" "sets x 10 integers" "$SMEM_KEYS" 10 -cmd fill-set -int-members -key-prefix s: -pad 7
    if [[ $s == anax ]]; then
      echo "after loading $SMEM_KEYS sets x 10 integers$TMEM_GC_NOTE: $(anax_gc_figures)" >>"$SGCROWS"
      [[ -z $TMEM_OK ]] || tgc_window "SADD load over the int sets" -cmd sadd -int-members -members 20 -key-prefix s: -pad 7 -keys "$SMEM_KEYS"
    fi
    stop_server "$s"
    tmem_run "$s" "zsets x 10 members" "$ZMEM_KEYS" 10 -cmd fill-zset -key-prefix z: -pad 7
    if [[ $s == anax ]]; then
      echo "after loading $ZMEM_KEYS zsets x 10 members$TMEM_GC_NOTE: $(anax_gc_figures)" >>"$SGCROWS"
      [[ -z $TMEM_OK ]] || tgc_window "ZADD load over the small zsets" -cmd zadd -members 20 -key-prefix z: -pad 7 -keys "$ZMEM_KEYS"
    fi
    stop_server "$s"
  done
  TMEM_OUT= TGC_OUT=

  # SUNIONSTORE of two SUNION_MEMBERS-member sets (half their members
  # shared) as one command, timed by bigcmd with the server's peak RSS, on
  # a fresh server each. Anax runs --threads 2 (at least) so that the two
  # sources are on different shards (bigcmd picks their keys with
  # txn.ShardOf); on 1+1 cores its two shards share the server core.
  SUNION_THREADS=$((THREADS < 2 ? 2 : THREADS))
  for s in "${SERVERS[@]}"; do
    [[ ${PROTO[$s]} == resp && $s != anax-base ]] || continue
    shards=1
    if [[ $s == anax ]]; then
      shards=$SUNION_THREADS
      ANAX_THREADS=$SUNION_THREADS start_server anax
    else
      start_server "$s"
    fi
    note=
    out=$(timeout 600 taskset -c "$LOAD_CPUS" "$BIGCMD" -addr "127.0.0.1:${PORT[$s]}" -pid "${PID[$s]}" \
      -cmd sunionstore -n "$SUNION_MEMBERS" -shards "$shards" 2>&1) || note="refused: $(sed 's/.*error reply: -\{0,1\}//' <<<"$out" | head -1 | cut -c1-60)"
    if [[ -n $note ]]; then
      printf '%s\t%s\t%s\t-\t-\t-\t-\t-\t-\t%s\n' "$s" "$shards" "$SUNION_MEMBERS" "$note" >>"$SUNIONROWS"
    else
      # card=N sunionstore n=N request=..MB time=S reply_items=1 rss_before=MB peak_rss=MB rss_after=MB used_memory=A->B ...
      awk -v s="$s" -v sh="$shards" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
        split(f["used_memory"], u, "->"); t = f["time"]; sub(/s$/, "", t)
        printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", s, sh, f["n"], f["card"], t, f["rss_before"], f["peak_rss"], u[1], u[2] }' \
        <<<"$(tail -1 <<<"$out" | sed 's/MB\b//g')" >>"$SUNIONROWS"
    fi
    log "SUNIONSTORE of 2 x $SUNION_MEMBERS members on $s: ${note:-$(tail -1 <<<"$out")}"
    stop_server "$s"
  done
fi

# ---- phase 2d: streams, memory ---------------------------------------------------
# Fresh server per shape. One stream ("bigstream") of XMEM_ENTRIES entries
# of two fields ("f0", "f1") with 10-byte values, explicit ids 1-0 up, from
# pipelined XADDs (anaxload fill-stream). Pending entries: a stream of
# XPEL_ENTRIES entries with a group "g" (fill-stream -group g), then
# XREADGROUP GROUP g c COUNT 1000 STREAMS pelstream0 > until every entry is
# pending (redis-cli, replies discarded; reads of 1000 so that no big reply
# is in memory at the end), MEMORY PURGE before and after (Anax: a GC):
# the row is the growth over the reads alone, the pending entries (and one
# consumer), per pending entry.
XMEMROWS=$WORK/xmem.tsv
: >"$XMEMROWS"
pel_run() {
  local name=$1 rss0 rss1 um0 um1 t0 t1 note= pending
  start_server "$name"
  fill_types "$name" -cmd fill-stream -key-prefix pelstream -pad 0 -keys 1 -elems "$XPEL_ENTRIES" -group g -c 1 ||
    note="refused: the stream fill"
  redis-cli -p "${PORT[$name]}" memory purge >/dev/null 2>&1 || true
  sleep 0.5
  rss0=$(rss_bytes "${PID[$name]}")
  um0=$(used_memory "$name")
  t0=$(now_ns)
  for ((i = 0; i < XPEL_ENTRIES; i += 1000)); do echo "XREADGROUP GROUP g c COUNT 1000 STREAMS pelstream0 >"; done |
    timeout 300 redis-cli -p "${PORT[$name]}" >/dev/null 2>&1 || true
  t1=$(now_ns)
  redis-cli -p "${PORT[$name]}" memory purge >/dev/null 2>&1 || true
  sleep 1
  rss1=$(rss_bytes "${PID[$name]}")
  um1=$(used_memory "$name")
  pending=$(redis-cli -p "${PORT[$name]}" xpending pelstream0 g 2>&1 | head -1)
  [[ -n $note || $pending == "$XPEL_ENTRIES" ]] || note="refused: XPENDING says ${pending:0:50}"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "pending entries (1 group)" "$name" 1 "$XPEL_ENTRIES" "$rss0" "$rss1" \
    "$um0" "$um1" "$(((t1 - t0) / 1000000))" "$note" >>"$XMEMROWS"
  log "memory: $XPEL_ENTRIES pending entries on $name: used_memory +$(((um1 - um0) / 1024)) KiB${note:+ ($note)}"
}
if [[ -n $RUN_STREAMS ]]; then
  for s in "${SERVERS[@]}"; do
    [[ ${PROTO[$s]} == resp && $s != anax-base ]] || continue
    TMEM_OUT=$XMEMROWS tmem_run "$s" "1 stream x 2-field entries" 1 "$XMEM_ENTRIES" -cmd fill-stream -key-prefix bigstream -pad 0 -c 1
    stop_server "$s"
    pel_run "$s"
    stop_server "$s"
  done
fi

# ---- phase 3 (BIG=1): 10M keys, GC under write loads ---------------------------

GCROWS=$WORK/gc.txt
: >"$GCROWS"
if [[ -n $BIG ]]; then
  for s in "${SERVERS[@]}"; do
    [[ $s == anax || $s == redis ]] || continue
    if [[ $s != anax ]]; then
      memory_run "$s" "$BIG_KEYS"
      stop_server "$s"
      continue
    fi
    # Anax runs with GODEBUG=gctrace=1: INFO has gc_cycles but no GC CPU
    # or pause figures. gctrace's "@T s" is time since the process started.
    ANAX_ERR_SKIP=$(wc -l <"$WORK/anax.stderr" 2>/dev/null || echo 0)
    anax_t0=$(now_ns)
    memory_run anax "$BIG_KEYS" GODEBUG=gctrace=1
    # Two windows: SETs overwriting the populated keys (the table keeps its
    # size), then SETs to as many new keys (the table and the arena grow).
    big_window "SET load over the keys" 0 -key-prefix key: -pad 0
    big_window "SET load creating keys" 1 -key-prefix grow: -pad 0
    log "BIG GC: $(cat "$GCROWS")"
    stop_server anax
  done
fi

# ---- phase 4 (RDB=1): RDB load and save beside redis-server ---------------------

RDBOUT=$WORK/rdbspeed.txt
if [[ -n $RUN_RDB ]]; then
  log "RDB load and save: bench/rdbspeed.sh, $RDB_KEYS strings of $RDB_SIZE bytes, $RDB_ROUNDS rounds"
  KEYS=$RDB_KEYS SIZE=$RDB_SIZE ROUNDS=$RDB_ROUNDS THREADS=$RDB_THREADS ANAX=$ANAX BASELINE= \
    bench/rdbspeed.sh >"$RDBOUT" 2>&1 || log "bench/rdbspeed.sh failed (see $RDBOUT)"
fi

# ---- report --------------------------------------------------------------------
LOAD_AT_END=$(cut -d' ' -f1-3 /proc/loadavg)
HOST=$(hostname -s 2>/dev/null || hostname)
STAMP=$(date -u +%Y-%m-%dT%H%MZ)
mkdir -p bench/results
RESULT=bench/results/$STAMP-$HOST${QUICK:+-quick}.md
# Two runs in one minute (SETS=only, then STREAMS=only) must not share a file.
n=2
while [[ -e $RESULT ]]; do
  RESULT=bench/results/$STAMP-$HOST${QUICK:+-quick}-$n.md
  n=$((n + 1))
done

version_of() {
  case $1 in
  anax | anax-mc) "$ANAX" --version ;;
  anax-base) "$BASELINE" --version ;;
  memcached) memcached -V ;;
  *) "${BINARY[$1]}" --version ;;
  esac 2>&1 | head -1
}

AWK_FMT='function th(n,   s) { if (n !~ /^[0-9]+$/) return n; s = ""; while (length(n) > 3) { s = "," substr(n, length(n) - 2) s; n = substr(n, 1, length(n) - 3) }; return n s }'

# load_table [FILE TARGET]: the speed rows of ROWS, or of FILE with two
# more columns: Anax's ops per server CPU second over the peer's, and
# TARGET, the least that ratio should be.
load_table() {
  local file=${1:-$ROWS} target=${2:-}
  if [[ -n $target ]]; then
    echo "| scenario | load | server | ops/s | p50 ms | p99 ms | p99.9 ms | Anax/peer ops | ops per server CPU s | Anax/peer per server CPU s | target | server cores busy | load cores busy | others | note |"
    echo "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"
  else
    echo "| scenario | load | server | ops/s | p50 ms | p99 ms | p99.9 ms | Anax/peer ops | ops per server CPU s | server cores busy | load cores busy | others | note |"
    echo "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"
  fi
  awk -F'\t' -v target="$target" "$AWK_FMT"'
    # A row with error replies (or failed transactions) gets no ratio, nor
    # does its peer: it did not do the same work.
    function ok(f) { return f[12] !~ /error replies|failed transactions|refused/ }
    function pct(x) { return x ~ /^[0-9]+$/ ? x "%" : x }
    { line[NR] = $0; split($0, f, "\t"); if (!ok(f)) { $4 = "FAIL"; $11 = "-" }
      if ($3 == "anax") { anax[$1 SUBSEP $2] = $4; anaxeff[$1 SUBSEP $2] = $11 }
      if ($3 == "anax-mc") anaxmc[$1 SUBSEP $2] = $4 }
    END {
      for (i = 1; i <= NR; i++) {
        split(line[i], f, "\t")
        ratio = effratio = ""
        a = anax[f[1] SUBSEP f[2]]
        if (f[3] == "memcached" && ((f[1] SUBSEP f[2]) in anaxmc)) a = anaxmc[f[1] SUBSEP f[2]]
        if (f[3] != "anax" && f[3] != "anax-mc" && ok(f) && a + 0 > 0 && f[4] + 0 > 0) ratio = sprintf("%.2f", a / f[4])
        if (target == "") {
          printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], f[3], th(f[4]), f[5], f[6], f[7], ratio, th(f[11]), pct(f[8]), pct(f[9]), pct(f[10]), f[12]
          continue
        }
        e = anaxeff[f[1] SUBSEP f[2]]
        if (ratio != "" && e + 0 > 0 && f[11] + 0 > 0) effratio = sprintf("%.2f", e / f[11])
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], f[3], th(f[4]), f[5], f[6], f[7], ratio, th(f[11]), effratio, f[3] ~ /^anax/ ? "" : target, pct(f[8]), pct(f[9]), pct(f[10]), f[12]
      }
    }' "$file"
}

# mem_table: memory per key; an Anax row has its RSS ratio to the Redis
# row of the same keys and value size.
mem_table() {
  echo "| server | keys | value B | loaded by | RSS MiB | RSS bytes/key | used_memory MiB | used_memory bytes/key | Anax/Redis RSS per key | load s |"
  echo "|---|--:|--:|---|--:|--:|--:|--:|--:|--:|"
  awk -F'\t' "$AWK_FMT"'
    NR == FNR { if ($1 == "redis") redis[$2 SUBSEP $9] = ($4 - $3) / $2; next }
    {
      ratio = ""
      if ($1 ~ /^anax/ && redis[$2 SUBSEP $9] > 0) ratio = sprintf("%.2f", (($4 - $3) / $2) / redis[$2 SUBSEP $9])
      printf "| %s | %s | %s | %s | %.0f | %.1f | %.0f | %.1f | %s | %.1f |\n", $1, th($2), $9, $8, $4 / 1048576, ($4 - $3) / $2,
        $6 / 1048576, ($6 - $5) / $2, ratio, $7 / 1000 }' "$MEMROWS" "$MEMROWS"
}

# tmem_table [FILE]: lists and hashes memory (or FILE's: sets and sorted
# sets), each Anax row with its ratio to Redis's and the target of issue
# #12 (#13).
tmem_table() {
  echo "| shape | server | keys | elements per key | RSS growth MiB | RSS bytes/element | used_memory growth MiB | used_memory bytes/element | used bytes/key | Anax/Redis (used) | Anax/Redis (RSS) | target | load s | note |"
  echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"
  awk -F'\t' "$AWK_FMT"'
    BEGIN { target["hashes x 10 fields"] = "0.85"; target["1 hash x fields"] = "0.75"
            target["1 list x elements"] = "1.00"; target["lists x 10 elements"] = "0.80"
            target["1 set x 16-byte members"] = "0.65"; target["1 zset x 16-byte members"] = "0.60"
            target["sets x 10 integers"] = "0.80"; target["zsets x 10 members"] = "0.90"
            target["1 stream x 2-field entries"] = "1.00"; target["pending entries (1 group)"] = "0.80" }
    { n = $3 * $4; u[$1, $2] = ($8 - $7) / n; r[$1, $2] = ($6 - $5) / n; line[NR] = $0 }
    END {
      for (i = 1; i <= NR; i++) {
        split(line[i], f, "\t"); k = f[1]; n = f[3] * f[4]; ru = rr = t = ""
        if (f[2] == "anax") {
          t = "<= " target[k]
          if (f[10] == "" && u[k, "redis"] > 0) { ru = sprintf("%.2f", u[k, "anax"] / u[k, "redis"]); rr = sprintf("%.2f", r[k, "anax"] / r[k, "redis"]) }
        }
        perkey = f[3] > 1 ? sprintf("%.1f", (f[8] - f[7]) / f[3]) : "-"
        printf "| %s | %s | %s | %s | %.1f | %.1f | %.1f | %.1f | %s | %s | %s | %s | %.1f | %s |\n", k, f[2], th(f[3]), th(f[4]),
          (f[6] - f[5]) / 1048576, (f[6] - f[5]) / n, (f[8] - f[7]) / 1048576, (f[8] - f[7]) / n, perkey, ru, rr, t, f[9] / 1000, f[10]
      }
    }' "${1:-$TMEMROWS}"
}

{
  echo "# Benchmark run $STAMP on $HOST${QUICK:+ (QUICK)}"
  echo
  echo "## Machine"
  echo
  echo "- CPU: $(lscpu | awk -F: '/^Model name/ {gsub(/^ +/, "", $2); print $2}'), $NPROC cores ($(lscpu | awk -F: '/^Thread\(s\) per core/ {gsub(/ /, "", $2); print $2}') thread(s) per core)"
  echo "- Kernel: $(uname -sr); memory $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "- Load average (1, 5, 15 min): $LOAD_AT_START at start, $LOAD_AT_END at the end"
  for s in "${SERVERS[@]}"; do echo "- $s: $(version_of "$s") — \`$(server_cmd "$s")\`"; done
  echo "- redis-benchmark: $(redis-benchmark --version 2>&1 | head -1); anaxload built with $(go version | cut -d' ' -f3)"
  [[ -n $HAVE_MEMTIER ]] && echo "- memtier_benchmark: $(memtier_benchmark --version 2>&1 | head -1)"
  for n in "${NOTES[@]}"; do echo "- $n"; done
  echo
  echo "## Placement and load"
  echo
  echo "Servers pinned with \`taskset -c $SERVER_CPUS\` ($THREADS core(s); Anax \`--threads $THREADS\`, memcached \`-t $THREADS\`, Redis single-threaded);"
  echo "load pinned with \`taskset -c $LOAD_CPUS\`. $CONNS connections; ${DURATION} s measured per row and server, in $ROUNDS round(s) of ${RUN_SECS} s"
  echo "that alternate the servers, so the servers of a row were measured seconds apart; a row shows its median round (its \"ops per"
  echo "server CPU s\": the median of the rounds' own figures), and its note the spread of ops/s and of ops per CPU s over the rounds (anaxload runs after ${WARMUP} s warm-up; redis-benchmark runs $RB_SHARE x anaxload's request"
  echo "count of the same round, about as long). Keyspace $KEYS keys (16 KB rows: $LARGE_KEYS), prefilled."
  echo "A row taken while other processes used more than $NOISE_MAX% of the bench cores is measured again, up to $RETRIES more times; the quietest attempt is kept."
  echo "Latencies are per request, from the pipeline's write to the reply. \"cores busy\": the share of time the server's (load's) cores"
  echo "were not idle, loopback TCP softirq included; near 100% on the server side means the server was the limit, on the load side"
  echo "alone that the load was. \"others\": the share of all those cores taken by other processes or the hypervisor (steal) — non-zero"
  echo "means a busy machine and a less trustworthy row. anax-mc is Anax's memcached port (the anax process); anax-mc and memcached"
  echo "rows use the memcached text protocol, and memcached's ratio is taken against anax-mc."
  echo "An MGET, an MSET or a whole MULTI/EXEC transaction (MULTI, 10 INCR, EXEC, sent in one write) is one operation; those rows"
  echo "run over RESP only. A row with error replies or failed transactions gets no Anax/peer ratio."
  if ((THREADS == 1)); then
    echo "With one server core Anax ran one shard (\`--threads 1\`): every key of an MSET or a transaction was on the same shard, so"
    echo "these rows do not include the cost of coordinating shards; run with SERVER_CPUS of several cores to see it."
  else
    echo "Anax ran $THREADS shards (\`--threads $THREADS\`): the keys of an MSET or a transaction usually belong to different shards,"
    echo "while Redis runs them on its one thread."
  fi
  echo
  echo "## Throughput and latency"
  echo
  echo "\"ops per server CPU s\": ops/s over the server process's own CPU (user + system, all threads) during the run: the"
  echo "server's efficiency, requests per second of its CPU (loopback softirq work charged to other tasks is not in it)."
  echo "A \"refused\" row: the server answered every request with an error (a command it does not have)."
  echo
  if [[ -s $ROWS ]]; then load_table; else echo "(none in this run: only some families were asked for; their rows are below)"; fi
  if [[ -s $MEMROWS ]]; then
    echo
    echo "## Memory"
    echo
    echo "Fresh servers; keys \"key:N\" with values of the size given. Bytes per key are the growth over the empty server."
    echo "Targets (issue #16): Anax/Redis RSS per key <= 0.75 at 1M keys of 100 B, <= 0.65 at 10M keys of 10 B."
    echo
    mem_table
  fi
  if [[ -s $TMEMROWS ]]; then
    echo
    echo "## Lists and hashes: memory"
    echo
    echo "Fresh server per shape, loaded with pipelined HSET / RPUSH (anaxload fill-hash, fill-list; up to 1,000 elements per"
    echo "command); keys of 7-9 bytes, hash fields \"field0\"..\"field9\" (the big hash: \"field:0000001\", 13 bytes), values and"
    echo "elements \"v000000001\" (10 bytes). Growth over the empty server; bytes per element = growth / (keys x elements per key)."
    echo "Targets (issue #12): Anax's used memory per element at most that share of Redis's."
    echo
    tmem_table
  fi
  if [[ -s $TGCROWS ]]; then
    echo
    echo "## Anax GC with lists and hashes (gctrace on; INFO, MEMORY STATS, /metrics)"
    echo
    echo "Target (issue #12): no GC pause over 1 ms."
    echo
    sed 's/^/- /' "$TGCROWS"
  fi
  if [[ -s $WAKEROWS ]]; then
    echo
    echo "## BLPOP wake-up latency"
    echo
    echo "$CONNS clients each blocked in BLPOP on its own key (keys spread over $THREADS shard(s) by txn.ShardOf); another connection"
    echo "wakes them one at a time with RPUSH. Latency: from the RPUSH's write to the blocked client's reply (bench/cmd/blockwake)."
    echo
    echo "| server | wakes | p50 ms | p99 ms | max ms | note |"
    echo "|---|--:|--:|--:|--:|---|"
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$WAKEROWS"
  fi
  if [[ -s $RBCHECK ]]; then
    echo
    echo "## redis-benchmark -t lpush,rpush,lpop,rpop,hset,lrange -q -n $RB_CHECK_N"
    echo
    echo "| server | result | requests per second (or the first error) |"
    echo "|---|---|---|"
    awk -F'\t' '{ printf "| %s | %s | %s |\n", $1, $2, $3 }' "$RBCHECK"
  fi
  if [[ -s $SROWS || -s $SMEMROWS || -s $SUNIONROWS ]]; then
    echo
    echo "## Sets and sorted sets"
    echo
    echo "Issue #13's targets, Anax against the peers in the same run."
  fi
  if [[ -s $SROWS ]]; then
    echo
    echo "### Speed"
    echo
    echo "One set and one zset of $(human "$SET_MEMBERS") members (\"m\" and 15 digits, 16 bytes; a member's score is a fixed mix of its index),"
    echo "every load on that one key, members drawn uniformly from the same $(human "$SET_MEMBERS"): SADD and ZADD re-add members that"
    echo "are there (ZADD at the member's own score), ZINCRBY adds 1 to a member's score. SPOP and ZPOPMIN pop from a set and a"
    echo "zset of $(human "$SPOP_POP") members, topped up again before each run. With one key, Anax ran these on one shard."
    echo "Target (issue #13): Anax's ops per server CPU second at least the peer's (\"Anax/peer per server CPU s\" >= 1.00)."
    echo
    load_table "$SROWS" ">= 1.00"
  fi
  if [[ -s $SRBCHECK ]]; then
    echo
    echo "### redis-benchmark -t sadd,spop,zadd,zpopmin -q -n $RB_CHECK_N"
    echo
    echo "| server | result | requests per second (or the first error) |"
    echo "|---|---|---|"
    awk -F'\t' '{ printf "| %s | %s | %s |\n", $1, $2, $3 }' "$SRBCHECK"
  fi
  if [[ -s $SMEMROWS ]]; then
    echo
    echo "### Memory"
    echo
    echo "Fresh server per shape, loaded with pipelined SADD / ZADD (anaxload fill-set, fill-zset; up to 1,000 members per"
    echo "command); members \"m\" and 15 digits (16 bytes), or the integers 0-9 in the small sets (intsets in Redis); zset scores"
    echo "are integers below 2^30, a fixed mix of the member's index; keys of 7-9 bytes. Growth over the empty server; bytes per"
    echo "element = growth / (keys x members per key). Targets (issue #13): Anax's used memory (and RSS growth) per member at most"
    echo "that share of Redis's."
    echo
    tmem_table "$SMEMROWS"
  fi
  if [[ -s $SGCROWS ]]; then
    echo
    echo "### Anax GC (gctrace on; INFO, MEMORY STATS, /metrics)"
    echo
    echo "Targets (issue #13): the heap object count (gc_heap_objects) does not grow with the number of members; no GC pause"
    echo "over 1 ms during the write loads."
    echo
    sed 's/^/- /' "$SGCROWS"
  fi
  if [[ -s $SUNIONROWS ]]; then
    echo
    echo "### SUNIONSTORE of two $(human "$SUNION_MEMBERS")-member sets, one command"
    echo
    echo "bench/cmd/bigcmd on a fresh server: two sets of $(human "$SUNION_MEMBERS") 16-byte members, half of them shared (the union"
    echo "has 1.5 x as many), created with pipelined SADDs, then MEMORY PURGE, then SUNIONSTORE timed from the request's first"
    echo "byte written to the reply. Anax ran \`--threads $SUNION_THREADS\` with the two sources on different shards (pinned to"
    echo "\`$SERVER_CPUS\`$( ((THREADS < SUNION_THREADS)) && echo ": its shards shared the server core(s)")); Redis has both on its one thread."
    echo "Peak RSS: the process's VmHWM during the command (reset just before it)."
    echo
    echo "| server | shards | members per set | union | time s | RSS before MiB | peak RSS MiB | peak - before MiB | used_memory before MiB | used_memory after MiB | note |"
    echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"
    awk -F'\t' "$AWK_FMT"'{ d = ($7 ~ /^[0-9.]+$/) ? sprintf("%.1f", $7 - $6) : "-"
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, th($3), th($4), $5, $6, $7, d, $8, $9, $10 }' "$SUNIONROWS"
  fi
  if [[ -s $BROWS ]]; then
    echo
    echo "## Bitmaps and HyperLogLog"
    echo
    echo "Two 1 MB bitmaps under one hash tag (one Anax shard); SETBIT and GETBIT of a random bit of one, BITCOUNT of it, BITOP AND"
    echo "of the two. PFADD of 10 random elements to a dense HyperLogLog; PFCOUNT of it (its cached estimate) and of three together."
    echo "Target: Anax's ops per server CPU second at least the peer's (\"Anax/peer per server CPU s\" >= 1.00)."
    echo
    load_table "$BROWS" ">= 1.00"
  fi
  if [[ -s $PROWS ]]; then
    echo
    echo "## Pub/Sub"
    echo
    echo "$CONNS connections PUBLISH 100-byte messages to one channel; N more connections (anaxload -subscribers, RESP2 SUBSCRIBE)"
    echo "read every message, on the load cores too. ops/s counts PUBLISHes: messages delivered = ops x N, and messages delivered"
    echo "per server CPU second = \"ops per server CPU s\" x N (the Anax/peer ratio is the same). A PUBLISH that reached fewer than"
    echo "N subscribers (one cut for its output buffer) is a miss. The P1 and P16 rows' latencies are PUBLISH's reply latency; the"
    echo "paced rows (every server at the same load, $PACED_DELIVERIES messages delivered per second) give the publish-to-receive latency"
    echo "of every message, from the publisher's write (a stamp in the payload) to the subscriber's read."
    echo "Target: messages delivered per server CPU second at least the peer's (\"Anax/peer per server CPU s\" >= 1.00)."
    echo
    load_table "$PROWS" ">= 1.00"
  fi
  if [[ -s $SCROWS ]]; then
    echo
    echo "## Scripts"
    echo
    echo "EVALSHA of two scripts, each loaded once per server with SCRIPT LOAD (bench/cmd/anaxload/scripts.go). A rate limiter:"
    echo "INCR of one key and EXPIRE of it, 60 s (one of $(human "$SCRIPT_KEYS") keys, uniform). A BullMQ-style job, modelled on BullMQ's"
    echo "addJob and moveToActive: the 6 keys of one of $SCRIPT_QUEUES queues (uniform), all under the queue's hash tag and passed as KEYS,"
    echo "and 9 commands: INCR of the id counter, HSET of 6 fields of the job hash (100-byte data), LPUSH to the wait list, ZADD to"
    echo "the priority zset, XADD MAXLEN ~ 100 of an event, LMOVE of the oldest waiting job to the active list, HSET of its"
    echo "processedOn, LTRIM of the active list and ZREMRANGEBYRANK of the zset to 100 (a ${SCRIPT_FILL} s run of the script brought the"
    echo "queues to that size before the rows). Anax ran \`--threads $THREADS\`: a script's keys are on one shard, where it runs;"
    echo "Redis runs them on its one thread."
    echo "Target (issue #15): Anax's ops per server CPU second at least 0.8 x the peer's (\"Anax/peer per server CPU s\" >= 0.80)"
    echo "for both scripts at P1 and P16."
    echo
    load_table "$SCROWS" ">= 0.80"
  fi
  if [[ -s $XROWS || -s $XWAKEROWS || -s $XMEMROWS ]]; then
    echo
    echo "## Streams"
    echo
    echo "Issue #18's targets, Anax against the peers in the same run."
  fi
  if [[ -s $XROWS ]]; then
    echo
    echo "### Speed"
    echo
    echo "XADD of two fields (\"f0\", \"f1\") with 10-byte values and \`*\` ids to one of $(human "$STREAM_KEYS") streams (uniform; they grow"
    echo "over the run); XRANGE key - + COUNT 10 of one of $(human "$STREAM_KEYS") streams of 100 such entries. XREADGROUP: each"
    echo "connection reads a stream of its own ($XRG_LEN entries, a group \"g\") with XREADGROUP GROUP g c COUNT 10 STREAMS key > and"
    echo "acknowledges the 10 ids it gets with XACK in the same pipeline (the ids are known: explicit ids, one reader per stream):"
    echo "the pair is one operation; every $((XRG_LEN / 10)) operations one also sends XGROUP SETID g 0 to read the stream again."
    echo "Target (issue #18): Anax's ops per server CPU second at least the peer's (\"Anax/peer per server CPU s\" >= 1.00)."
    echo
    load_table "$XROWS" ">= 1.00"
  fi
  if [[ -s $XWAKEROWS ]]; then
    echo
    echo "### XREAD BLOCK wake-up latency"
    echo
    echo "$CONNS clients each blocked in XREAD BLOCK 0 on a stream of its own (keys spread over Anax's shards by txn.ShardOf); another"
    echo "connection wakes them one at a time with XADD (explicit ids: the client blocks again at the id it read). Latency: from the"
    echo "XADD's write to the blocked client's reply (bench/cmd/blockwake -cmd xread). Anax ran \`--threads $XWAKE_THREADS\` here (pinned to"
    echo "\`$SERVER_CPUS\`$( ((THREADS < XWAKE_THREADS)) && echo ": its shards shared the server core(s)")): the XADD's key, the pusher's connection and the"
    echo "blocked client's connection are on one shard only about 1 wake in $((XWAKE_THREADS * XWAKE_THREADS)). Target (issue #18): p99 stated."
    echo
    echo "| server | shards | wakes | p50 ms | p99 ms | max ms | note |"
    echo "|---|--:|--:|--:|--:|--:|---|"
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$XWAKEROWS"
  fi
  if [[ -s $XMEMROWS ]]; then
    echo
    echo "### Memory"
    echo
    echo "Fresh server per shape. One stream of $(human "$XMEM_ENTRIES") entries (two fields, \"f0\" and \"f1\", with 10-byte values; explicit"
    echo "ids 1-0 up), from pipelined XADDs (anaxload fill-stream). Pending entries: a stream of $(human "$XPEL_ENTRIES") entries with a group, then"
    echo "XREADGROUP COUNT 1000 until all are pending, with MEMORY PURGE before and after: the row is the growth over the reads"
    echo "alone, per pending entry. Targets (issue #18): Anax's used memory per entry at most that share of Redis's."
    echo
    tmem_table "$XMEMROWS"
  fi
  if [[ -s $RDBOUT ]]; then
    echo
    echo "## RDB load and save (bench/rdbspeed.sh)"
    echo
    echo "redis-server 7 writes the files; each server then loads them, saves with BGSAVE (with no writes, then under a"
    echo "redis-benchmark SET load over the same keys), and serves a paced GET load with and without a save running (bench/README.md,"
    echo "\"RDB load and save\"). Anax \`--threads $RDB_THREADS\`, unpinned. Targets (issue #14): load and BGSAVE times at most 0.5x"
    echo "redis-server's; Anax's RSS growth during a save under writes at most 5%; GET p99 during a save stated."
    echo
    echo '```'
    cat "$RDBOUT"
    echo '```'
  fi
  if [[ -s $GCROWS ]]; then
    echo
    echo "## Anax GC under SET loads ($BIG_KEYS keys populated, from GODEBUG=gctrace=1 on stderr)"
    echo
    sed 's/^/- /' "$GCROWS"
  fi
} >"$RESULT"

echo
cat "$RESULT"
echo
log "written $RESULT (logs in $WORK)"

if [[ $UPDATE_DOCS == 1 && -f docs/benchmarks.md ]] && grep -q '<!-- latest:begin -->' docs/benchmarks.md; then
  awk -v f="$RESULT" '
    /<!-- latest:begin -->/ { print; print ""; while ((getline l < f) > 0) { if (l ~ /^# /) sub(/^# /, "### ", l); else if (l ~ /^## /) sub(/^## /, "#### ", l); print l }; print ""; skip = 1; next }
    /<!-- latest:end -->/ { skip = 0 }
    !skip' docs/benchmarks.md >"$WORK/benchmarks.md" && cp "$WORK/benchmarks.md" docs/benchmarks.md
  log "docs/benchmarks.md now shows $RESULT"
fi
