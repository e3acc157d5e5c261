package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// setStep is one CONFIG SET and what it should answer, followed by the
// CONFIG GET values it should leave. Every step was run against
// redis-server 7.0.15 too (TestSetAgainstRedis replays them when
// ANAXTEST_REDIS_ADDR is set); redis holds Redis's answer where Anax
// deliberately differs, and skipRedis marks steps not sent to Redis at all.
type setStep struct {
	pairs     [][2]string
	want      string            // error text, "" for OK
	redis     string            // Redis's reply when it differs from want ("OK" for success)
	get       map[string]string // values after the step
	skipRedis bool
}

func kv(s ...string) [][2]string {
	if len(s)%2 != 0 {
		panic("odd")
	}
	var out [][2]string
	for i := 0; i < len(s); i += 2 {
		out = append(out, [2]string{s[i], s[i+1]})
	}
	return out
}

const (
	errBetween = "ERR CONFIG SET failed (possibly related to argument '%s') - argument must be between %s and %s inclusive"
	errInt     = "ERR CONFIG SET failed (possibly related to argument '%s') - argument couldn't be parsed into an integer"
	errMem     = "ERR CONFIG SET failed (possibly related to argument '%s') - argument must be a memory value"
	errFailed  = "ERR CONFIG SET failed (possibly related to argument '%s') - %s"
)

