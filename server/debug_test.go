package server_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

const debugRefused = `-ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.` + "\r\n"

func TestDebugRefusedByDefault(t *testing.T) {
	addr := servertest.Start(t)
	if got := servertest.Dial(t, addr).Do("DEBUG", "SLEEP", "0"); got != debugRefused {
		t.Errorf("DEBUG SLEEP 0 without enable-debug-command = %q", got)
	}
	// "local" lets a loopback client in, on one shard and on several
	// (where DEBUG runs as a transaction over every shard).
	for _, threads := range []string{"1", "2"} {
		addr := servertest.Start(t, "--enable-debug-command", "local", "--threads", threads)
		if got := admDoOnce(t, addr, "DEBUG", "SLEEP", "0"); got != "+OK\r\n" {
			t.Errorf("threads %s: local DEBUG SLEEP 0 = %q", threads, got)
		}
	}
}

func TestDebugObjectAndPopulate(t *testing.T) {
	addr := servertest.Start(t, "--enable-debug-command", "yes", "--threads", "1")
	ctx := context.Background()
	rc := admClient(t, addr, 2)
	rc.Set(ctx, "str", "bar", 0)
	rc.Set(ctx, "num", "12345", 0)
	rc.Set(ctx, "small", "5", 0)
	rc.Set(ctx, "long", strings.Repeat("x", 65), 0)
	rc.Set(ctx, "mid", strings.Repeat("y", 44), 0)
	line := regexp.MustCompile(`^Value at:0x[0-9a-f]+ refcount:(\d+) encoding:(\w+) serializedlength:(\d+) lru:\d+ lru_seconds_idle:\d+$`)
	// Encodings and RDB lengths as redis-server 7 reports them.
	for key, want := range map[string]string{
		"str":   "1 embstr 4",
		"num":   "1 int 3",
		"small": "2147483647 int 2",
		"long":  "1 raw 13",
		"mid":   "1 embstr 12",
	} {
		s, err := rc.DebugObject(ctx, key).Result()
		m := line.FindStringSubmatch(s)
		if err != nil || m == nil {
			t.Errorf("DEBUG OBJECT %s = %q, %v", key, s, err)
			continue
		}
		if got := strings.Join(m[1:], " "); got != want {
			t.Errorf("DEBUG OBJECT %s: refcount, encoding, serializedlength = %s, want %s", key, got, want)
		}
	}
	rc.Append(ctx, "str", "x")
	if s, _ := rc.DebugObject(ctx, "str").Result(); !strings.Contains(s, " encoding:raw ") {
		t.Errorf("DEBUG OBJECT after APPEND = %q", s)
	}

	rc.Set(ctx, "key:3", "mine", 0)
	if err := rc.Do(ctx, "DEBUG", "POPULATE", "10").Err(); err != nil {
		t.Fatal(err)
	}
	for i, want := range map[int]string{0: "value:0", 9: "value:9", 3: "mine"} {
		if v, _ := rc.Get(ctx, "key:"+strconv.Itoa(i)).Result(); v != want {
			t.Errorf("GET key:%d = %q, want %q (POPULATE keeps existing keys)", i, v, want)
		}
	}
	rc.Do(ctx, "DEBUG", "POPULATE", "2", "p", "10")
	rc.Do(ctx, "DEBUG", "POPULATE", "2", "q", "3")
	rc.Do(ctx, "DEBUG", "POPULATE", "1", "z", "0")
	for key, want := range map[string]string{"p:1": "value:1\x00\x00\x00", "q:0": "val", "z:0": "value:0"} {
		if v, _ := rc.Get(ctx, key).Result(); v != want {
			t.Errorf("GET %s = %q, want %q", key, v, want)
		}
	}

	c := servertest.Dial(t, addr)
	for _, tc := range []struct{ args, want string }{
		{"DEBUG OBJECT nosuch", "-ERR no such key\r\n"},
		{"DEBUG POPULATE -1", "-ERR value is out of range, must be positive\r\n"},
		{"DEBUG POPULATE x", "-ERR value is out of range, must be positive\r\n"},
		{"DEBUG POPULATE 1 a -1", "-ERR value is out of range, must be positive\r\n"},
		{"DEBUG POPULATE 0", "+OK\r\n"},
		{"DEBUG POPULATE 1 p 1 2", "-ERR unknown subcommand or wrong number of arguments for 'POPULATE'. Try DEBUG HELP.\r\n"},
		{"DEBUG OBJECT", "-ERR unknown subcommand or wrong number of arguments for 'OBJECT'. Try DEBUG HELP.\r\n"},
		{"debug nosuch", "-ERR unknown subcommand or wrong number of arguments for 'nosuch'. Try DEBUG HELP.\r\n"},
		{"DEBUG", "-ERR wrong number of arguments for 'debug' command\r\n"},
		{"DEBUG SLEEP x", "+OK\r\n"},
		{"DEBUG ERROR oops", "-oops\r\n"},
		{"DEBUG ERROR WRONGTYPE", "-WRONGTYPE\r\n"},
		{"DEBUG LOG hello", "+OK\r\n"},
	} {
		if got := c.Do(strings.Fields(tc.args)...); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.args, got, tc.want)
		}
	}
	help := c.Do("DEBUG", "HELP")
	if !strings.HasPrefix(help, "*") || !strings.Contains(help, "+POPULATE <count> [<prefix>] [<size>]\r\n") {
		t.Errorf("DEBUG HELP = %q", help)
	}
}

