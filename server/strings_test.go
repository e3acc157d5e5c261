package server_test

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anaxdb/anax/internal/servertest"
)

// stringScript exercises the strings family; every reply must be
// byte-identical to Redis 7's. Nothing in it depends on time or on ids.
var stringScript = [][]string{
	{"SET", "s", "hello"}, {"GET", "s"}, {"GET", "missing"},
	{"SET", "s", "v2", "GET"}, {"SET", "s", "v3", "NX"}, {"SET", "s", "v3", "XX", "GET"},
	{"SET", "n", "1", "NX", "XX"}, {"SET", "n", "1", "EX", "0"}, {"SET", "n", "1", "EX", "-5"},
	{"SET", "n", "1", "EX", "abc"}, {"SET", "n", "1", "EX", "10", "PX", "100"}, {"SET", "n", "1", "KEEPTTL", "EX", "1"},
	{"SET", "n", "1", "FOO"}, {"SET", "n"}, {"SET", "n", "1", "EX", "9223372036854775807"},
	{"SET", "n", "1", "PXAT", "1"}, {"GET", "n"}, {"SET", "n", "1", "NX", "GET"},
	{"SETNX", "nx", "a"}, {"SETNX", "nx", "b"}, {"GET", "nx"},
	{"SETEX", "ex", "100", "v"}, {"SETEX", "ex", "0", "v"}, {"PSETEX", "ex", "-1", "v"}, {"PSETEX", "ex", "100000", "w"}, {"GET", "ex"},
	{"GETSET", "gs", "1"}, {"GETSET", "gs", "2"}, {"GETDEL", "gs"}, {"GETDEL", "gs"},
	{"SET", "ge", "x"}, {"GETEX", "ge"}, {"GETEX", "ge", "EX", "100"}, {"GETEX", "ge", "PERSIST"}, {"GETEX", "ge", "FOO"},
	{"GETEX", "ge", "EX", "0"}, {"GETEX", "ge", "EX", "1", "PX", "1"}, {"GETEX", "nokey", "EX", "10"},
	// GETEX checks the syntax, then the key, then the expire value.
	{"GETEX", "nokey", "PX", "x"}, {"GETEX", "nokey", "PX", "-1"}, {"GETEX", "nokey", "EX", "0"}, {"GETEX", "nokey", "EXAT", "-5"},
	{"GETEX", "nokey", "EX", "9223372036854775807"}, {"GETEX", "nokey", "FOO"}, {"GETEX", "nokey", "EX"},
	{"GETEX", "nokey", "EX", "10", "PX", "10"}, {"GETEX", "nokey", "PERSIST", "EX", "10"}, {"GETEX", "nokey", "EX", "10", "PERSIST"},
	{"GETEX", "nokey", "EX", "1", "EX", "2"}, {"GETEX", "nokey", "PERSIST", "PERSIST"}, {"GETEX", "nokey", "px", "x", "FOO"},
	{"SET", "ge2", "y"}, {"GETEX", "ge2", "PX", "x"}, {"GETEX", "ge2", "PX", "-1"}, {"GETEX", "ge2", "EX", "9223372036854775807"},
	{"GETEX", "ge2", "EX", "1.5"}, {"GETEX", "ge2", "EX", "abc", "EX", "100"}, {"TTL", "ge2"}, {"GETEX", "ge2", "EX", "100", "EX", "abc"},
	{"GETEX", "ge2", "PERSIST", "PERSIST"}, {"TTL", "ge2"}, {"GETEX", "ge2", "px", "1", "PX", "100000"}, {"TTL", "ge2"},
	{"GETEX", "ge2", "PXAT", "1"}, {"EXISTS", "ge2"},
	{"MSET", "a", "1", "b", "2", "c", "3"}, {"MGET", "a", "b", "c", "nokey"}, {"MSET", "a", "1", "b"},
	{"MSETNX", "a", "1", "z", "2"}, {"MSETNX", "y", "1", "z", "2"}, {"MGET", "y", "z"},
	{"APPEND", "ap", "hello"}, {"APPEND", "ap", " world"}, {"GET", "ap"}, {"STRLEN", "ap"}, {"STRLEN", "nokey"},
	{"INCR", "i"}, {"INCRBY", "i", "10"}, {"DECR", "i"}, {"DECRBY", "i", "5"}, {"INCRBY", "i", "abc"},
	{"INCRBY", "i", "9223372036854775807"}, {"SET", "i", "9223372036854775807"}, {"INCR", "i"},
	{"SET", "i", "-9223372036854775808"}, {"DECR", "i"}, {"DECRBY", "i", "-9223372036854775808"},
	{"SET", "i", " 1"}, {"INCR", "i"}, {"SET", "i", "01"}, {"INCR", "i"}, {"SET", "i", "+1"}, {"INCR", "i"},
	{"INCR", "ap"},
	// C's strtold reads hex floats and no digit separators.
	{"INCRBYFLOAT", "hx", "0x10"}, {"INCRBYFLOAT", "hx", "-0x1.8p1"}, {"INCRBYFLOAT", "hx", "1_0"}, {"INCRBYFLOAT", "hx", "0b1"},
	{"INCRBYFLOAT", "hx", "0x_1"}, {"INCRBYFLOAT", "hx", "0x"},
	{"INCRBYFLOAT", "f", "10.5"}, {"INCRBYFLOAT", "f", "0.1"}, {"INCRBYFLOAT", "f", "-5"}, {"INCRBYFLOAT", "f", "abc"},
	{"INCRBYFLOAT", "f", "5.0e3"}, {"INCRBYFLOAT", "f", "inf"}, {"SET", "f", "1e400"}, {"INCRBYFLOAT", "f", "1"},
	{"SET", "r", "Hello World"}, {"GETRANGE", "r", "0", "4"}, {"GETRANGE", "r", "-5", "-1"}, {"GETRANGE", "r", "5", "2"},
	{"GETRANGE", "r", "-100", "100"}, {"GETRANGE", "r", "-1", "-5"}, {"GETRANGE", "nokey", "0", "10"}, {"SUBSTR", "r", "0", "-1"},
	{"GETRANGE", "r", "a", "1"},
	{"SETRANGE", "r", "6", "Redis"}, {"GET", "r"}, {"SETRANGE", "sr", "5", "x"}, {"GET", "sr"}, {"SETRANGE", "sr2", "5", ""},
	{"EXISTS", "sr2"}, {"SETRANGE", "r", "-1", "x"}, {"SETRANGE", "r", "536870912", "x"},
	// An offset near the top of int64 must not wrap past the size check.
	{"SETRANGE", "r", "9223372036854775807", "x"}, {"SETRANGE", "r", "2147483647", "x"}, {"SETRANGE", "nokey", "9223372036854775807", "x"},
	{"SET", "l1", "ohmytext"}, {"SET", "l2", "mynewtext"}, {"LCS", "l1", "l2"}, {"LCS", "l1", "l2", "LEN"},
	{"LCS", "l1", "l2", "IDX"}, {"LCS", "l1", "l2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}, {"LCS", "l1", "l2", "LEN", "IDX"},
	{"LCS", "l1", "nokey"}, {"LCS", "l1", "l2", "FOO"},
	{"GET"}, {"GETRANGE", "r", "0"}, {"NOSUCHCOMMAND", "a", "b"},
}

func TestStringsMatchRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			anax := servertest.Start(t, "--threads", threads)
			r := servertest.Dial(t, redisAddr)
			r.Do("FLUSHALL")
			servertest.Compare(t, anax, redisAddr, stringScript)
		})
	}
}

