package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// functionLines exercises FUNCTION and FCALL against redis-server 7.0.
// Libraries hold one function where FUNCTION LIST shows them (Redis lists
// a library's functions in its hash table's order).
func functionLines(k []string) [][]string {
	lib := "#!lua name=mylib\n" +
		"redis.register_function('f1', function(keys, args) return redis.call('get', keys[1]) end)\n" +
		"redis.register_function{function_name='f2', callback=function(keys, args) return args[1] end, flags={'no-writes'}, description='second'}\n" +
		"redis.register_function('ferr', function(keys, args)\n  error('boom') end)\n" +
		"redis.register_function('fcallerr', function(keys, args) return redis.call('incr', 'k') end)\n" +
		"redis.register_function('fglob', function(keys, args) return KEYS end)\n" +
		"redis.register_function('wr', function(keys, args) return redis.call('set', keys[1], args[1]) end)\n" +
		"redis.register_function('spread', function(keys, args) for i, key in ipairs(args) do redis.call('incr', key) end return redis.call('mget', unpack(args)) end)"
	one := "#!lua name=one\nredis.register_function{function_name='only', callback=function(keys, args) return #keys end, flags={'no-writes', 'allow-oom'}, description='just one'}"
	fl := func(body string) []string { return []string{"FUNCTION", "LOAD", body} }
	return [][]string{
		{"FLUSHALL"}, {"FUNCTION", "FLUSH"}, {"SET", "k", "v"},
		fl(lib), fl(lib), {"FUNCTION", "LOAD", "REPLACE", lib}, fl("#!lua name=other\nredis.register_function('f1', function() return 1 end)"),
		fl("return 1"), fl("#!lua"), fl("#!lua name=bad-name\nreturn 1"), fl("#!lua name=x\nreturn 1"), fl("#!lua name=x foo=bar\nreturn 1"),
		fl("#!python name=x\nreturn 1"), fl("#!LUA name=upper\nredis.register_function('up', function() return 1 end)"),
		fl("#!Lua name=upper\nredis.register_function('up2', function() return 1 end)"),
		// Function names match in any case; options before the code.
		{"FCALL", "UP", "0"}, {"FCALL_RO", "Up", "0"}, fl("#!lua name=upper2\nredis.register_function('UP', function() return 2 end)"),
		{"FUNCTION", "LOAD", "foo", "bar", "#!lua name=o\nredis.register_function('o', function() return 1 end)"},
		{"FUNCTION", "LOAD", "REPLACE", "REPLACE", "#!lua name=o\nredis.register_function('o', function() return 1 end)"},
		{"FUNCTION", "LOAD", "REPLACE", "x", "#!lua name=o\nredis.register_function('o', function() return 1 end)"},
		// (Gone again: Redis lists libraries in its dict's seeded order, so
		// FUNCTION LIST below compares only while one library is left.)
		{"FUNCTION", "DELETE", "o"}, {"FUNCTION", "DELETE", "upper"}, fl("#!lua name=x\nredis.call('ping')"), fl("#!lua name=x\nredis.register_function('f', 5)"),
		fl("#!lua name=x\nredis.register_function('bad name', function() end)"),
		fl("#!lua name=x\nredis.register_function{function_name='g', callback=function() end, flags={'bad'}}"),
		fl("#!lua name=x\ny = 1"), fl("#!lua name=x\nreturn 1 +"),
		fl("#!lua name=x\nredis.register_function{function_name='g', callback=function() end, foo=1}"),
		fl("#!lua name=dup\nredis.register_function('a', function() end)\nredis.register_function('a', function() end)"),
		fl("#!lua name=x\nredis.register_function()"), fl("#!lua name=x2\nreturn redis.setresp"),
		{"FCALL", "f1", "1", "k"}, {"FCALL", "f2", "0", "a"}, {"FCALL_RO", "f1", "1", "k"}, {"FCALL", "nosuch", "0"},
		{"FCALL", "f1", "x"}, {"FCALL_RO", "f2", "0", "z"}, {"FCALL", "ferr", "0"}, {"FCALL", "fcallerr", "0"},
		{"EVAL", "return #KEYS", "1", "a"}, {"FCALL", "fglob", "0"}, {"EVAL", "return ARGV[1]", "0", "b"},
		fl("#!lua name=x3\nlocal k = KEYS"), {"FCALL", "f1", "-1"}, {"FCALL", "f1", "2", "a"}, {"FCALL", "wr", "1", "k2", "v"},
		{"FCALL_RO", "wr", "1", "k2", "v"}, {"FCALL", "f1", "1", "k2"},
		{"FCALL", "spread", "0", k[0], k[1], k[2], k[3]}, {"FCALL", "spread", "0", k[0], k[1], k[2], k[3]},
		{"FCALL", "wr", "1", k[1], "x"}, {"FCALL", "f1", "1", k[1]}, {"FCALL", "f1", "1", k[2]},
		fl(one), {"FUNCTION", "LIST", "LIBRARYNAME", "on*"}, {"FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "one"},
		{"FUNCTION", "LIST", "LIBRARYNAME", "nomatch"}, {"FCALL", "only", "2", "a", "b"}, {"FCALL_RO", "only", "0"},
		{"FUNCTION", "STATS"}, {"FUNCTION", "KILL"}, {"FUNCTION", "DELETE", "nosuch"}, {"FUNCTION", "LIST", "foo"},
		{"FUNCTION", "LIST", "LIBRARYNAME"}, {"FUNCTION", "LIST", "WITHCODE", "WITHCODE"}, {"FUNCTION", "RESTORE", "x", "badpolicy"},
		{"FUNCTION", "FLUSH", "x"}, {"FUNCTION", "FLUSH", "SYNC", "x"}, {"FUNCTION", "HELP"}, {"FUNCTION", "RESTORE", "bad"}, {"FUNCTION", "RESTORE", "a", "b", "c"}, {"FUNCTION", "RESTORE", "a", "REPLACE", "c"}, {"FUNCTION", "DELETE", "mylib"},
		{"FUNCTION", "LIST"}, {"FCALL", "f1", "1", "k"}, {"FUNCTION", "FLUSH", "ASYNC"}, {"FUNCTION", "LIST"},
		{"EVAL_RO", "#!lua\nreturn 1", "0"}, {"EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0"},
		{"FUNCTION", "FLUSH"}, {"FLUSHALL"},
	}
}

func TestFunctionsMatchRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	k := keysOnShards("fk", 4)
	for _, threads := range []string{"1", "4"} {
		anax := servertest.Start(t, "--threads", threads)
		for _, proto := range []string{"2", "3"} {
			t.Run("threads="+threads+"/resp"+proto, func(t *testing.T) {
				a, r := servertest.Dial(t, anax), servertest.Dial(t, redisAddr)
				a.Do("HELLO", proto)
				r.Do("HELLO", proto)
				compareOn(t, a, r, functionLines(k))
			})
		}
	}
}

