package server_test

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/anaxdb/anax/internal/servertest"
)

// freqs sets nkeys keys, reads each reads times and returns their OBJECT
// FREQ, on the server at addr under allkeys-lfu with lfu-log-factor factor
// and no decay.
func freqs(t *testing.T, addr string, factor, nkeys, reads int) []int {
	r := servertest.Dial(t, addr)
	defer r.Close()
	r.Do("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
	r.Do("CONFIG", "SET", "lfu-log-factor", strconv.Itoa(factor))
	// No decay: a minute boundary between the reads and OBJECT FREQ would
	// take one from the counter on one server and not on the other.
	r.Do("CONFIG", "SET", "lfu-decay-time", "0")
	r.Do("FLUSHALL")
	var buf []byte
	for k := 0; k < nkeys; k++ {
		buf = append(buf, servertest.Encode("SET", fmt.Sprint("f", k), "v")...)
		for i := 0; i < reads; i++ {
			buf = append(buf, servertest.Encode("GET", fmt.Sprint("f", k))...)
		}
		buf = append(buf, servertest.Encode("OBJECT", "FREQ", fmt.Sprint("f", k))...)
	}
	r.Send(buf)
	var out []int
	for k := 0; k < nkeys; k++ {
		for i := 0; i < reads+1; i++ {
			r.Read()
		}
		reply := r.Read()
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(reply, ":")))
		if err != nil {
			t.Fatalf("OBJECT FREQ = %q", reply)
		}
		out = append(out, n)
	}
	return out
}

// TestObjectFreqLFU checks that the LFU counter grows as Redis's: exactly
// with lfu-log-factor 0 (every access counts), and within the spread of
// the logarithmic counter with the default factor.
func TestObjectFreqLFU(t *testing.T) {
	anax := servertest.Start(t, "--threads", "2")
	redis := servertest.StartRedis(t)
	for _, reads := range []int{0, 1, 10, 300} {
		a, r := freqs(t, anax, 0, 1, reads)[0], freqs(t, redis, 0, 1, reads)[0]
		if a != r {
			t.Errorf("lfu-log-factor 0, %d reads: OBJECT FREQ %d, redis %d", reads, a, r)
		}
	}
	mean := func(v []int) float64 {
		s := 0
		for _, x := range v {
			s += x
		}
		return float64(s) / float64(len(v))
	}
	// 200 keys per server, in batches of 20 (one pipelined batch per call, so
	// neither server holds more than a batch's replies). The counter's
	// standard deviation after 1,000 reads is about 2.2 (a simulation of
	// Redis's increment), so the difference of the two means has one of
	// about 0.22 and the 1.5 allowed is 7 of them. With 20 keys it was 2.2
	// of them, and the test failed about one run in thirty.
	batches := func(addr string, reads int) []int {
		var all []int
		for range 10 {
			all = append(all, freqs(t, addr, 10, 20, reads)...)
		}
		return all
	}
	for _, reads := range []int{100, 1000} {
		a, r := mean(batches(anax, reads)), mean(batches(redis, reads))
		t.Logf("lfu-log-factor 10, %d reads: mean OBJECT FREQ %.2f, redis %.2f", reads, a, r)
		if math.Abs(a-r) > 1.5 {
			t.Errorf("lfu-log-factor 10, %d reads: mean OBJECT FREQ %.2f, redis %.2f", reads, a, r)
		}
	}
}