func newStringsClient(t *testing.T, addr string) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { c.Close() })
	return c
}

// TestPipelineOrderAcrossShards sends one deep pipeline whose keys land on
// every shard; replies must come back in request order.
func TestPipelineOrderAcrossShards(t *testing.T) {
	addr := servertest.Start(t, "--threads", "4")
	c := newStringsClient(t, addr)
	ctx := context.Background()
	pipe := c.Pipeline()
	const n = 3000
	var gets []*redis.StringCmd
	var incrs []*redis.IntCmd
	for i := 0; i < n; i++ {
		k := fmt.Sprintf("key:%d", i)
		pipe.Set(ctx, k, fmt.Sprintf("v%d", i), 0)
		gets = append(gets, pipe.Get(ctx, k))
		incrs = append(incrs, pipe.Incr(ctx, fmt.Sprintf("ctr:%d", i%7)))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	seen := map[int]int64{}
	for i := 0; i < n; i++ {
		if got := gets[i].Val(); got != fmt.Sprintf("v%d", i) {
			t.Fatalf("GET key:%d = %q", i, got)
		}
		seen[i%7]++
		if got := incrs[i].Val(); got != seen[i%7] {
			t.Fatalf("INCR ctr:%d #%d = %d, want %d", i%7, i, got, seen[i%7])
		}
	}
}

// TestMSetIsAtomic races MSET of many keys on several shards against MGET
// of the same keys: every MGET must see all keys from one MSET.
func TestMSetIsAtomic(t *testing.T) {
	addr := servertest.Start(t, "--threads", "4")
	ctx := context.Background()
	keys := make([]string, 16)
	for i := range keys {
		keys[i] = fmt.Sprintf("atomic:%d", i)
	}
	deadline := time.Now().Add(2 * time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := redis.NewClient(&redis.Options{Addr: addr})
			defer c.Close()
			for i := 0; time.Now().Before(deadline); i++ {
				v := fmt.Sprintf("w%d-%d", w, i)
				var kv []any
				for _, k := range keys {
					kv = append(kv, k, v)
				}
				if err := c.MSet(ctx, kv...).Err(); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := redis.NewClient(&redis.Options{Addr: addr})
			defer c.Close()
			for time.Now().Before(deadline) {
				vals, err := c.MGet(ctx, keys...).Result()
				if err != nil {
					errs <- err
					return
				}
				for _, v := range vals {
					if v != vals[0] {
						errs <- fmt.Errorf("MGET saw a half-done MSET: %v", vals)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestGoRedisDefaults checks that go-redis v9 with its defaults (HELLO 3,
// CLIENT SETINFO) works.
func TestGoRedisDefaults(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2")
	c := newStringsClient(t, addr)
	ctx := context.Background()
	if err := c.Set(ctx, "k", "v", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if v, err := c.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Fatalf("GET = %q, %v", v, err)
	}
	if _, err := c.Get(ctx, "nokey").Result(); err != redis.Nil {
		t.Fatalf("GET missing = %v, want redis.Nil", err)
	}
	if n, err := c.IncrBy(ctx, "n", 5).Result(); err != nil || n != 5 {
		t.Fatalf("INCRBY = %d, %v", n, err)
	}
	if f, err := c.IncrByFloat(ctx, "f", 1.5).Result(); err != nil || f != 1.5 {
		t.Fatalf("INCRBYFLOAT = %v, %v", f, err)
	}
}

// TestRedisCli drives the server with the real redis-cli.
func TestRedisCli(t *testing.T) {
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli not installed")
	}
	addr := servertest.Start(t, "--threads", "2")
	host, port, _ := strings.Cut(addr, ":")
	run := func(args ...string) string {
		out, err := exec.Command(cli, append([]string{"-h", host, "-p", port}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("redis-cli %v: %v: %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if got := run("PING"); got != "PONG" {
		t.Fatalf("PING = %q", got)
	}
	if got := run("SET", "greeting", "hello"); got != "OK" {
		t.Fatalf("SET = %q", got)
	}
	if got := run("GET", "greeting"); got != "hello" {
		t.Fatalf("GET = %q", got)
	}
	if got := run("MSET", "a", "1", "b", "2"); got != "OK" {
		t.Fatalf("MSET = %q", got)
	}
	if got := run("MGET", "a", "b", "c"); got != "1\n2" {
		t.Fatalf("MGET = %q", got)
	}
	if got := run("FOO"); !strings.Contains(got, "ERR unknown command 'FOO'") {
		t.Fatalf("FOO = %q", got)
	}
}

// TestProtocolErrors checks Redis's protocol error strings and that the
// server closes the connection after one, without crashing.
func TestProtocolErrors(t *testing.T) {
	addr := servertest.Start(t)
	redisAddr := ""
	cases := []struct{ in, want string }{
		{"*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"*1\r\n!3\r\nfoo\r\n", "-ERR Protocol error: expected '$', got '!'\r\n"},
		{"*1\r\n$abc\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"*1\r\n$999999999999\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"*3000000000\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"SET \"a b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
	}
	_ = redisAddr
	for _, c := range cases {
		r := servertest.Dial(t, addr)
		r.Send([]byte(c.in))
		got, _ := r.ReadErr()
		if got != c.want {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
		if _, err := r.ReadErr(); err == nil {
			t.Errorf("%q: connection still open after a protocol error", c.in)
		}
	}
	// The server is still healthy.
	r := servertest.Dial(t, addr)
	if got := r.Do("PING"); got != "+PONG\r\n" {
		t.Fatalf("PING after errors = %q", got)
	}
	// Inline commands work, with quotes.
	r.Send([]byte("SET inl \"a b\"\r\nGET inl\r\n"))
	if got := r.Read(); got != "+OK\r\n" {
		t.Fatalf("inline SET = %q", got)
	}
	if got := r.Read(); got != "$3\r\na b\r\n" {
		t.Fatalf("inline GET = %q", got)
	}
}

// TestBigValue sends a value larger than one read and gets it back.
func TestBigValue(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2")
	c := newStringsClient(t, addr)
	ctx := context.Background()
	big := strings.Repeat("abcdefghij", 1<<20) // 10 MiB
	for i := 0; i < 3; i++ {
		k := fmt.Sprintf("big%d", i)
		if err := c.Set(ctx, k, big, 0).Err(); err != nil {
			t.Fatal(err)
		}
		if v, err := c.Get(ctx, k).Result(); err != nil || v != big {
			t.Fatalf("GET big: len %d, %v", len(v), err)
		}
		if n, err := c.Append(ctx, k, "x").Result(); err != nil || n != int64(len(big)+1) {
			t.Fatalf("APPEND big = %d, %v", n, err)
		}
	}
}