// TestDebugSharded runs DEBUG on several shards: POPULATE writes each key
// into its own shard and SLEEP stops them all.
func TestDebugSharded(t *testing.T) {
	addr := servertest.Start(t, "--enable-debug-command", "yes", "--threads", "2")
	ctx := context.Background()
	rc := admClient(t, addr, 2)
	if err := rc.Do(ctx, "DEBUG", "POPULATE", "1000").Err(); err != nil {
		t.Fatalf("DEBUG POPULATE 1000: %v", err)
	}
	text, err := rc.Info(ctx, "keyspace", "anax").Result()
	if err != nil {
		t.Fatal(err)
	}
	_, secs := infoFields(t, text)
	if got := secs["Keyspace"]["db0"]; got != "keys=1000,expires=0,avg_ttl=0" {
		t.Errorf("db0 after POPULATE 1000: %q", got)
	}
	for i := 0; i < 2; i++ {
		if s := secs["Anax"]["shard"+strconv.Itoa(i)]; strings.HasPrefix(s, "keys=0,") {
			t.Errorf("shard%d got no keys: %q", i, s)
		}
	}
	for _, i := range []int{0, 1, 500, 999} {
		if v, err := rc.Get(ctx, fmt.Sprintf("key:%d", i)).Result(); err != nil || v != fmt.Sprintf("value:%d", i) {
			t.Errorf("GET key:%d = %q, %v", i, v, err)
		}
		if s, err := rc.DebugObject(ctx, fmt.Sprintf("key:%d", i)).Result(); !strings.HasPrefix(s, "Value at:") {
			t.Errorf("DEBUG OBJECT key:%d = %q, %v", i, s, err)
		}
	}

	// While DEBUG SLEEP holds every shard, a command on any shard waits.
	done := make(chan string, 1)
	start := time.Now()
	go func() { done <- admDoOnce(t, addr, "DEBUG", "SLEEP", "0.3") }()
	time.Sleep(100 * time.Millisecond)
	if v, err := rc.Get(ctx, "key:1").Result(); err != nil || v != "value:1" {
		t.Errorf("GET during DEBUG SLEEP = %q, %v", v, err)
	}
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Errorf("GET answered %v after DEBUG SLEEP 0.3 began: the shards were not stopped", d)
	}
	if got := <-done; got != "+OK\r\n" {
		t.Errorf("DEBUG SLEEP 0.3 = %q", got)
	}
}

