#!/usr/bin/env bash
# Runs every fuzz target for FUZZTIME (first argument, default 10s).
#
# go1.26's fuzz coordinator can report a bare "context deadline exceeded"
# when -fuzztime ends while a worker, starved of CPU, is still answering
# (golang/go#75804, fixed in go1.27). That report names no input and writes
# no reproducer: the target fuzzed its whole time and found nothing. On CI's
# two busy cores it happens to a few targets per run, sometimes twice in a
# row to the same one, so such a report is logged and counted as a pass.
# A target fails the run if it failed any other way: a crash, a t.Fatal,
# or a written reproducer.
set -uo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-10s}
go=${GO:-go}
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# bare_deadline: the run failed only because of the coordinator's race.
bare_deadline() {
  grep -q 'context deadline exceeded' "$log" &&
    ! grep -qE 'Failing input written|panic:|_test\.go:[0-9]+:' "$log"
}

races=0
for pkg in $($go list ./...); do
  for f in $($go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    echo "fuzz $pkg $f"
    $go test -run '^$' -fuzz "^$f\$" -fuzztime "$fuzztime" "$pkg" 2>&1 | tee "$log"
    if [ "${PIPESTATUS[0]}" -eq 0 ]; then continue; fi
    if bare_deadline; then
      echo "fuzz: $f stopped with the coordinator's deadline race (golang/go#75804), no failing input: counted as a pass"
      races=$((races + 1))
      continue
    fi
    echo "fuzz: $f FAILED"
    failed=1
  done
done
echo "fuzz: done; targets stopped by the coordinator's deadline race: $races"
exit $failed
