package main_test

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strconv"
	"testing"

	"github.com/anaxdb/anax/internal/servertest"
)

// TestScriptOOMDiff compares scripts and functions over maxmemory
// (noeviction, CONFIG SET maxmemory 1) with redis-server 7.0's replies:
// shebang scripts and functions that may write are refused before they
// run unless they declare allow-oom; no-writes ones run; a script without
// a shebang runs and its first deny-oom command fails (redis.call raises
// it, redis.pcall returns it) unless it has written before; SCRIPT LOAD
// runs, FUNCTION LOAD and RESTORE are refused; MULTI/EXEC keeps the state
// of the EXEC. The section over the limit runs twice: in Anax a script's
// first run is over every shard, later ones on its keys' shard.
func TestScriptOOMDiff(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	bin := buildAnax(t)

	const lib = "#!lua name=oomlib\n" +
		"redis.register_function('fw', function(keys, args) return redis.call('set', keys[1], 'fw') end)\n" +
		"redis.register_function{function_name='foom', callback=function(keys, args) return redis.call('set', keys[1], 'foom') end, flags={'allow-oom'}}\n" +
		"redis.register_function{function_name='fro', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}}\n" +
		"redis.register_function{function_name='frow', callback=function(keys, args) return redis.call('set', keys[1], 'frow') end, flags={'no-writes'}}\n"
	const (
		shebangSet = "#!lua\nreturn redis.call('set', KEYS[1], 'shebang')"
		allowOOM   = "#!lua flags=allow-oom\nreturn redis.call('set', KEYS[1], 'allow-oom')"
		noWrites   = "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])"
		noWritesW  = "#!lua flags=no-writes\nreturn redis.call('set', KEYS[1], 'no-writes')"
		loadedSet  = "#!lua\nreturn redis.call('set', KEYS[1], 'loaded')"
		queuedSet  = "#!lua\nreturn redis.call('set', KEYS[1], 'queued')"
	)
	sha := func(body string) string {
		sum := sha1.Sum([]byte(body))
		return hex.EncodeToString(sum[:])
	}
	over := [][]string{
		// Flags declared: refused before running unless allow-oom or
		// no-writes.
		{"a", "EVAL", shebangSet, "1", "{k}1"},
		{"a", "EVAL", allowOOM, "1", "{k}1"},
		{"a", "GET", "{k}1"},
		{"a", "EVAL", noWrites, "1", "{k}1"},
		{"a", "EVAL", noWritesW, "1", "{k}1"},
		{"a", "EVAL", "#!lua flags=allow-oom,no-writes\nreturn redis.call('get', KEYS[1])", "1", "{k}1"},
		{"a", "EVAL", "#!lua\nreturn redis.call(", "0"}, // refused before it is compiled
		{"a", "EVALSHA", sha(loadedSet), "1", "{k}1"},
		{"a", "EVAL_RO", shebangSet, "1", "{k}1"},
		{"a", "EVAL_RO", allowOOM, "1", "{k}1"},
		{"a", "EVAL_RO", noWrites, "1", "{k}1"},
		{"a", "EVALSHA_RO", sha(noWrites), "1", "{k}1"},
		// Without a shebang: the first deny-oom command fails.
		{"a", "EVAL", "return redis.call('set', KEYS[1], 'compat')", "1", "{k}1"},
		{"a", "EVAL", "return redis.pcall('set', KEYS[1], 'compat')", "1", "{k}1"},
		{"a", "EVAL", "local r = redis.pcall('set', KEYS[1], 'compat'); return r['err']", "1", "{k}1"},
		{"a", "EVAL", "return redis.call('incr', KEYS[1])", "1", "{k}n"},
		{"a", "EVAL", "return redis.call('lpush', KEYS[1], 'x')", "1", "{k}l"},
		{"a", "EVAL", "redis.call('get', KEYS[2]); return redis.call('set', KEYS[1], 'compat')", "2", "{k}1", "{k}2"},
		{"a", "EVAL", "redis.pcall('set', KEYS[2], 'x'); return redis.call('set', KEYS[1], 'compat')", "2", "{k}1", "{k}2"},
		{"a", "EVAL", "pcall(redis.call, 'incr', KEYS[2]); return redis.call('set', KEYS[1], 'compat')", "2", "{k}1", "{k}n"},
		{"a", "EVAL", "return redis.call('xgroup', 'create', KEYS[1], 'g', '$', 'MKSTREAM')", "1", "{k}s"},
		// ... unless it has written: a write that is not deny-oom (DEL,
		// EXPIRE) lets the deny-oom ones after it through.
		{"a", "EVAL", "redis.call('del', KEYS[2]); return redis.call('set', KEYS[1], 'after-del')", "2", "{k}1", "{k}2"},
		{"a", "GET", "{k}1"},
		{"a", "EVAL", "redis.call('expire', KEYS[1], 1000); redis.call('set', KEYS[1], 'after-expire'); return redis.call('incr', KEYS[2])", "2", "{k}1", "{k}n"},
		{"a", "GET", "{k}1"},
		{"a", "EVAL", "redis.call('del', KEYS[2]); return redis.pcall('set', KEYS[1], 'after-del-p')", "2", "{k}1", "{k}2"},
		{"a", "GET", "{k}1"},
		// Reading only: runs.
		{"a", "EVAL", "return redis.call('get', KEYS[1])", "1", "{k}1"},
		{"a", "EVAL_RO", "return redis.call('get', KEYS[1])", "1", "{k}1"},
		{"a", "EVAL", "return redis.call('exists', KEYS[1], KEYS[2])", "2", "{k}1", "{k}2"},
		{"a", "EVAL", "return redis.call('set', 'undeclared', 'x')", "0"}, // a key not declared
		// Functions.
		{"a", "FCALL", "fw", "1", "{k}1"},
		{"a", "FCALL", "foom", "1", "{k}1"},
		{"a", "GET", "{k}1"},
		{"a", "FCALL", "fro", "1", "{k}1"},
		{"a", "FCALL", "frow", "1", "{k}1"},
		{"a", "FCALL_RO", "fw", "1", "{k}1"},
		{"a", "FCALL_RO", "foom", "1", "{k}1"},
		{"a", "FCALL_RO", "fro", "1", "{k}1"},
		{"a", "FCALL", "nosuch", "0"},
		// Loading scripts and libraries.
		{"a", "SCRIPT", "LOAD", "return 'new'"},
		{"a", "SCRIPT", "LOAD", "#!lua\nreturn redis.call('set', KEYS[1], 'new')"},
		{"a", "FUNCTION", "LOAD", "#!lua name=other\nredis.register_function('f2', function() return 1 end)"},
		{"a", "FUNCTION", "RESTORE", "junk"},
		{"a", "XGROUP", "CREATE", "{k}s", "g", "$", "MKSTREAM"},
		{"a", "GET", "{k}n"},
		{"a", "EXISTS", "{k}l", "{k}s"},
	}
	script := [][]string{
		{"a", "FUNCTION", "FLUSH"},
		{"a", "FUNCTION", "LOAD", lib},
		{"a", "SCRIPT", "LOAD", loadedSet},
		{"a", "SET", "{k}1", "v"},
		{"a", "SET", "{k}2", "v"},
		{"a", "SET", "{k}n", "1"},
		{"b", "CONFIG", "SET", "maxmemory", "1"},
	}
	script = append(script, over...)
	script = append(script, over...)
	script = append(script,
		// In MULTI: the EXEC's state holds for the scripts it runs.
		[]string{"a", "CONFIG", "SET", "maxmemory", "0"},
		[]string{"a", "MULTI"},
		[]string{"a", "EVAL", "return redis.call('set', KEYS[1], 'multi')", "1", "{k}1"},
		[]string{"a", "EVAL", "redis.call('del', KEYS[2]); return redis.call('set', KEYS[1], 'multi')", "2", "{k}1", "{k}2"},
		[]string{"a", "EVAL", "return redis.call('get', KEYS[1])", "1", "{k}1"},
		[]string{"a", "FCALL", "fro", "1", "{k}1"},
		[]string{"b", "CONFIG", "SET", "maxmemory", "1"},
		[]string{"a", "EXEC"},
		[]string{"b", "CONFIG", "SET", "maxmemory", "0"},
		[]string{"a", "MULTI"},
		[]string{"a", "EVAL", allowOOM, "1", "{k}1"},
		[]string{"a", "EVAL", shebangSet, "1", "{k}1"},
		[]string{"b", "CONFIG", "SET", "maxmemory", "1"},
		[]string{"a", "EXEC"}, // a deny-oom script queued: EXECABORT
		[]string{"b", "CONFIG", "SET", "maxmemory", "0"},
		[]string{"a", "MULTI"},
		[]string{"a", "FCALL", "fw", "1", "{k}1"},
		[]string{"b", "CONFIG", "SET", "maxmemory", "1"},
		[]string{"a", "EXEC"},
		[]string{"b", "CONFIG", "SET", "maxmemory", "0"},
		[]string{"a", "MULTI"},
		[]string{"a", "EVALSHA", sha(queuedSet), "1", "{k}1"}, // not loaded yet: not deny-oom when queued
		[]string{"a", "EVAL", allowOOM, "1", "{k}1"},
		[]string{"b", "SCRIPT", "LOAD", queuedSet},
		[]string{"b", "CONFIG", "SET", "maxmemory", "1"},
		[]string{"a", "EXEC"},
		[]string{"b", "CONFIG", "SET", "maxmemory", "0"},
		[]string{"a", "GET", "{k}1"},
		// Back under the limit: everything runs.
		[]string{"a", "EVAL", shebangSet, "1", "{k}1"},
		[]string{"a", "EVAL", "return redis.call('incr', KEYS[1])", "1", "{k}n"},
		[]string{"a", "FCALL", "fw", "1", "{k}1"},
		[]string{"a", "GET", "{k}1"},
		[]string{"b", "CONFIG", "SET", "maxmemory", "1"},
		[]string{"a", "FUNCTION", "DELETE", "oomlib"}, // not deny-oom
		[]string{"a", "FUNCTION", "FLUSH"},
		[]string{"a", "CONFIG", "SET", "maxmemory", "0"},
	)
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
	want := run(redisAddr)
	for _, threads := range []string{"1", "4"} {
		port := servertest.FreePort(t)
		startAnax(t, bin, nil, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--threads", threads)
		got := run(fmt.Sprintf("127.0.0.1:%d", port))
		for i := range script {
			if got[i] != want[i] {
				t.Errorf("threads %s, %q:\n  anax:  %q\n  redis: %q", threads, script[i], got[i], want[i])
			}
		}
	}
}

// TestScriptOOMShardFull: under an eviction policy with nothing left to
// evict, a script on its shard's fast path finds the shard full, as a
// deny-oom command there does (Redis: performEvictions fails). Each script
// runs twice: its first run is over every shard, where, as for any
// multi-shard command, nothing is evicted and nothing refused for the
// shards' shares (docs/compat.md).
func TestScriptOOMShardFull(t *testing.T) {
	r := evictServer(t, buildAnax(t), "--threads", "1", "--maxmemory", "32mb", "--maxmemory-policy", "volatile-lru")
	if bad := fill(t, r, "keep", 0, 12000, 4<<10); len(bad) == 0 || bad[0] != oomReply {
		t.Fatalf("writes with nothing volatile to evict: %d refused (%.80q)", len(bad), bad)
	}
	// Well over the shard's share, whatever the overhead measured next.
	r.Do("CONFIG", "SET", "maxmemory", "30mb")
	compat := "return redis.call('set', KEYS[1], 'compat')"
	sum := sha1.Sum([]byte(compat))
	for _, step := range []struct {
		body string
		want string
	}{
		{compat, "-OOM command not allowed when used memory > 'maxmemory'. script: " + hex.EncodeToString(sum[:]) + ", on @user_script:1.\r\n"},
		{"redis.call('del', KEYS[2]); return redis.call('set', KEYS[1], 'after-del')", "+OK\r\n"},
		{"return redis.call('get', KEYS[1])", "$9\r\nafter-del\r\n"},
		{"#!lua\nreturn redis.call('set', KEYS[1], 'shebang')", oomReply},
		{"#!lua flags=allow-oom\nreturn redis.call('set', KEYS[1], 'allow-oom')", "+OK\r\n"},
		{"#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", "$9\r\nallow-oom\r\n"},
	} {
		r.Do("EVAL", step.body, "2", "k", "k2")
		if got := r.Do("EVAL", step.body, "2", "k", "k2"); got != step.want {
			t.Errorf("EVAL %q on a full shard = %q, want %q", step.body, got, step.want)
		}
	}
}
