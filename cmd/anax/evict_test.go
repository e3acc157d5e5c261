package main_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// The maxmemory tests run the binary: the limit is on the whole process,
// which in a test binary would include the tests and every other server.

const oomReply = "-OOM command not allowed when used memory > 'maxmemory'.\r\n"

// evictServer starts the binary with args and returns a connection to it.
func evictServer(t *testing.T, bin string, args ...string) *servertest.Raw {
	t.Helper()
	r, _ := evictServerAt(t, bin, args...)
	return r
}

// evictServerAt is evictServer that also returns the server's address.
func evictServerAt(t *testing.T, bin string, args ...string) (*servertest.Raw, string) {
	t.Helper()
	port := servertest.FreePort(t)
	startAnax(t, bin, nil, append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", ""}, args...)...)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	r := servertest.Dial(t, addr)
	t.Cleanup(r.Close)
	return r, addr
}

// fill writes keys prefix:from..prefix:to-1 with values of size bytes (and
// extra arguments, such as EX 1000), pipelined, and returns the replies
// that were not +OK.
func fill(t *testing.T, r *servertest.Raw, prefix string, from, to, size int, extra ...string) []string {
	t.Helper()
	val := strings.Repeat("v", size)
	var bad []string
	for i := from; i < to; {
		n := min(200, to-i)
		var buf []byte
		for j := i; j < i+n; j++ {
			buf = append(buf, servertest.Encode(append([]string{"SET", prefix + ":" + strconv.Itoa(j), val}, extra...)...)...)
		}
		r.Send(buf)
		for j := 0; j < n; j++ {
			if got := r.Read(); got != "+OK\r\n" {
				bad = append(bad, got)
			}
		}
		i += n
	}
	return bad
}

// existing counts the keys prefix:from..to-1 that exist.
func existing(t *testing.T, r *servertest.Raw, prefix string, from, to int) int {
	t.Helper()
	var buf []byte
	for j := from; j < to; j++ {
		buf = append(buf, servertest.Encode("EXISTS", prefix+":"+strconv.Itoa(j))...)
	}
	r.Send(buf)
	n := 0
	for j := from; j < to; j++ {
		if r.Read() == ":1\r\n" {
			n++
		}
	}
	return n
}

// readAll GETs keys prefix:from..to-1 (their access time and counter).
func readAll(t *testing.T, r *servertest.Raw, prefix string, from, to int) {
	t.Helper()
	var buf []byte
	for j := from; j < to; j++ {
		buf = append(buf, servertest.Encode("GET", prefix+":"+strconv.Itoa(j))...)
	}
	r.Send(buf)
	for j := from; j < to; j++ {
		r.Read()
	}
}

// infoInt returns field name of INFO.
func infoInt(t *testing.T, r *servertest.Raw, name string) int64 {
	t.Helper()
	info := r.Do("INFO", "everything")
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("INFO %s: %q", name, v)
			}
			return n
		}
	}
	t.Fatalf("INFO has no %s", name)
	return 0
}