// TestDebugDigestMatchesRedis checks DEBUG DIGEST and DIGEST-VALUE against
// redis-server over 4 shards: every type, both encodings of the
// aggregates, a TTL, several databases, a missing key, an empty data set.
// (Scores are integers or halves: Redis 7.0 prints a score for the digest
// with %.17g, 7.2 and later with the shortest digits, as Anax does; those
// agree on such scores.)
func TestDebugDigestMatchesRedis(t *testing.T) {
	o := servertest.StartOracle(t, "--enable-debug-command", "yes")
	anax := servertest.Start(t, "--threads", "4", "--enable-debug-command", "yes")
	big := []string{"RPUSH", "bl"}
	bigSet := []string{"SADD", "bs"}
	bigZ := []string{"ZADD", "bz"}
	bigH := []string{"HSET", "bh"}
	for i := range 300 {
		n := strconv.Itoa(i)
		big = append(big, "e"+n)
		bigSet = append(bigSet, "m"+n)
		bigZ = append(bigZ, strconv.Itoa(i%7)+".5", "m"+n)
		bigH = append(bigH, "f"+n, "v"+n)
	}
	o.Compare(t, anax, [][]string{
		{"DEBUG", "DIGEST"},
		{"SET", "s", "hello"}, {"SET", "n", "12345", "EX", "100"}, {"RPUSH", "l", "a", "1", "b", "22"},
		{"SADD", "si", "1", "2", "3"}, {"SADD", "ss", "a", "b", "c"}, {"ZADD", "z", "1", "a", "2.5", "b", "-3", "c"},
		{"HSET", "h", "f", "v", "g", "1"}, {"XADD", "x", "1-1", "a", "b", "c", "d"}, {"XADD", "x", "2-0", "a", "b"},
		big, bigSet, bigZ, bigH,
		{"DEBUG", "DIGEST-VALUE", "s", "n", "l", "si", "ss", "z", "h", "x", "nokey", "bl", "bs", "bz", "bh"},
		{"DEBUG", "DIGEST-VALUE"},
		{"DEBUG", "DIGEST"},
		{"SELECT", "5"}, {"SET", "q", "1"}, {"DEBUG", "DIGEST-VALUE", "q", "s"}, {"DEBUG", "DIGEST"},
		{"FLUSHALL"}, {"DEBUG", "DIGEST"},
	})
}

// TestDebugDigestFieldTTL checks that a hash field's expiry enters the
// value's digest (Redis 7.4 xors "!!hexpire!!" into the field's), while
// its time does not, and that COPY keeps the digest.
func TestDebugDigestFieldTTL(t *testing.T) {
	addr := servertest.Start(t, "--threads", "4", "--enable-debug-command", "yes")
	r := servertest.Dial(t, addr)
	r.Do("HSET", "a", "f", "v", "g", "w")
	r.Do("HSET", "b", "f", "v", "g", "w")
	digest := func(key string) string { return r.Do("DEBUG", "DIGEST-VALUE", key) }
	plain := digest("a")
	r.Do("HEXPIRE", "a", "100", "FIELDS", "1", "f")
	r.Do("HEXPIRE", "b", "200", "FIELDS", "1", "f")
	if digest("a") == plain || digest("a") != digest("b") {
		t.Errorf("digests: plain %q, a with a field TTL %q, b with another TTL %q", plain, digest("a"), digest("b"))
	}
	r.Do("COPY", "a", "c")
	if digest("c") != digest("a") {
		t.Errorf("COPY changed the digest: %q, %q", digest("a"), digest("c"))
	}
}

// TestDebugProtocolMatchesRedis compares DEBUG PROTOCOL's sample replies
// with redis-server's in RESP2 and RESP3. (A RESP2 double is compared with
// a 7.2 only: 7.0 printed it with %.17g.)
func TestDebugProtocolMatchesRedis(t *testing.T) {
	o := servertest.StartOracle(t, "--enable-debug-command", "yes")
	anax := servertest.Start(t, "--threads", "4", "--enable-debug-command", "yes")
	types := []string{"string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib", "push", "verbatim", "true", "false", "nosuch"}
	for _, proto := range []string{"2", "3"} {
		a, r := servertest.Dial(t, anax), servertest.Dial(t, o.Addr)
		a.Do("HELLO", proto)
		r.Do("HELLO", proto)
		for _, typ := range types {
			if typ == "double" && proto == "2" && o.Is70 {
				continue
			}
			ga, gr := a.Do("DEBUG", "PROTOCOL", typ), r.Do("DEBUG", "PROTOCOL", typ)
			if (typ == "push" || typ == "attrib") && proto == "3" { // the push or attribute, then the reply after it
				ga, gr = ga+a.Read(), gr+r.Read()
			}
			if ga != gr {
				t.Errorf("RESP%s DEBUG PROTOCOL %s:\n anax:  %q\n redis: %q", proto, typ, ga, gr)
			}
		}
	}
}
