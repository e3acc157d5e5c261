package main_test

import (
	"strconv"
	"testing"
	"time"
)

// TestMemoryFallsAfterDeletes: after UNLINK of a big set, FLUSHDB ASYNC and
// FLUSHALL, used_memory falls back within seconds, as Redis's does once its
// lazyfree thread is done, though nothing else runs that would make the
// collector reclaim the garbage (the cron's idle collection, gcpace.go).
// CONFIG RESETSTAT then clears lazyfreed_objects, as Redis's does.
func TestMemoryFallsAfterDeletes(t *testing.T) {
	r := evictServer(t, buildAnax(t), "--threads", "2")
	members := make([]string, 0, 2+100_000)
	for _, del := range [][]string{{"UNLINK", "myset"}, {"FLUSHDB", "ASYNC"}, {"FLUSHALL"}} {
		before := infoInt(t, r, "used_memory")
		members = append(members[:0], "SADD", "myset")
		for i := range 100_000 {
			members = append(members, strconv.Itoa(i))
		}
		if got := r.Do(members...); got != ":100000\r\n" {
			t.Fatalf("SADD = %q", got)
		}
		peak := infoInt(t, r, "used_memory")
		if peak < before+1_000_000 {
			t.Fatalf("used_memory %d after SADD of 100,000 members, %d before", peak, before)
		}
		r.Do(del...)
		deadline := time.Now().Add(10 * time.Second)
		for {
			now := infoInt(t, r, "used_memory")
			if now < peak && now < before+(peak-before)/2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%q: used_memory %d 10 s after, %d before the SADD, %d after it", del, now, before, peak)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if n := infoInt(t, r, "lazyfreed_objects"); n == 0 {
		t.Error("lazyfreed_objects 0 after the big set was freed three times")
	}
	r.Do("CONFIG", "RESETSTAT")
	if n := infoInt(t, r, "lazyfreed_objects"); n != 0 {
		t.Errorf("lazyfreed_objects %d after CONFIG RESETSTAT", n)
	}
}