func TestMaxmemory(t *testing.T) {
	bin := buildAnax(t)
	const mb = 1 << 20

	t.Run("noeviction", func(t *testing.T) {
		// The replies are Redis 7.0's (TestMaxmemoryOOMDiff in server
		// compares them); here the refusal and its release.
		r := evictServer(t, bin, "--threads", "2")
		r.Do("SET", "k", "v")
		r.Do("CONFIG", "SET", "maxmemory", "1")
		if got := r.Do("SET", "k", "v2"); got != oomReply {
			t.Fatalf("SET over maxmemory = %q", got)
		}
		if got := r.Do("GET", "k"); got != "$1\r\nv\r\n" {
			t.Fatalf("GET over maxmemory = %q", got)
		}
		r.Do("CONFIG", "SET", "maxmemory", "0")
		if got := r.Do("SET", "k", "v2"); got != "+OK\r\n" {
			t.Fatalf("SET after maxmemory 0 = %q", got)
		}
	})

	t.Run("allkeys-random/10x", func(t *testing.T) {
		limit := int64(32 * mb)
		r := evictServer(t, bin, "--threads", "2", "--hz", "50", "--maxmemory", "32mb", "--maxmemory-policy", "allkeys-random")
		if bad := fill(t, r, "k", 0, 40000, 8<<10); len(bad) > 0 {
			t.Fatalf("%d writes refused, first %q", len(bad), bad[0])
		}
		used := infoInt(t, r, "used_memory")
		evicted := infoInt(t, r, "evicted_keys")
		keys := r.Do("DBSIZE")
		t.Logf("used_memory %.1f MiB, evicted %d, DBSIZE %s", float64(used)/mb, evicted, strings.TrimSpace(keys))
		if used > limit+limit/4 {
			t.Errorf("used_memory %d after writing 10x maxmemory %d", used, limit)
		}
		if evicted < 30000 {
			t.Errorf("evicted_keys = %d, want most of 40000", evicted)
		}
	})

	t.Run("volatile", func(t *testing.T) {
		for _, policy := range []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"} {
			r := evictServer(t, bin, "--threads", "2", "--maxmemory", "32mb", "--maxmemory-policy", policy)
			fill(t, r, "keep", 0, 300, 4<<10)
			if bad := fill(t, r, "vol", 0, 8000, 4<<10, "EX", "10000"); len(bad) > 0 {
				t.Fatalf("%s: %d writes refused, first %q", policy, len(bad), bad[0])
			}
			if n := existing(t, r, "keep", 0, 300); n != 300 {
				t.Errorf("%s: %d of 300 keys without TTL left", policy, n)
			}
			if n := infoInt(t, r, "evicted_keys"); n == 0 {
				t.Errorf("%s: nothing evicted", policy)
			}
			if policy != "volatile-lru" {
				continue
			}
			// Only keys without a TTL are left to evict: writes are refused.
			if bad := fill(t, r, "keep", 300, 8000, 4<<10); len(bad) == 0 || bad[0] != oomReply {
				t.Errorf("%s: writes with nothing volatile left: %d refused (%q)", policy, len(bad), bad)
			}
		}
	})

	t.Run("volatile-ttl", func(t *testing.T) {
		// Later keys expire sooner: they go first.
		r := evictServer(t, bin, "--threads", "2", "--maxmemory", "32mb", "--maxmemory-policy", "volatile-ttl")
		for i := 0; i < 10000; i += 500 {
			fill(t, r, "t", i, i+500, 4<<10, "EX", strconv.Itoa(100000-i))
		}
		early, late := existing(t, r, "t", 0, 2000), existing(t, r, "t", 8000, 10000)
		t.Logf("far expiry kept %d/2000, near expiry kept %d/2000", early, late)
		if early < 1800 || 4*late > 3*early {
			t.Errorf("volatile-ttl kept %d far-expiry and %d near-expiry keys", early, late)
		}
	})

	t.Run("watch", func(t *testing.T) {
		// An evicted key is a modified key: EXEC of a transaction that
		// watched it fails. It is the only key with an expiry, so the
		// volatile policy must take it before refusing writes (sampling
		// could pass it over among other candidates).
		r, addr := evictServerAt(t, bin, "--threads", "2", "--maxmemory", "32mb", "--maxmemory-policy", "volatile-ttl")
		r.Do("SET", "w", "v", "EX", "100")
		r.Do("WATCH", "w")
		w := servertest.Dial(t, addr)
		defer w.Close()
		fill(t, w, "t", 0, 12000, 4<<10)
		if got := r.Do("EXISTS", "w"); got != ":0\r\n" {
			t.Fatalf("EXISTS w = %q: the nearest expiry was not evicted", got)
		}
		r.Do("MULTI")
		r.Do("PING")
		if got := r.Do("EXEC"); got != "*-1\r\n" {
			t.Fatalf("EXEC after the watched key was evicted = %q", got)
		}
	})

	t.Run("allkeys-lru", func(t *testing.T) {
		// The clock is in seconds, as Redis's LRU clock: cold keys written
		// a second before the hot keys are read, new keys a second after.
		r := evictServer(t, bin, "--threads", "2", "--maxmemory", "32mb", "--maxmemory-policy", "allkeys-lru")
		fill(t, r, "hot", 0, 500, 4<<10)
		fill(t, r, "cold", 0, 3000, 4<<10)
		time.Sleep(1100 * time.Millisecond)
		readAll(t, r, "hot", 0, 500)
		time.Sleep(1100 * time.Millisecond)
		fill(t, r, "new", 0, 4000, 4<<10)
		hot, cold := existing(t, r, "hot", 0, 500), existing(t, r, "cold", 0, 3000)
		t.Logf("hot kept %d/500, cold kept %d/3000, evicted %d", hot, cold, infoInt(t, r, "evicted_keys"))
		if cold == 3000 {
			t.Fatal("nothing evicted")
		}
		// Sampling approximates LRU (as Redis's does): once few untouched
		// keys are left, samples miss them and recently read ones go.
		if float64(hot)/500 < 0.5 || float64(hot)/500 < 2*float64(cold)/3000 {
			t.Errorf("allkeys-lru kept %d/500 recently read keys and %d/3000 untouched ones", hot, cold)
		}
	})

	t.Run("allkeys-lfu", func(t *testing.T) {
		// No decay: past a minute boundary between the reads and the
		// evictions the hot keys' counters would drop by one, some to the
		// new keys' starting value, and ties are evicted as often as not.
		// The limit is set once the hot keys are read, above what the
		// process then uses: a process that starts near a fixed limit (a
		// race-detector build) would evict hot keys before their reads.
		r := evictServer(t, bin, "--threads", "2", "--maxmemory-policy", "allkeys-lfu", "--lfu-decay-time", "0")
		fill(t, r, "hot", 0, 500, 4<<10)
		for i := 0; i < 20; i++ {
			readAll(t, r, "hot", 0, 500)
		}
		// The reads' replies are garbage until the next collection, and
		// used_memory counts them until then (up to ~20 MB here): PURGE
		// collects first, so that the limit is 16 MB above what is kept.
		r.Do("MEMORY", "PURGE")
		limit := infoInt(t, r, "used_memory") + 16*mb
		r.Do("CONFIG", "SET", "maxmemory", strconv.FormatInt(limit, 10))
		fill(t, r, "cold", 0, 8000, 4<<10)
		hot, cold := existing(t, r, "hot", 0, 500), existing(t, r, "cold", 0, 8000)
		t.Logf("limit %.1f MiB: hot kept %d/500, cold kept %d/8000", float64(limit)/mb, hot, cold)
		if float64(hot)/500 < 0.95 || cold == 8000 {
			t.Errorf("allkeys-lfu kept %d/500 frequently read keys and %d/8000 others", hot, cold)
		}
	})
}