// TestFunctionDumpRestoreWithRedis moves libraries both ways between Anax
// and redis-server with FUNCTION DUMP and RESTORE.
func TestFunctionDumpRestoreWithRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	anax := servertest.Start(t, "--threads", "2")
	a, r := servertest.Dial(t, anax), servertest.Dial(t, redisAddr)
	lib := "#!lua name=moved\nredis.register_function('echo2', function(keys, args) return args[1] .. args[1] end)"
	r.Do("FUNCTION", "LOAD", lib)
	payload := bulkBody(t, r.Do("FUNCTION", "DUMP"))
	if got := a.Do("FUNCTION", "RESTORE", payload); got != "+OK\r\n" {
		t.Fatalf("RESTORE of redis's payload: %q", got)
	}
	if got := a.Do("FCALL", "echo2", "0", "ab"); got != "$4\r\nabab\r\n" {
		t.Fatalf("FCALL after RESTORE: %q", got)
	}
	if got := a.Do("FUNCTION", "RESTORE", payload); got != "-ERR Library 'moved' already exists\r\n" {
		t.Fatalf("second RESTORE: %q", got)
	}
	for _, policy := range []string{"REPLACE", "FLUSH"} {
		if got := a.Do("FUNCTION", "RESTORE", payload, policy); got != "+OK\r\n" {
			t.Fatalf("RESTORE %s: %q", policy, got)
		}
	}
	ours := bulkBody(t, a.Do("FUNCTION", "DUMP"))
	a.Do("FUNCTION", "FLUSH")
	if got := a.Do("FUNCTION", "RESTORE", ours); got != "+OK\r\n" {
		t.Fatalf("RESTORE of Anax's payload: %q", got)
	}
	// Anax's payloads carry RDB version 11, as its DUMP does (Redis 7.2's):
	// a 7.0 refuses them.
	if !strings.HasPrefix(servertest.RedisVersion(t, redisAddr), "7.0.") {
		r.Do("FUNCTION", "FLUSH")
		if got := r.Do("FUNCTION", "RESTORE", ours); got != "+OK\r\n" {
			t.Fatalf("redis RESTORE of Anax's payload: %q", got)
		}
		if got := r.Do("FCALL", "echo2", "0", "x"); got != "$2\r\nxx\r\n" {
			t.Fatalf("redis FCALL: %q", got)
		}
	}
	if got := a.Do("FUNCTION", "RESTORE", ours[:len(ours)-1]+"x"); got != "-ERR DUMP payload version or checksum are wrong\r\n" {
		t.Fatalf("RESTORE of a damaged payload: %q", got)
	}
}

func bulkBody(t *testing.T, reply string) string {
	t.Helper()
	head, body, ok := strings.Cut(reply, "\r\n")
	if !ok || !strings.HasPrefix(head, "$") {
		t.Fatalf("not a bulk reply: %q", reply)
	}
	return strings.TrimSuffix(body, "\r\n")
}

// TestFunctionKill: FUNCTION KILL stops a running function, SCRIPT KILL
// does not, and FUNCTION STATS names it.
func TestFunctionKill(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2", "--busy-reply-threshold", "50")
	spin, other := servertest.Dial(t, addr), servertest.Dial(t, addr)
	other.Do("FUNCTION", "LOAD", "#!lua name=spin\nredis.register_function('spin', function() local i = 0 while true do i = i + 1 end end)")
	spin.SendArgs("FCALL", "spin", "0")
	time.Sleep(200 * time.Millisecond)
	if got := other.Do("SCRIPT", "KILL"); got != "-NOTBUSY No scripts in execution right now.\r\n" {
		t.Fatalf("SCRIPT KILL of a function: %q", got)
	}
	if got := other.Do("FUNCTION", "STATS"); !strings.Contains(got, "$4\r\nspin\r\n") || !strings.Contains(got, "$5\r\nFCALL\r\n") {
		t.Fatalf("FUNCTION STATS while running: %q", got)
	}
	if got := other.Do("FUNCTION", "KILL"); got != "+OK\r\n" {
		t.Fatalf("FUNCTION KILL: %q", got)
	}
	if got := spin.Read(); got != "-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.\r\n" {
		t.Fatalf("killed function's reply: %q", got)
	}
}