var setSteps = []setStep{
	// Name checks: the first problem in argument order wins.
	{pairs: kv("foo", "1"), want: "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
	{pairs: kv("maxmemory", "5mb", "foo", "1"), want: "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
	{pairs: kv("foo", "1", "hz", "10"), want: "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
	{pairs: kv("databases", "3"), want: fmt.Sprintf(errFailed, "databases", "can't set immutable config")},
	{pairs: kv("tcp-backlog", "5", "foo", "1"), want: fmt.Sprintf(errFailed, "tcp-backlog", "can't set immutable config")},
	{pairs: kv("enable-debug-command", "yes"), want: fmt.Sprintf(errFailed, "enable-debug-command", "can't set immutable config")},
	{pairs: kv("dir", "/tmp"), want: fmt.Sprintf(errFailed, "dir", "can't set protected config")},
	{pairs: kv("dbfilename", "x.rdb"), want: fmt.Sprintf(errFailed, "dbfilename", "can't set protected config")},
	{pairs: kv("hz", "abc", "dir", "/tmp"), want: fmt.Sprintf(errFailed, "dir", "can't set protected config")},
	{pairs: kv("hz", "10", "hz", "20"), want: fmt.Sprintf(errFailed, "hz", "duplicate parameter")},
	{pairs: kv("hz", "10", "HZ", "20"), want: fmt.Sprintf(errFailed, "HZ", "duplicate parameter")},
	{pairs: kv("hz", "5", "hz", "6", "foo", "1"), want: fmt.Sprintf(errFailed, "hz", "duplicate parameter")},
	{pairs: kv("save", "100 1", "save", "200 2"), want: fmt.Sprintf(errFailed, "save", "duplicate parameter")},
	// Anax refuses port and bind at runtime; Redis re-binds.
	{pairs: kv("port", "7000"), want: fmt.Sprintf(errFailed, "port", "can't set immutable config"), skipRedis: true},
	{pairs: kv("bind", "127.0.0.1"), want: fmt.Sprintf(errFailed, "bind", "can't set immutable config"), skipRedis: true},
	// A name and its alias: Anax calls it a duplicate, Redis 7.0 lets the last win.
	{pairs: kv("hash-max-ziplist-entries", "100", "hash-max-listpack-entries", "200"),
		want:  fmt.Sprintf(errFailed, "hash-max-listpack-entries", "duplicate parameter"),
		redis: "OK"},
	{pairs: kv("hash-max-listpack-entries", "512"), get: map[string]string{"hash-max-ziplist-entries": "512"}},

	// Integers.
	{pairs: kv("hz", "abc"), want: fmt.Sprintf(errInt, "hz")},
	{pairs: kv("HZ", "abc"), want: fmt.Sprintf(errInt, "hz")},
	{pairs: kv("hz", "1.5"), want: fmt.Sprintf(errInt, "hz")},
	{pairs: kv("hz", "05"), want: fmt.Sprintf(errInt, "hz")},
	{pairs: kv("hz", "+5"), want: fmt.Sprintf(errInt, "hz")},
	{pairs: kv("hz", " 5"), want: fmt.Sprintf(errInt, "hz")},
	{pairs: kv("hz", ""), want: fmt.Sprintf(errInt, "hz")},
	{pairs: kv("timeout", "-0"), want: fmt.Sprintf(errInt, "timeout")},
	{pairs: kv("hz", "0x10"), want: fmt.Sprintf(errInt, "hz")},
	{pairs: kv("hz", "-1"), want: fmt.Sprintf(errBetween, "hz", "0", "2147483647")},
	{pairs: kv("hz", "2147483648"), want: fmt.Sprintf(errBetween, "hz", "0", "2147483647")},
	{pairs: kv("hz", "0"), get: map[string]string{"hz": "1"}},
	{pairs: kv("hz", "501"), get: map[string]string{"hz": "500"}},
	{pairs: kv("hz", "10"), get: map[string]string{"hz": "10"}},
	{pairs: kv("hash-max-ziplist-entries", "abc"), want: fmt.Sprintf(errInt, "hash-max-ziplist-entries")},
	{pairs: kv("hash-max-listpack-entries", "-1"), want: fmt.Sprintf(errBetween, "hash-max-listpack-entries", "0", "9223372036854775807")},
	{pairs: kv("slowlog-log-slower-than", "9223372036854775808"), want: fmt.Sprintf(errInt, "slowlog-log-slower-than")},
	{pairs: kv("slowlog-log-slower-than", "-5"), want: fmt.Sprintf(errBetween, "slowlog-log-slower-than", "-1", "9223372036854775807")},
	{pairs: kv("slowlog-log-slower-than", "-1"), get: map[string]string{"slowlog-log-slower-than": "-1"}},
	{pairs: kv("slowlog-log-slower-than", "10000")},
	{pairs: kv("slowlog-max-len", "9223372036854775807"), get: map[string]string{"slowlog-max-len": "9223372036854775807"}},
	{pairs: kv("slowlog-max-len", "128")},
	{pairs: kv("maxclients", "0"), want: fmt.Sprintf(errBetween, "maxclients", "1", "4294967295")},
	{pairs: kv("timeout", "-1"), want: fmt.Sprintf(errBetween, "timeout", "0", "2147483647")},
	{pairs: kv("timeout", "5"), get: map[string]string{"timeout": "5"}},
	{pairs: kv("timeout", "0")},
	{pairs: kv("active-expire-effort", "0"), want: fmt.Sprintf(errBetween, "active-expire-effort", "1", "10")},
	{pairs: kv("active-expire-effort", "11"), want: fmt.Sprintf(errBetween, "active-expire-effort", "1", "10")},
	{pairs: kv("maxmemory-eviction-tenacity", "101"), want: fmt.Sprintf(errBetween, "maxmemory-eviction-tenacity", "0", "100")},
	{pairs: kv("maxmemory-samples", "0"), want: fmt.Sprintf(errBetween, "maxmemory-samples", "1", "2147483647")},
	{pairs: kv("lfu-log-factor", "-1"), want: fmt.Sprintf(errBetween, "lfu-log-factor", "0", "2147483647")},
	{pairs: kv("list-max-listpack-size", "-3000000000"), want: fmt.Sprintf(errBetween, "list-max-listpack-size", "-2147483648", "2147483647")},
	{pairs: kv("list-max-ziplist-size", "0"), get: map[string]string{"list-max-listpack-size": "0"}},
	{pairs: kv("list-max-listpack-size", "-2")},
	{pairs: kv("busy-reply-threshold", "-1"), want: fmt.Sprintf(errBetween, "busy-reply-threshold", "0", "9223372036854775807")},
	{pairs: kv("lua-time-limit", "-1"), want: fmt.Sprintf(errBetween, "lua-time-limit", "0", "9223372036854775807")},
	{pairs: kv("stream-node-max-entries", "-1"), want: fmt.Sprintf(errBetween, "stream-node-max-entries", "0", "9223372036854775807")},

	// Memory.
	{pairs: kv("maxmemory", "abc"), want: fmt.Sprintf(errMem, "maxmemory")},
	{pairs: kv("maxmemory", "-1"), want: fmt.Sprintf(errMem, "maxmemory")},
	{pairs: kv("maxmemory", "1.5mb"), want: fmt.Sprintf(errMem, "maxmemory")},
	{pairs: kv("maxmemory", "1tb"), want: fmt.Sprintf(errMem, "maxmemory")},
	{pairs: kv("maxmemory", "1 k"), want: fmt.Sprintf(errMem, "maxmemory")},
	{pairs: kv("maxmemory", " 12"), want: fmt.Sprintf(errMem, "maxmemory")},
	{pairs: kv("maxmemory", "12 "), want: fmt.Sprintf(errMem, "maxmemory")},
	{pairs: kv("maxmemory", "+12"), want: fmt.Sprintf(errMem, "maxmemory")},
	{pairs: kv("maxmemory", "0x10"), want: fmt.Sprintf(errMem, "maxmemory")},
	{pairs: kv("Maxmemory", "abc"), want: fmt.Sprintf(errMem, "maxmemory")},
	{pairs: kv("hash-max-listpack-value", "-1"), want: fmt.Sprintf(errMem, "hash-max-listpack-value")},
	{pairs: kv("maxmemory", "1KB"), get: map[string]string{"maxmemory": "1024"}},
	{pairs: kv("maxmemory", "1kB"), get: map[string]string{"maxmemory": "1024"}},
	{pairs: kv("maxmemory", "1k"), get: map[string]string{"maxmemory": "1000"}},
	{pairs: kv("Maxmemory", "1Gb"), get: map[string]string{"maxmemory": "1073741824"}},
	{pairs: kv("maxmemory", "2g"), get: map[string]string{"maxmemory": "2000000000"}},
	{pairs: kv("maxmemory", "3m"), get: map[string]string{"maxmemory": "3000000"}},
	{pairs: kv("maxmemory", "1b"), get: map[string]string{"maxmemory": "1"}},
	{pairs: kv("maxmemory", "100B"), get: map[string]string{"maxmemory": "100"}},
	{pairs: kv("maxmemory", "00012"), get: map[string]string{"maxmemory": "12"}},
	{pairs: kv("maxmemory", "k"), get: map[string]string{"maxmemory": "0"}},
	{pairs: kv("maxmemory", "5mb"), get: map[string]string{"maxmemory": "5242880"}},
	{pairs: kv("maxmemory", ""), get: map[string]string{"maxmemory": "0"}},
	{pairs: kv("proto-max-bulk-len", "100"), want: fmt.Sprintf(errBetween, "proto-max-bulk-len", "1048576", "9223372036854775807")},
	{pairs: kv("client-query-buffer-limit", "100"), want: fmt.Sprintf(errBetween, "client-query-buffer-limit", "1048576", "9223372036854775807")},
	{pairs: kv("proto-max-bulk-len", "1mb"), get: map[string]string{"proto-max-bulk-len": "1048576"}},
	{pairs: kv("proto-max-bulk-len", "512mb")},
	{pairs: kv("hash-max-ziplist-value", "1kb"), get: map[string]string{"hash-max-listpack-value": "1024"}},
	{pairs: kv("hash-max-listpack-value", "64")},

	// Bools and enums.
	{pairs: kv("appendonly", "maybe"), want: fmt.Sprintf(errFailed, "appendonly", "argument must be 'yes' or 'no'")},
	{pairs: kv("appendonly", ""), want: fmt.Sprintf(errFailed, "appendonly", "argument must be 'yes' or 'no'")},
	{pairs: kv("protected-mode", "NO"), get: map[string]string{"protected-mode": "no"}},
	{pairs: kv("protected-mode", "Yes"), get: map[string]string{"protected-mode": "yes"}},
	{pairs: kv("maxmemory-policy", "foo"), want: fmt.Sprintf(errFailed, "maxmemory-policy",
		"argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction")},
	{pairs: kv("maxmemory-policy", ""), want: fmt.Sprintf(errFailed, "maxmemory-policy",
		"argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction")},
	{pairs: kv("maxmemory-policy", "ALLKEYS-LRU"), get: map[string]string{"maxmemory-policy": "allkeys-lru"}},
	{pairs: kv("maxmemory-policy", "noeviction")},
	// Anax accepts loglevel "nothing", as Redis 7.2 does.
	{pairs: kv("loglevel", "foo"),
		want:  fmt.Sprintf(errFailed, "loglevel", "argument(s) must be one of the following: debug, verbose, notice, warning, nothing"),
		redis: fmt.Sprintf(errFailed, "loglevel", "argument(s) must be one of the following: debug, verbose, notice, warning")},
	{pairs: kv("loglevel", "WARNING"), get: map[string]string{"loglevel": "warning"}},
	{pairs: kv("loglevel", "notice")},
	{pairs: kv("appendfsync", "bad"), want: fmt.Sprintf(errFailed, "appendfsync", "argument(s) must be one of the following: everysec, always, no")},
	{pairs: kv("shutdown-on-sigterm", "bogus"), want: fmt.Sprintf(errFailed, "shutdown-on-sigterm", "argument(s) must be one of the following: default, save, nosave, now, force")},
	{pairs: kv("shutdown-on-sigterm", ""), want: fmt.Sprintf(errFailed, "shutdown-on-sigterm", "argument(s) must be one of the following: default, save, nosave, now, force")},
	{pairs: kv("shutdown-on-sigterm", "save now"), get: map[string]string{"shutdown-on-sigterm": "save now"}},
	{pairs: kv("shutdown-on-sigterm", "now save"), get: map[string]string{"shutdown-on-sigterm": "save now"}},
	{pairs: kv("shutdown-on-sigterm", "nosave force"), get: map[string]string{"shutdown-on-sigterm": "nosave force"}},
	{pairs: kv("shutdown-on-sigterm", "default save"), get: map[string]string{"shutdown-on-sigterm": "save"}},
	{pairs: kv("shutdown-on-sigterm", "now"), get: map[string]string{"shutdown-on-sigterm": "now"}},
	{pairs: kv("shutdown-on-sigterm", "default"), get: map[string]string{"shutdown-on-sigterm": "default"}},

	// save.
	{pairs: kv("save", "100"), want: fmt.Sprintf(errFailed, "save", "Invalid save parameters")},
	{pairs: kv("save", "a b"), want: fmt.Sprintf(errFailed, "save", "Invalid save parameters")},
	{pairs: kv("save", "100 1 200"), want: fmt.Sprintf(errFailed, "save", "Invalid save parameters")},
	{pairs: kv("save", "0"), want: fmt.Sprintf(errFailed, "save", "Invalid save parameters")},
	{pairs: kv("save", "0 0"), want: fmt.Sprintf(errFailed, "save", "Invalid save parameters")},
	{pairs: kv("save", "-1 1"), want: fmt.Sprintf(errFailed, "save", "Invalid save parameters")},
	{pairs: kv("save", "10 10 x 10"), want: fmt.Sprintf(errFailed, "save", "Invalid save parameters")},
	{pairs: kv("save", " 100 1"), want: fmt.Sprintf(errFailed, "save", "Invalid save parameters")},
	{pairs: kv("save", "100  1"), want: fmt.Sprintf(errFailed, "save", "Invalid save parameters")},
	{pairs: kv("save", "100 1"), get: map[string]string{"save": "100 1"}},
	{pairs: kv("save", "5 0 10 1"), get: map[string]string{"save": "5 0 10 1"}},
	{pairs: kv("save", "+5 -0"), get: map[string]string{"save": "5 0"}},
	{pairs: kv("save", "5 00"), get: map[string]string{"save": "5 0"}},
	{pairs: kv("save", "100 "), get: map[string]string{"save": "100 0"}},
	{pairs: kv("save", ""), get: map[string]string{"save": ""}},

	// notify-keyspace-events.
	{pairs: kv("notify-keyspace-events", "Q"), want: fmt.Sprintf(errFailed, "notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")},
	{pairs: kv("notify-keyspace-events", "KEA"), get: map[string]string{"notify-keyspace-events": "AKE"}},
	{pairs: kv("notify-keyspace-events", "KEAgx"), get: map[string]string{"notify-keyspace-events": "AKE"}},
	{pairs: kv("notify-keyspace-events", "g$lshzxetd"), get: map[string]string{"notify-keyspace-events": "A"}},
	{pairs: kv("notify-keyspace-events", "g$lshzxet"), get: map[string]string{"notify-keyspace-events": "g$lshzxet"}},
	{pairs: kv("notify-keyspace-events", "nA"), get: map[string]string{"notify-keyspace-events": "A"}},
	{pairs: kv("notify-keyspace-events", "gK"), get: map[string]string{"notify-keyspace-events": "gK"}},
	{pairs: kv("notify-keyspace-events", "mExn"), get: map[string]string{"notify-keyspace-events": "xnEm"}},
	{pairs: kv("notify-keyspace-events", ""), get: map[string]string{"notify-keyspace-events": ""}},

	// client-output-buffer-limit.
	{pairs: kv("client-output-buffer-limit", "normal 1 2"), want: fmt.Sprintf(errFailed, "client-output-buffer-limit", "Wrong number of arguments in buffer limit configuration.")},
	{pairs: kv("client-output-buffer-limit", "master 1 2 3"), want: fmt.Sprintf(errFailed, "client-output-buffer-limit", "Invalid client class specified in buffer limit configuration.")},
	{pairs: kv("client-output-buffer-limit", "foo 1 2 3"), want: fmt.Sprintf(errFailed, "client-output-buffer-limit", "Invalid client class specified in buffer limit configuration.")},
	{pairs: kv("client-output-buffer-limit", "normal 1 2 x"), want: fmt.Sprintf(errFailed, "client-output-buffer-limit", "Error in hard, soft or soft_seconds setting in buffer limit configuration.")},
	{pairs: kv("client-output-buffer-limit", "normal x 2 3"), want: fmt.Sprintf(errFailed, "client-output-buffer-limit", "Error in hard, soft or soft_seconds setting in buffer limit configuration.")},
	{pairs: kv("client-output-buffer-limit", "normal -1 2 3"), want: fmt.Sprintf(errFailed, "client-output-buffer-limit", "Error in hard, soft or soft_seconds setting in buffer limit configuration.")},
	{pairs: kv("client-output-buffer-limit", "normal 1 2 -3"), want: fmt.Sprintf(errFailed, "client-output-buffer-limit", "Error in hard, soft or soft_seconds setting in buffer limit configuration.")},
	{pairs: kv("client-output-buffer-limit", "replica 1mb 2kb 3 pubsub 1 2"), want: fmt.Sprintf(errFailed, "client-output-buffer-limit", "Wrong number of arguments in buffer limit configuration.")},
	{pairs: kv("client-output-buffer-limit", "replica 1mb 2kb 3 Pubsub 4 5 6"),
		get: map[string]string{"client-output-buffer-limit": "normal 0 0 0 slave 1048576 2048 3 pubsub 4 5 6"}},
	{pairs: kv("client-output-buffer-limit", ""),
		get: map[string]string{"client-output-buffer-limit": "normal 0 0 0 slave 1048576 2048 3 pubsub 4 5 6"}},
	{pairs: kv("client-output-buffer-limit", "slave 256mb 64mb 60 pubsub 32mb 8mb 60"),
		get: map[string]string{"client-output-buffer-limit": "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"}},

	// latency-tracking-info-percentiles.
	{pairs: kv("latency-tracking-info-percentiles", "50 101"), want: fmt.Sprintf(errFailed, "latency-tracking-info-percentiles", "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")},
	{pairs: kv("latency-tracking-info-percentiles", "x"), want: fmt.Sprintf(errFailed, "latency-tracking-info-percentiles", "Invalid latency-tracking-info-percentiles parameters")},
	{pairs: kv("latency-tracking-info-percentiles", " 50"), want: fmt.Sprintf(errFailed, "latency-tracking-info-percentiles", "Invalid latency-tracking-info-percentiles parameters")},
	{pairs: kv("latency-tracking-info-percentiles", "50 99.9999 1 0.5 100 1e1 33.333333333 0.0000001"),
		get: map[string]string{"latency-tracking-info-percentiles": "50 99.9999 1 0.5 100 10 33.333333 0"}},
	{pairs: kv("latency-tracking-info-percentiles", ""), get: map[string]string{"latency-tracking-info-percentiles": ""}},
	{pairs: kv("latency-tracking-info-percentiles", "50 99 99.9"), get: map[string]string{"latency-tracking-info-percentiles": "50 99 99.9"}},

	// All or nothing: a bad value later in the call changes nothing.
	{pairs: kv("hz", "20", "maxmemory", "abc"), want: fmt.Sprintf(errMem, "maxmemory"),
		get: map[string]string{"hz": "10", "maxmemory": "0"}},
	{pairs: kv("hz", "20", "maxmemory", "1mb", "save", "x"), want: fmt.Sprintf(errFailed, "save", "Invalid save parameters"),
		get: map[string]string{"hz": "10", "maxmemory": "0", "save": ""}},
	{pairs: kv("hz", "20", "maxmemory", "1mb", "save", "60 1"),
		get: map[string]string{"hz": "20", "maxmemory": "1048576", "save": "60 1"}},
	{pairs: kv("hz", "10", "maxmemory", "0", "save", "")},
}

func TestSetSteps(t *testing.T) {
	c := New()
	for i, st := range setSteps {
		err := c.Set(st.pairs)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != st.want {
			t.Fatalf("step %d: CONFIG SET %q:\n got %q\nwant %q", i, st.pairs, got, st.want)
		}
		for name, want := range st.get {
			if g := c.Get(name); len(g) != 1 || g[0][1] != want {
				t.Fatalf("step %d: after CONFIG SET %q: CONFIG GET %s = %q, want %q", i, st.pairs, name, g, want)
			}
		}
	}
}

func TestSetAtomicHooks(t *testing.T) {
	c := New()
	var calls []string
	c.OnChange("hz", func(v string) { calls = append(calls, "hz="+v) })
	c.OnChange("maxmemory", func(v string) { calls = append(calls, "maxmemory="+v) })
	c.OnChange("dbnum", func(v string) { calls = append(calls, "databases="+v) })
	if err := c.Set(kv("hz", "20", "maxmemory", "abc")); err == nil {
		t.Fatal("want an error")
	}
	if len(calls) != 0 || c.Int("hz") != 10 {
		t.Fatalf("failed SET ran hooks %q or changed hz to %d", calls, c.Int("hz"))
	}
	if err := c.Set(kv("maxmemory", "1mb", "hz", "20", "maxmemory-policy", "allkeys-lru")); err != nil {
		t.Fatal(err)
	}
	if want := "maxmemory=1048576 hz=20"; strings.Join(calls, " ") != want {
		t.Fatalf("hooks ran %q, want %q", calls, want)
	}
	calls = nil
	if err := c.Set(kv("hz", "20")); err != nil { // no change: no hook
		t.Fatal(err)
	}
	if err := c.Set(kv("hz", "1000")); err != nil { // clamped to 500
		t.Fatal(err)
	}
	if want := "hz=500"; strings.Join(calls, " ") != want {
		t.Fatalf("hooks ran %q, want %q", calls, want)
	}
}

func TestValidate(t *testing.T) {
	c := New()
	c.Validate("appendonly", func(v string) error {
		if v == "yes" {
			return errors.New("append-only files are not supported yet")
		}
		return nil
	})
	err := c.Set(kv("hz", "20", "appendonly", "yes"))
	want := "ERR CONFIG SET failed (possibly related to argument 'appendonly') - append-only files are not supported yet"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
	if c.Int("hz") != 10 || c.Bool("appendonly") {
		t.Fatal("a vetoed SET changed values")
	}
	if err := c.Set(kv("appendonly", "no")); err != nil {
		t.Fatal(err)
	}
	err = c.Load([]string{"--appendonly"}, nil)
	if want := "flag --appendonly: append-only files are not supported yet"; err == nil || err.Error() != want {
		t.Fatalf("Load: got %v, want %q", err, want)
	}
}

func TestProtectedConfigs(t *testing.T) {
	dir := t.TempDir()
	f := func(setting string, local bool, wantErr string) {
		t.Helper()
		c := New()
		if err := c.Load([]string{"--enable-protected-configs", setting}, nil); err != nil {
			t.Fatal(err)
		}
		set := c.Set
		if local {
			set = c.SetLocal
		}
		err := set(kv("dir", dir, "dbfilename", "x.rdb"))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != wantErr {
			t.Fatalf("enable-protected-configs %s, local %v: got %q, want %q", setting, local, got, wantErr)
		}
		if wantErr == "" && (c.String("dir") != dir || c.String("dbfilename") != "x.rdb") {
			t.Fatalf("dir %q dbfilename %q", c.String("dir"), c.String("dbfilename"))
		}
	}
	refused := fmt.Sprintf(errFailed, "dir", "can't set protected config")
	f("no", false, refused)
	f("no", true, refused)
	f("local", false, refused)
	f("local", true, "")
	f("yes", false, "")

	c := New()
	if err := c.Load([]string{"--enable-protected-configs=yes"}, nil); err != nil {
		t.Fatal(err)
	}
	err := c.Set(kv("dbfilename", "a/b"))
	if want := fmt.Sprintf(errFailed, "dbfilename", "dbfilename can't be a path, just a filename"); err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
	err = c.Set(kv("dir", dir+"/nonexistent"))
	if want := fmt.Sprintf(errFailed, "dir", "no such file or directory"); err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}

func TestGetPatterns(t *testing.T) {
	c := New()
	keys := func(patterns ...string) string {
		var ks []string
		for _, p := range c.Get(patterns...) {
			ks = append(ks, p[0])
		}
		return strings.Join(ks, " ")
	}
	f := func(want string, patterns ...string) {
		t.Helper()
		if got := keys(patterns...); got != want {
			t.Errorf("CONFIG GET %q: got keys %q, want %q", patterns, got, want)
		}
	}
	f("hz", "hz")
	f("HZ", "HZ") // an exact name is echoed as asked
	f("hz", "h?")
	f("hz", "hz", "hz", "h?")
	f("HZ", "HZ", "hz")
	f("hz", "hz", "HZ")
	f("", "nosuch")
	f("", "hz\\") // no wildcard: looked up as a name
	f("hash-max-ziplist-entries", "hash-max-ziplist-entries")
	f("hash-max-ziplist-entries hash-max-ziplist-value", "hash-max-zip*")
	f("hash-max-listpack-entries hash-max-ziplist-entries", "hash-max-*-entries")
	f("hash-max-listpack-entries hash-max-ziplist-entries hash-max-ziplist-value", "hash-max-listpack-entries", "hash-max-zip*")
	f("hash-max-listpack-entries hash-max-listpack-value", "Hash-max-[l]*") // Redis's order is its own; ours is sorted
	f("databases dbnum", "d?num", "databases")
	f("acllog-max-len slowlog-max-len", "*-max-len")
	f("proto_max_bulk_len", "proto_max_bulk_len") // '_' equals '-' for names
	f("maxmemory", "maxmemory")
	f("maxmemory maxmemory-clients maxmemory-eviction-tenacity maxmemory-policy maxmemory-samples", "maxmemory*")
	f("busy-reply-threshold lua-time-limit", "lua*", "busy-reply-threshold")
}

func TestConcurrentReadsDuringSet(t *testing.T) {
	c := New()
	maxmem := c.IntFunc("maxmemory")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if n := maxmem(); n != 0 && n != 1<<20 {
					t.Errorf("torn maxmemory %d", n)
					return
				}
				_ = c.String("save")
				_ = c.Get("max*")
				_ = c.Bool("protected-mode")
				_ = c.Strings("bind")
			}
		}()
	}
	for i := range 500 {
		v := "0"
		if i%2 == 0 {
			v = "1mb"
		}
		if err := c.Set(kv("maxmemory", v, "save", fmt.Sprintf("%d 1", i+1))); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}

// FuzzSetRoundTrip checks, for any value CONFIG SET accepts, that the value
// CONFIG GET then shows is accepted again unchanged by CONFIG SET, by a flag
// and by a rewritten config file.
func FuzzSetRoundTrip(f *testing.F) {
	for _, st := range setSteps {
		for _, p := range st.pairs {
			f.Add(p[0], p[1])
		}
	}
	f.Add("requirepass", "a \"b\\ 'c'\n")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, name, val string) {
		p := lookup(name)
		if p == nil || p.flags&(immutable|protected) != 0 {
			return
		}
		c := New()
		if c.Set(kv(name, val)) != nil {
			return
		}
		shown := get(c, p.name)
		if err := c.Set(kv(p.name, shown)); err != nil {
			t.Fatalf("SET %s %q worked, SET of its GET value %q failed: %v", name, val, shown, err)
		}
		if again := get(c, p.name); again != shown {
			t.Fatalf("SET %s %q: GET %q, then %q after setting it again", name, val, shown, again)
		}
		c2 := New()
		if err := c2.Load([]string{"--" + p.name + "=" + shown}, nil); err != nil {
			t.Fatalf("flag --%s=%q: %v", p.name, shown, err)
		}
		if got := get(c2, p.name); got != shown {
			t.Fatalf("flag --%s=%q gives %q", p.name, shown, got)
		}
		path := filepath.Join(dir, "fuzz.conf")
		os.WriteFile(path, nil, 0o600)
		c3 := New()
		if err := c3.Load([]string{path}, nil); err != nil {
			t.Fatal(err)
		}
		if err := c3.Set(kv(name, val)); err != nil {
			t.Fatal(err)
		}
		if err := c3.Rewrite(); err != nil {
			t.Fatal(err)
		}
		c4 := New()
		if err := c4.Load([]string{path}, nil); err != nil {
			t.Fatalf("loading the rewritten file for %s=%q: %v", name, val, err)
		}
		if got := get(c4, p.name); got != shown {
			t.Fatalf("%s %q after a rewrite: %q, want %q", name, val, got, shown)
		}
	})
}

// TestSetEveryDefault sets every mutable parameter to the value CONFIG GET
// shows for its default: each must be accepted and change nothing.
func TestSetEveryDefault(t *testing.T) {
	c := New()
	before := c.Get("*")
	for _, kvp := range before {
		p := lookup(kvp[0])
		if p.flags&(immutable|protected) != 0 {
			continue
		}
		if err := c.Set(kv(kvp[0], kvp[1])); err != nil {
			t.Errorf("CONFIG SET %s %q: %v", kvp[0], kvp[1], err)
		}
	}
	if !equalPairs(before, c.Get("*")) {
		t.Error("setting the defaults changed values")
	}
}
