#!/usr/bin/env bash
# bench/paired.sh: server CPU per request of Anax and redis-server measured
# at the same moment. Both servers run on one core (SERVER_CPU), each loaded
# by its own anaxload on the other (LOAD_CPU), both loads started together;
# each round reads both servers' CPU time over the same window. A slow spell
# of this shared VM then slows both servers of a round alike, and the ratio
# of a round moves far less than the ratio of rounds run one after the other
# (make bench's method): rounds of pipeline-1 SADD spread 0.97-1.03 this way,
# 0.66-1.18 that way (2026-12-05). Both servers are about half busy, so a
# row compares what each spends per request, waking up included, not what
# each does flat out.
#
#   make bench-paired                       # every row at pipeline 1 and 16 (~25 min)
#   ONLY='SADD|ZRANGE' PIPELINES=1 make bench-paired
#   ROUNDS=10 SECS=4 make bench-paired
#
# Writes bench/results/<date>-<host>-paired.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

ROUNDS=${ROUNDS:-5}
SECS=${SECS:-4}           # measured seconds per round (after 1 s of warm-up)
PIPELINES=${PIPELINES:-"1 16"}
ONLY=${ONLY:-}            # a regular expression over the row names
CONNS=${CONNS:-50}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
BASE_PORT=${BASE_PORT:-17479}
REDIS=${REDIS:-redis-server}

OUT=$ROOT/bench/out/paired
mkdir -p "$OUT" "$ROOT/bench/results"
command -v "$REDIS" >/dev/null || { echo "paired: $REDIS not found (apt-get install redis-server)" >&2; exit 1; }

make -s build
(cd bench/cmd/anaxload && go build -o "$OUT/anaxload" .)
LOAD=$OUT/anaxload

# The rows: name | anaxload arguments (the pipeline depth is added).
M=1000000
ROWS=(
  "SADD|-cmd sadd -key-prefix bigset: -keys 1 -pad 0 -members $M"
  "SISMEMBER|-cmd sismember -key-prefix bigset: -keys 1 -pad 0 -members $M"
  "SPOP|-cmd spop -key-prefix popset: -keys 1 -pad 0 -members $M"
  "ZADD|-cmd zadd -key-prefix bigzset: -keys 1 -pad 0 -members $M"
  "ZINCRBY|-cmd zincrby -key-prefix bigzset: -keys 1 -pad 0 -members $M"
  "ZSCORE|-cmd zscore -key-prefix bigzset: -keys 1 -pad 0 -members $M"
  "ZRANK|-cmd zrank -key-prefix bigzset: -keys 1 -pad 0 -members $M"
  "ZRANGE 0 9|-cmd zrange -zrange 10 -key-prefix bigzset: -keys 1 -pad 0 -members $M"
  "ZPOPMIN|-cmd zpopmin -key-prefix popzset: -keys 1 -pad 0 -members $M"
  "SETBIT|-cmd setbit -keys 1 -key-prefix {bm} -pad 0"
  "GETBIT|-cmd getbit -keys 1 -key-prefix {bm} -pad 0"
  "BITCOUNT|-cmd bitcount -keys 1 -key-prefix {bm} -pad 0"
  "BITOP AND|-cmd bitop -keys 1 -key-prefix {bm} -pad 0"
  "PFADD|-cmd pfadd -keys 1 -members 10000000 -key-prefix hll: -pad 0"
  "PFCOUNT 1 key|-cmd pfcount -keys 1 -key-prefix hll: -pad 0"
  "PFCOUNT 3 keys|-cmd pfcount -keys 1 -pf-keys 3 -key-prefix hll: -pad 0"
  "XADD|-cmd xadd -d 10 -key-prefix xadd: -keys 1000"
  "XRANGE COUNT 10|-cmd xrange -xcount 10 -key-prefix xrange: -keys 1000"
  "GET|-cmd get -keys 1000"
)

