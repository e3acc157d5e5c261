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
// FREQ, on the server at addr under allkeys-lfu with lfu-log-factor factor.
func freqs(t *testing.T, addr string, factor, nkeys, reads int) []int {
	r := servertest.Dial(t, addr)
	defer r.Close()
	r.Do("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
	r.Do("CONFIG", "SET", "lfu-log-factor", strconv.Itoa(factor))
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
	for _, reads := range []int{100, 1000} {
		a, r := mean(freqs(t, anax, 10, 20, reads)), mean(freqs(t, redis, 10, 20, reads))
		t.Logf("lfu-log-factor 10, %d reads: mean OBJECT FREQ %.2f, redis %.2f", reads, a, r)
		if math.Abs(a-r) > 1.5 {
			t.Errorf("lfu-log-factor 10, %d reads: mean OBJECT FREQ %.2f, redis %.2f", reads, a, r)
		}
	}
}

// TestCacheMode: with cache_mode yes the default noeviction policy no
// longer refuses writes; keys are evicted through the table, counted in
// evicted_keys, and the setting answers to both spellings.
func TestCacheMode(t *testing.T) {
	addr := servertest.Start(t, "--threads", "1", "--maxmemory", "32mb", "--cache_mode", "yes")
	r := servertest.Dial(t, addr)
	defer r.Close()
	for _, name := range []string{"cache_mode", "cache-mode"} {
		if got := r.Do("CONFIG", "GET", name); got != "*2\r\n$10\r\n"+name+"\r\n$3\r\nyes\r\n" {
			t.Fatalf("CONFIG GET %s = %q", name, got)
		}
	}
	val := strings.Repeat("v", 1000)
	const n = 40000
	for base := 0; base < n; base += 1000 {
		var buf []byte
		for i := base; i < base+1000; i++ {
			buf = append(buf, servertest.Encode("SET", fmt.Sprint("key:", i), val)...)
		}
		r.Send(buf)
		for i := base; i < base+1000; i++ {
			if got := r.Read(); got != "+OK\r\n" {
				t.Fatalf("SET key:%d = %q", i, got)
			}
		}
	}
	info := r.Do("INFO", "stats")
	evicted := 0
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "evicted_keys:"); ok {
			evicted, _ = strconv.Atoi(v)
		}
	}
	size, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(r.Do("DBSIZE"), ":")))
	if evicted == 0 || size+evicted != n || size > 32<<20/1000 {
		t.Fatalf("evicted_keys %d, dbsize %d after %d SETs of 1 KB under maxmemory 32mb", evicted, size, n)
	}
	if got := r.Do("CONFIG", "SET", "cache_mode", "false"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET cache_mode false = %q", got)
	}
	if got := r.Do("CONFIG", "GET", "cache_mode"); got != "*2\r\n$10\r\ncache_mode\r\n$2\r\nno\r\n" {
		t.Fatalf("CONFIG GET cache_mode = %q", got)
	}
}
