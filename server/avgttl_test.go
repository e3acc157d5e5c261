package server_test

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// TestInfoAvgTTL: INFO keyspace's avg_ttl estimates the mean TTL of the
// keys that have one, as Redis's expiry cycle does (a running average of
// what it samples), over every shard; FLUSHALL and the last TTL's removal
// bring it back to 0.
func TestInfoAvgTTL(t *testing.T) {
	r := servertest.Dial(t, servertest.Start(t, "--threads", "4"))
	avgTTL := func() int64 {
		m := regexp.MustCompile(`db0:keys=\d+,expires=\d+,avg_ttl=(\d+)`).FindStringSubmatch(r.Do("INFO", "keyspace"))
		if m == nil {
			return -1
		}
		n, _ := strconv.ParseInt(m[1], 10, 64)
		return n
	}
	waitAvg := func(what string, lo, hi int64) {
		t.Helper()
		var got int64
		for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
			if got = avgTTL(); got >= lo && got <= hi {
				return
			}
		}
		t.Errorf("%s: avg_ttl %d, want %d..%d", what, got, lo, hi)
	}
	for i := range 200 {
		r.Do("SET", "k"+strconv.Itoa(i), "v", "EX", "1000")
		r.Do("SET", "p"+strconv.Itoa(i), "v")
	}
	waitAvg("200 keys with 1,000 s", 990_000, 1_000_000)
	r.Do("FLUSHALL")
	r.Do("SET", "a", "v", "EX", "100")
	waitAvg("after FLUSHALL, one key with 100 s", 98_000, 100_000)
	r.Do("PERSIST", "a")
	waitAvg("no key with a TTL", 0, 0)
}