NAMES=(anax redis)
declare -A PORT=([anax]=$BASE_PORT [redis]=$((BASE_PORT + 1))) PID LPID
cleanup() {
  for s in "${NAMES[@]}"; do [[ -n ${PID[$s]:-} ]] && kill "${PID[$s]}" 2>/dev/null || true; done
}
trap cleanup EXIT
taskset -c "$SERVER_CPU" "$ROOT/bin/anax" --port "${PORT[anax]}" --threads 1 --save '' --appendonly no >"$OUT/anax.log" 2>&1 &
PID[anax]=$!
taskset -c "$SERVER_CPU" "$REDIS" --port "${PORT[redis]}" --save '' --appendonly no >"$OUT/redis.log" 2>&1 &
PID[redis]=$!

# POP_MEMBERS outlast a round of SPOP or ZPOPMIN at pipeline 16 (about
# 100-200k a second for each server in a paired round, 2026-12-05); a
# refill adds back what the last round took (members already there are
# left as they are).
POP_MEMBERS=${POP_MEMBERS:-4000000}
refill_pops() { # PORT [set|zset]
  [[ ${2:-set} == set ]] && load "$1" -cmd fill-set -key-prefix popset: -pad 0 -keys 1 -elems "$POP_MEMBERS" -chunk 1000 -c 1 -timeout 300s
  [[ ${2:-zset} == zset ]] && load "$1" -cmd fill-zset -key-prefix popzset: -pad 0 -keys 1 -elems "$POP_MEMBERS" -chunk 1000 -c 1 -timeout 300s
  return 0
}
load() { taskset -c "$LOAD_CPU" "$LOAD" -addr "127.0.0.1:$1" "${@:2}" >>"$OUT/fill.log" 2>&1; }
for s in "${NAMES[@]}"; do
  p=${PORT[$s]}
  load "$p" -cmd ping -duration 10s
  echo "paired: filling $s" >&2
  load "$p" -cmd fill-set -key-prefix bigset: -pad 0 -keys 1 -elems $M -chunk 1000 -c 1 -del
  load "$p" -cmd fill-zset -key-prefix bigzset: -pad 0 -keys 1 -elems $M -chunk 1000 -c 1 -del
  # SPOP and ZPOPMIN take a member per request: refilled before each round.
  refill_pops "$p"
  load "$p" -cmd prefill -keys 2 -d 1048576 -key-prefix "{bm}" -pad 0 -c 2
  load "$p" -cmd pfadd -keys 3 -key-prefix hll: -pad 0 -members 10000000 -P 16 -duration 2s -warmup 0s
  load "$p" -cmd fill-stream -key-prefix xrange: -keys 1000 -elems 100 -del
  load "$p" -cmd prefill -keys 1000
done

# cpu_ticks PID: the process's user and system time, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

RAW=$OUT/rounds.tsv
: >"$RAW"
for P in $PIPELINES; do
  for row in "${ROWS[@]}"; do
    name=${row%%|*}
    args=${row#*|}
    [[ -n $ONLY && ! $name =~ ^($ONLY)$ ]] && continue
    for r in $(seq "$ROUNDS"); do
      case $name in
      SPOP) for s in "${NAMES[@]}"; do refill_pops "${PORT[$s]}" set; done ;;
      ZPOPMIN) for s in "${NAMES[@]}"; do refill_pops "${PORT[$s]}" zset; done ;;
      esac
      for s in "${NAMES[@]}"; do
        # shellcheck disable=SC2086 # args is a word list
        taskset -c "$LOAD_CPU" "$LOAD" -addr "127.0.0.1:${PORT[$s]}" $args -P "$P" -c "$CONNS" \
          -duration "${SECS}s" -warmup 1s -tsv >"$OUT/load-$s.tsv" 2>>"$OUT/load.log" &
        LPID[$s]=$!
      done
      sleep 1.2
      declare -A t0 t1
      for s in "${NAMES[@]}"; do t0[$s]=$(cpu_ticks "${PID[$s]}"); done
      start=$(date +%s.%N)
      sleep "$(awk -v s="$SECS" 'BEGIN{print s - 0.4}')"
      for s in "${NAMES[@]}"; do t1[$s]=$(cpu_ticks "${PID[$s]}"); done
      end=$(date +%s.%N)
      wait "${LPID[anax]}" "${LPID[redis]}" || true
      for s in "${NAMES[@]}"; do
        ops=$(cut -f1 "$OUT/load-$s.tsv")
        p99=$(cut -f3 "$OUT/load-$s.tsv")
        [[ -n $ops && $ops != 0 ]] || { echo "paired: $s gave no figure for $name P$P round $r (see $OUT/load.log)" >&2; continue; }
        # us of server CPU per request: CPU seconds over the window / requests in it.
        us=$(awk -v a="${t0[$s]}" -v b="${t1[$s]}" -v hz="$HZ" -v ops="$ops" -v w0="$start" -v w1="$end" \
          'BEGIN{printf "%.3f", (b - a) / hz * 1e6 / (ops * (w1 - w0))}')
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$P" "$s" "$r" "$ops" "$p99" "$us" >>"$RAW"
      done
    done
    python3 - "$RAW" "$name" "$P" <<'EOF'