// TestMaxmemoryOOMDiff compares the refusals over maxmemory (noeviction)
// with redis-server 7.0's, MULTI/EXEC included.
func TestMaxmemoryOOMDiff(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	bin := buildAnax(t)
	script := [][]string{
		{"a", "SET", "k", "v"},
		{"a", "MULTI"},
		{"a", "SET", "q", "1"},
		{"b", "CONFIG", "SET", "maxmemory", "1"},
		{"a", "EXEC"}, // queued a deny-oom command: EXECABORT
		{"a", "SET", "k", "v2"},
		{"a", "INCR", "n"},
		{"a", "LPUSH", "l", "x"},
		{"a", "APPEND", "k", "x"},
		{"a", "GET", "k"},
		{"a", "EXISTS", "k"},
		{"a", "EXPIRE", "k", "100"},
		{"a", "PERSIST", "k"},
		{"a", "MULTI"},
		{"a", "GET", "k"}, // anything queued is refused
		{"a", "EXEC"},
		{"a", "MULTI"},
		{"a", "PING"},
		{"a", "DISCARD"},
		{"a", "DEL", "k"},
		{"a", "CONFIG", "SET", "maxmemory", "0"},
		{"a", "SET", "k", "v3"},
		{"a", "MULTI"},
		{"a", "SET", "k", "v4"},
		{"a", "EXEC"},
	}
	port := servertest.FreePort(t)
	startAnax(t, bin, nil, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "")
	anaxAddr := fmt.Sprintf("127.0.0.1:%d", port)
	run := func(addr string) []string {
		a, b := servertest.Dial(t, addr), servertest.Dial(t, addr)
		defer a.Close()
		defer b.Close()
		var out []string
		for _, line := range script {
			c := a
			if line[0] == "b" {
				c = b
			}
			out = append(out, c.Do(line[1:]...))
		}
		return out
	}
	got, want := run(anaxAddr), run(redisAddr)
	for i := range script {
		if got[i] != want[i] {
			t.Errorf("%q:\n  anax:  %q\n  redis: %q", script[i], got[i], want[i])
		}
	}
}

// TestCacheMode: with cache_mode yes the default noeviction policy no
// longer refuses writes; keys are evicted through the table, counted in
// evicted_keys, and the setting answers to both spellings.
func TestCacheMode(t *testing.T) {
	r := evictServer(t, buildAnax(t), "--threads", "1", "--maxmemory", "32mb", "--cache_mode", "yes")
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
	evictedKeys := func() int {
		for _, line := range strings.Split(r.Do("INFO", "stats"), "\r\n") {
			if v, ok := strings.CutPrefix(line, "evicted_keys:"); ok {
				n, _ := strconv.Atoi(v)
				return n
			}
		}
		return -1
	}
	// The cron may still evict after the last write (it checks the memory
	// on its own): the two counts are read again until no eviction came
	// between them.
	var evicted, size int
	for tries := 0; tries < 50; tries++ {
		evicted = evictedKeys()
		size, _ = strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(r.Do("DBSIZE"), ":")))
		if evictedKeys() == evicted {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
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