import statistics as st, sys
raw, name, p = sys.argv[1:]
us = {"anax": {}, "redis": {}}
for line in open(raw):
    f = line.rstrip("\n").split("\t")
    if f[0] == name and f[1] == p:
        us[f[2]][f[3]] = float(f[6])
a, b = us["anax"], us["redis"]
ratios = sorted(b[r] / a[r] for r in a if r in b)
if ratios:
    print(f"paired: {name} P{p}: Anax {st.median(a.values()):.2f} us, Redis {st.median(b.values()):.2f} us, "
          f"Redis/Anax {st.median(ratios):.3f} ({ratios[0]:.2f}-{ratios[-1]:.2f})", file=sys.stderr)
EOF
  done
done

REPORT=$ROOT/bench/results/$(date -u +%Y-%m-%dT%H%MZ)-$(hostname -s)-paired.md
python3 - "$RAW" "$REPORT" "$ROUNDS" "$SECS" "$CONNS" "$("$REDIS" --version | awk '{sub("v=", "", $3); print $3}')" "$(git rev-parse --short HEAD)" <<'EOF'
import statistics as st, sys
raw, report, rounds, secs, conns, redis_version, rev = sys.argv[1:]
rows = {}
for line in open(raw):
    name, p, server, r, ops, p99, us = line.rstrip("\n").split("\t")
    rows.setdefault((name, p), {"anax": {}, "redis": {}})[server][r] = (float(ops), float(us))
with open(report, "w") as out:
    out.write(f"# Paired run (bench/paired.sh), Anax {rev} and redis-server {redis_version}\n\n")
    out.write(f"Both servers on one core, each under its own anaxload ({conns} connections) on the other, "
              f"both loads at once; {rounds} rounds of {secs} s. Server CPU per request in us "
              "(median of the rounds, and their range); the ratio is Redis's over Anax's in the same "
              "round (above 1: Anax spends less), median and range.\n\n")
    out.write("| row | P | Anax us | Redis us | Redis / Anax | Anax ops/s | Redis ops/s |\n|---|--:|--:|--:|--:|--:|--:|\n")
    for (name, p), d in rows.items():
        a, b = d["anax"], d["redis"]
        ratios = sorted(b[r][1] / a[r][1] for r in a if r in b)
        if not ratios:
            continue
        fmt = lambda v: f"{st.median(x[1] for x in v.values()):.2f} ({min(x[1] for x in v.values()):.2f}-{max(x[1] for x in v.values()):.2f})"
        ops = lambda v: f"{st.median(x[0] for x in v.values()):,.0f}"
        out.write(f"| {name} | {p} | {fmt(a)} | {fmt(b)} | **{st.median(ratios):.2f}** ({ratios[0]:.2f}-{ratios[-1]:.2f}) | {ops(a)} | {ops(b)} |\n")
print(report)
EOF
