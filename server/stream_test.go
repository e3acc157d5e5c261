package server_test

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// streamScript exercises the streams family with explicit ids (so that
// replies are deterministic); every reply must be byte-identical to
// redis-server 7.0's.
var streamScript = [][]string{
	// XADD: ids, errors, options.
	{"XADD", "s", "1-1", "f", "v"}, {"XADD", "s", "1-1", "f", "v"}, {"XADD", "s", "1-0", "f", "v"},
	{"XADD", "s", "1-*", "a", "1", "b", "2"}, {"XADD", "s", "5-*", "a", "1", "b", "2"}, {"XADD", "s", "5", "a", "x", "b", "y"},
	{"XADD", "s", "0-0", "f", "v"}, {"XADD", "s", "0", "f", "v"}, {"XADD", "s", "x", "f", "v"}, {"XADD", "s", "1-x", "f", "v"},
	{"XADD", "s", "6-0", "f"}, {"XADD", "s", "6-0"}, {"XADD", "s", "NOMKSTREAM", "7-0", "f", "v"},
	{"XADD", "nos", "NOMKSTREAM", "7-0", "f", "v"}, {"EXISTS", "nos"}, {"XADD", "s", "-", "f", "v"}, {"XADD", "s", "+", "f", "v"},
	{"XADD", "s", "8-0", "123", "456", "-7", "12345678901234"}, {"XADD", "s", "9-0", "", ""},
	{"XADD", "s", "MAXLEN", "x", "10-0", "f", "v"}, {"XADD", "s", "MAXLEN", "-1", "10-0", "f", "v"},
	{"XADD", "s", "MAXLEN", "5", "MINID", "1", "10-0", "f", "v"}, {"XADD", "s", "LIMIT", "5", "10-0", "f", "v"},
	{"XADD", "s", "MAXLEN", "5", "LIMIT", "5", "10-0", "f", "v"}, {"XADD", "s", "MAXLEN", "~", "5", "LIMIT", "-1", "10-0", "f", "v"},
	{"XLEN", "s"}, {"XLEN", "nokey"},
	{"XRANGE", "s", "-", "+"}, {"XRANGE", "s", "1", "5"}, {"XRANGE", "s", "(1-1", "+"}, {"XRANGE", "s", "-", "(5-1"},
	{"XRANGE", "s", "-", "+", "COUNT", "2"}, {"XRANGE", "s", "-", "+", "COUNT", "0"}, {"XRANGE", "s", "-", "+", "COUNT", "-1"},
	{"XRANGE", "s", "-", "+", "COUNT"}, {"XRANGE", "s", "-", "+", "FOO", "1"}, {"XRANGE", "s", "(-", "+"}, {"XRANGE", "s", "x", "+"},
	{"XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"}, {"XRANGE", "s", "-", "(0-0"},
	{"XRANGE", "s", "5", "1"}, {"XRANGE", "nokey", "-", "+"}, {"XREVRANGE", "s", "+", "-"}, {"XREVRANGE", "s", "+", "-", "COUNT", "3"},
	{"XREVRANGE", "s", "(5-1", "(1-1"}, {"XREVRANGE", "s", "5", "+"},
	// XDEL, XTRIM, XSETID.
	{"XDEL", "s", "1-2"}, {"XDEL", "s", "1-2", "5-0", "99-0"}, {"XDEL", "s", "x"}, {"XDEL", "nokey", "1-1"},
	{"XRANGE", "s", "-", "+"}, {"XLEN", "s"},
	{"XTRIM", "s"}, {"XTRIM", "s", "MAXLEN"}, {"XTRIM", "s", "FOO", "1"}, {"XTRIM", "s", "MAXLEN", "~", "1", "LIMIT", "1"},
	{"XTRIM", "s", "MAXLEN", "=", "4"}, {"XRANGE", "s", "-", "+"}, {"XTRIM", "s", "MINID", "8"}, {"XRANGE", "s", "-", "+"},
	{"XTRIM", "nokey", "MAXLEN", "0"},
	{"XSETID", "s", "1-0"}, {"XSETID", "s", "100-0"}, {"XSETID", "s", "100-0", "ENTRIESADDED", "1"},
	{"XSETID", "s", "100-0", "ENTRIESADDED", "50", "MAXDELETEDID", "99-0"}, {"XSETID", "s", "100-0", "MAXDELETEDID", "101-0"},
	{"XSETID", "nokey", "1-0"}, {"XSETID", "s", "100-0", "FOO"}, {"XADD", "s", "100-0", "f", "v"}, {"XADD", "s", "100-*", "f", "v"},
	{"XINFO", "STREAM", "s"}, {"XINFO", "STREAM", "nokey"}, {"XINFO", "STREAM", "s", "FULL"}, {"XINFO", "STREAM", "s", "FOO"},
	{"TYPE", "s"}, {"OBJECT", "ENCODING", "s"}, {"SET", "str", "x"}, {"XADD", "str", "1-0", "f", "v"}, {"XLEN", "str"},
	{"XRANGE", "str", "-", "+"},
	// Consumer groups.
	{"DEL", "g"}, {"XGROUP", "CREATE", "g", "grp", "$"}, {"XGROUP", "CREATE", "g", "grp", "$", "MKSTREAM"},
	{"XGROUP", "CREATE", "g", "grp", "$", "MKSTREAM"}, {"XINFO", "GROUPS", "g"}, {"XLEN", "g"},
	{"XADD", "g", "1-0", "a", "1"}, {"XADD", "g", "2-0", "a", "2"}, {"XADD", "g", "3-0", "a", "3", "b", "4"}, {"XADD", "g", "4-0", "a", "4"},
	{"XGROUP", "CREATE", "g", "g2", "0", "ENTRIESREAD", "0"}, {"XGROUP", "CREATE", "g", "g3", "2-0"},
	{"XGROUP", "CREATE", "g", "g4", "0", "ENTRIESREAD", "-5"}, {"XGROUP", "CREATE", "g", "g4", "x"},
	{"XGROUP", "CREATE", "g", "g4", "0", "FOO"}, {"XINFO", "GROUPS", "g"},
	{"XREADGROUP", "GROUP", "g2", "alice", "COUNT", "2", "STREAMS", "g", ">"},
	{"XREADGROUP", "GROUP", "g2", "bob", "STREAMS", "g", ">"}, {"XREADGROUP", "GROUP", "g2", "bob", "STREAMS", "g", ">"},
	{"XREADGROUP", "GROUP", "g2", "alice", "STREAMS", "g", "0"}, {"XREADGROUP", "GROUP", "g2", "carol", "STREAMS", "g", "0"},
	{"XREADGROUP", "GROUP", "nog", "alice", "STREAMS", "g", ">"}, {"XREADGROUP", "GROUP", "g2", "alice", "STREAMS", "g", "$"},
	{"XREADGROUP", "GROUP", "g2", "alice", "STREAMS", "nokey", ">"}, {"XREADGROUP", "STREAMS", "g", ">"},
	{"XREAD", "STREAMS", "g", ">"}, {"XREAD", "GROUP", "a", "b", "STREAMS", "g", "0"}, {"XREAD", "STREAMS", "g"},
	{"XREAD", "COUNT", "2", "STREAMS", "g", "0"}, {"XREAD", "STREAMS", "g", "nokey", "2", "0"}, {"XREAD", "STREAMS", "g", "$"},
	{"XREAD", "STREAMS", "str", "0"}, {"XREAD", "STREAMS", "g", "x"}, {"XREAD", "FOO", "STREAMS", "g", "0"},
	{"XINFO", "GROUPS", "g"}, {"XPENDING", "g", "g2"}, {"XPENDING", "g", "nog"}, {"XPENDING", "nokey", "g2"},
	{"XPENDING", "g", "g2", "-", "+"}, {"XPENDING", "g", "g2", "-", "+", "x"},
	{"XACK", "g", "g2", "1-0", "9-0"}, {"XACK", "g", "g2", "1-0"}, {"XACK", "g", "nog", "1-0"}, {"XACK", "g", "g2", "x"},
	{"XPENDING", "g", "g2"}, {"XDEL", "g", "3-0"}, {"XREADGROUP", "GROUP", "g2", "bob", "STREAMS", "g", "0"},
	{"XINFO", "GROUPS", "g"}, {"XADD", "g", "5-0", "a", "5"}, {"XINFO", "GROUPS", "g"},
	{"XREADGROUP", "GROUP", "g3", "dan", "NOACK", "STREAMS", "g", ">"}, {"XPENDING", "g", "g3"}, {"XINFO", "GROUPS", "g"},
	{"XCLAIM", "g", "g2", "alice", "0", "2-0", "JUSTID"}, {"XPENDING", "g", "g2"}, {"XCLAIM", "g", "g2", "erin", "0", "3-0", "4-0"},
	{"XPENDING", "g", "g2"}, {"XCLAIM", "g", "g2", "erin", "0", "5-0", "FORCE", "RETRYCOUNT", "7", "JUSTID"},
	{"XCLAIM", "g", "nog", "erin", "0", "5-0"}, {"XCLAIM", "g", "g2", "erin", "x", "5-0"}, {"XCLAIM", "g", "g2", "erin", "0", "5-0", "FOO"},
	{"XCLAIM", "g", "g2", "erin", "0", "5-0", "IDLE", "x"}, {"XCLAIM", "g", "g2", "erin", "0", "5-0", "LASTID", "x"},
	{"XCLAIM", "g", "g2", "erin", "100000", "5-0"},
	{"XAUTOCLAIM", "g", "g2", "frank", "0", "0", "COUNT", "1"}, {"XAUTOCLAIM", "g", "g2", "frank", "0", "0", "JUSTID"},
	{"XAUTOCLAIM", "g", "g2", "frank", "0", "(2-0"}, {"XAUTOCLAIM", "g", "g2", "frank", "0", "0", "COUNT", "0"},
	{"XAUTOCLAIM", "g", "nog", "frank", "0", "0"}, {"XAUTOCLAIM", "g", "g2", "frank", "x", "0"},
	{"XPENDING", "g", "g2"}, {"XINFO", "GROUPS", "g"},
	{"XGROUP", "CREATECONSUMER", "g", "g2", "zed"}, {"XGROUP", "CREATECONSUMER", "g", "g2", "zed"},
	{"XGROUP", "CREATECONSUMER", "g", "nog", "zed"}, {"XGROUP", "CREATECONSUMER", "nokey", "g2", "zed"},
	{"XGROUP", "DELCONSUMER", "g", "g2", "frank"}, {"XGROUP", "DELCONSUMER", "g", "g2", "nobody"}, {"XPENDING", "g", "g2"},
	{"XGROUP", "SETID", "g", "g2", "0"}, {"XGROUP", "SETID", "g", "g2", "$", "ENTRIESREAD", "3"}, {"XGROUP", "SETID", "g", "nog", "0"},
	{"XGROUP", "SETID", "g", "g2", "0", "FOO"}, {"XINFO", "GROUPS", "g"},
	{"XGROUP", "DESTROY", "g", "g3"}, {"XGROUP", "DESTROY", "g", "g3"}, {"XGROUP", "DESTROY", "nokey", "g3"},
	{"XGROUP", "FOO", "g", "g2"}, {"XGROUP", "HELP"}, {"XINFO", "HELP"}, {"XGROUP", "CREATE", "str", "x", "$"},
	{"XINFO", "STREAM", "g", "FULL", "COUNT", "x"},
	{"XGROUP", "CREATE", "e", "eg", "$", "MKSTREAM"}, {"XINFO", "STREAM", "e"}, {"XINFO", "STREAM", "e", "FULL"},
	{"XREADGROUP", "GROUP", "eg", "c", "STREAMS", "e", ">"}, {"XREAD", "STREAMS", "e", "0"},
	{"EXPIRE", "g", "100"}, {"TTL", "g"}, {"PERSIST", "g"}, {"TTL", "g"}, {"RENAME", "g", "g2"}, {"XLEN", "g2"},
	{"RENAMENX", "g2", "s"}, {"COPY", "g2", "g3"}, {"XINFO", "GROUPS", "g3"}, {"TYPE", "g3"}, {"EXISTS", "g2", "g3"},
	{"XADD", "g3", "99-0", "a", "b"}, {"XLEN", "g2"}, {"XLEN", "g3"}, {"UNLINK", "g3"},
	{"DEL", "s", "g", "g2", "e", "str"},
}

func TestStreamsMatchRedis(t *testing.T) {
	o := servertest.StartOracle(t)
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			anax := servertest.Start(t, "--threads", threads)
			servertest.Dial(t, o.Addr).Do("FLUSHALL")
			o.Compare(t, anax, streamScript)
		})
	}
}

// TestStreamsAcrossShards: XREAD and XREADGROUP over keys of several
// shards, the keyspace commands on streams (RENAME, COPY, MOVE across
// shards and databases), SCAN TYPE.
func TestStreamsAcrossShards(t *testing.T) {
	o := servertest.StartOracle(t)
	anax := servertest.Start(t, "--threads", "4")
	k := keysOnShards("sk", 4)
	script := [][]string{{"FLUSHALL"},
		{"XADD", k[0], "1-0", "a", "1"}, {"XADD", k[0], "2-0", "a", "2"}, {"XADD", k[1], "1-5", "b", "1"},
		{"XADD", k[2], "3-0", "c", "1", "d", "2"}, {"SET", k[3], "str"},
		{"XREAD", "STREAMS", k[0], k[1], k[2], "0", "0", "0"}, {"XREAD", "COUNT", "1", "STREAMS", k[2], k[1], k[0], "0", "1-5", "1"},
		{"XREAD", "STREAMS", k[0], k[3], "0", "0"}, {"XREAD", "STREAMS", k[0], k[1], "x", "0"}, {"XREAD", "STREAMS", k[0], k[1], "$", "$"},
		{"XGROUP", "CREATE", k[0], "g", "0"}, {"XGROUP", "CREATE", k[2], "g", "0"},
		{"XREADGROUP", "GROUP", "g", "c1", "STREAMS", k[0], k[1], ">", ">"},
		{"XREADGROUP", "GROUP", "g", "c1", "STREAMS", k[0], k[2], ">", ">"},
		{"XREADGROUP", "GROUP", "g", "c1", "STREAMS", k[0], k[2], ">", ">"},
		{"XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", k[2], k[0], "0", "0"},
		{"XPENDING", k[0], "g"}, {"XPENDING", k[2], "g"}, {"XINFO", "GROUPS", k[0]}, {"XINFO", "GROUPS", k[2]},
		{"TYPE", k[0]}, servertest.Unordered70("SCAN", "0", "TYPE", "stream", "COUNT", "100"),
		{"RENAME", k[0], k[1]}, {"XRANGE", k[1], "-", "+"}, {"XINFO", "GROUPS", k[1]}, {"XPENDING", k[1], "g"},
		{"COPY", k[1], k[3], "REPLACE"}, {"XADD", k[3], "9-0", "z", "z"}, {"XLEN", k[1]}, {"XLEN", k[3]}, {"XPENDING", k[3], "g"},
		{"MOVE", k[3], "2"}, {"SELECT", "2"}, {"XRANGE", k[3], "-", "+"}, {"XINFO", "GROUPS", k[3]}, {"SELECT", "0"},
		{"OBJECT", "ENCODING", k[1]}, {"DEL", k[1], k[2]}, {"DBSIZE"}}
	o.Compare(t, anax, script)
}

// TestStreamDumpRestoreMatchesRedis: streams made by the same commands
// DUMP byte for byte as redis-server 7.0's (nodes, deletions, trims,
// groups with pending entries restored from redis so that their times are
// the same), and each server RESTOREs the other's payloads.
func TestStreamDumpRestoreMatchesRedis(t *testing.T) {
	o := servertest.StartOracle(t)
	anax := servertest.Start(t)
	a, r := servertest.Dial(t, anax), servertest.Dial(t, o.Addr)
	r.Do("FLUSHALL")
	var script [][]string
	for i := 1; i <= 250; i++ {
		cmd := []string{"XADD", "big", fmt.Sprintf("%d-%d", 1000+i/3, i%3), "field", fmt.Sprint(i), "n", strings.Repeat("v", i%40)}
		if i%17 == 0 {
			cmd = append(cmd, "extra", "-12345")
		}
		script = append(script, cmd)
	}
	script = append(script,
		[]string{"XDEL", "big", "1010-0", "1010-1", "1050-2"}, []string{"XTRIM", "big", "MAXLEN", "230"},
		[]string{"XTRIM", "big", "MINID", "~", "1030"},
		[]string{"XADD", "small", "1-1", "a", "1"}, []string{"XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM"},
		[]string{"XADD", "num", "5-0", "12", "-9223372036854775808", "x", "9223372036854775807"},
		[]string{"XADD", "one", "1-0", "f", "v"}, []string{"XDEL", "one", "1-0"},
		[]string{"CONFIG", "SET", "stream-node-max-entries", "3"},
		[]string{"XADD", "small3", "1-1", "a", "1"}, []string{"XADD", "small3", "1-2", "a", "2"}, []string{"XADD", "small3", "1-3", "b", "2"},
		[]string{"XADD", "small3", "1-4", "a", "2"}, []string{"CONFIG", "SET", "stream-node-max-entries", "100"},
		[]string{"CONFIG", "SET", "stream-node-max-bytes", "100"},
		[]string{"XADD", "bytes", "1-1", "a", strings.Repeat("x", 60)}, []string{"XADD", "bytes", "1-2", "a", strings.Repeat("y", 60)},
		[]string{"CONFIG", "SET", "stream-node-max-bytes", "4096"},
	)
	for _, cmd := range script {
		if ga, gr := a.Do(cmd...), r.Do(cmd...); ga != gr {
			t.Fatalf("%q: anax %q, redis %q", cmd, ga, gr)
		}
	}
	// Groups and pending entries made on redis (their times are its clock).
	for _, cmd := range [][]string{
		{"XGROUP", "CREATE", "grp", "g1", "0", "MKSTREAM"}, {"XADD", "grp", "1-0", "a", "1"}, {"XADD", "grp", "2-0", "a", "2"},
		{"XADD", "grp", "3-0", "a", "3"}, {"XREADGROUP", "GROUP", "g1", "alice", "COUNT", "2", "STREAMS", "grp", ">"},
		{"XREADGROUP", "GROUP", "g1", "bob", "STREAMS", "grp", ">"}, {"XGROUP", "CREATE", "grp", "g0", "$"},
		{"XGROUP", "CREATECONSUMER", "grp", "g0", "idle"}, {"XDEL", "grp", "2-0"},
	} {
		r.Do(cmd...)
	}
	contents := func(c *servertest.Raw, key string) string {
		return c.Do("TYPE", key) + c.Do("XRANGE", key, "-", "+") + c.Do("XINFO", "STREAM", key, "FULL") + c.Do("XLEN", key)
	}
	for _, key := range []string{"big", "small", "empty", "num", "one", "small3", "bytes", "grp"} {
		dr := bulk(t, r.Do("DUMP", key))
		if key != "grp" {
			if ga, gr := contents(a, key), contents(r, key); ga != gr {
				t.Fatalf("%s: anax %.300q, redis %.300q", key, ga, gr)
			}
			if da := bulk(t, a.Do("DUMP", key)); !bytes.Equal(da, dr) {
				t.Errorf("DUMP %s differs from redis-server 7.0's:\n  anax:  %x\n  redis: %x", key, da, dr)
			}
		}
		if got := a.Do("RESTORE", "fromredis", "0", string(dr), "REPLACE"); got != "+OK\r\n" {
			t.Errorf("redis's DUMP %s into anax: %q", key, got)
			continue
		}
		if ga, gr := contents(a, "fromredis"), contents(r, key); ga != gr {
			t.Errorf("redis's DUMP %s restored in anax:\n %.600q\nwant %.600q", key, ga, gr)
		}
		da := bulk(t, a.Do("DUMP", "fromredis"))
		if !bytes.Equal(da, dr) {
			t.Errorf("DUMP of %s restored from redis differs:\n  anax:  %x\n  redis: %x", key, da, dr)
		}
		if got := r.Do("RESTORE", "fromanax", "0", string(da), "REPLACE"); got != "+OK\r\n" {
			t.Errorf("anax's DUMP %s into redis: %q", key, got)
		}
	}
	// Corrupt payloads: every one-byte change of a dump is refused or
	// restores; the server keeps answering.
	dr := bulk(t, r.Do("DUMP", "grp"))
	for i := 1; i < len(dr)-10; i++ {
		c := append([]byte(nil), dr...)
		c[i] ^= 0x21
		c = withFooter(c[:len(c)-10], 10)
		got := a.Do("RESTORE", "bad", "0", string(c), "REPLACE")
		if got != "+OK\r\n" && got != "-ERR Bad data format\r\n" {
			t.Fatalf("corrupt byte %d: %q", i, got)
		}
		if got == "+OK\r\n" {
			a.Do("XINFO", "STREAM", "bad", "FULL")
			a.Do("XRANGE", "bad", "-", "+")
			a.Do("XREADGROUP", "GROUP", "g1", "x", "STREAMS", "bad", "0")
		}
	}
	if got := a.Do("PING"); got != "+PONG\r\n" {
		t.Fatalf("PING after corrupt payloads: %q", got)
	}
}

// TestBlockingStreamReads: XREAD and XREADGROUP BLOCK over keys of
// several shards are woken by an XADD on any of them ("$" meaning the
// last id when the client blocked), time out with a null array, and a
// blocked XREADGROUP fails when its group is destroyed or its key deleted;
// each entry goes to one consumer of a group.
func TestBlockingStreamReads(t *testing.T) {
	anax := servertest.Start(t, "--threads", "4")
	k := keysOnShards("xb", 4)
	c, other := servertest.Dial(t, anax), servertest.Dial(t, anax)
	entry := func(key, id, f, v string) string {
		return fmt.Sprintf("*1\r\n*2\r\n$%d\r\n%s\r\n*1\r\n*2\r\n$%d\r\n%s\r\n*2\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n",
			len(key), key, len(id), id, len(f), f, len(v), v)
	}
	other.Do("XADD", k[0], "1-0", "old", "x")
	for _, tc := range []struct {
		block []string
		push  []string
		want  string
	}{
		{[]string{"XREAD", "BLOCK", "0", "STREAMS", k[0], k[1], "$", "$"}, []string{"XADD", k[1], "5-0", "f", "v"}, entry(k[1], "5-0", "f", "v")},
		{[]string{"XREAD", "BLOCK", "0", "STREAMS", k[2], k[0], "$", "$"}, []string{"XADD", k[0], "6-0", "g", "w"}, entry(k[0], "6-0", "g", "w")},
		{[]string{"XREAD", "BLOCK", "5000", "COUNT", "1", "STREAMS", k[3], "0"}, []string{"XADD", k[3], "7-0", "h", "1"}, entry(k[3], "7-0", "h", "1")},
	} {
		c.SendArgs(tc.block...)
		if !c.Quiet(100 * time.Millisecond) {
			t.Fatalf("%q answered before any XADD", tc.block)
		}
		other.Do(tc.push...)
		if got := c.Read(); got != tc.want {
			t.Errorf("%q after %q: %q, want %q", tc.block, tc.push, got, tc.want)
		}
	}
	if got := c.Do("XREAD", "BLOCK", "50", "STREAMS", k[0], k[1], "$", "$"); got != "*-1\r\n" {
		t.Errorf("XREAD BLOCK timeout: %q", got)
	}
	// Consumer groups: two blocked consumers, one entry each.
	other.Do("XGROUP", "CREATE", k[2], "g", "$", "MKSTREAM")
	c2 := servertest.Dial(t, anax)
	c.SendArgs("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", k[2], ">")
	c.Quiet(50 * time.Millisecond)
	c2.SendArgs("XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", k[2], ">")
	c2.Quiet(50 * time.Millisecond)
	other.Do("XADD", k[2], "1-0", "a", "1")
	if got, want := c.Read(), entry(k[2], "1-0", "a", "1"); got != want {
		t.Errorf("first consumer: %q, want %q", got, want)
	}
	if !c2.Quiet(50 * time.Millisecond) {
		t.Fatal("the second consumer got the entry too")
	}
	other.Do("XADD", k[2], "2-0", "a", "2")
	if got, want := c2.Read(), entry(k[2], "2-0", "a", "2"); got != want {
		t.Errorf("second consumer: %q, want %q", got, want)
	}
	if got := other.Do("XPENDING", k[2], "g"); !strings.Contains(got, "$5\r\nalice\r\n$1\r\n1\r\n") || !strings.Contains(got, "$3\r\nbob\r\n$1\r\n1\r\n") {
		t.Errorf("XPENDING: %q", got)
	}
	c.SendArgs("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", k[2], ">")
	c.Quiet(50 * time.Millisecond)
	other.Do("XGROUP", "DESTROY", k[2], "g")
	if got := c.Read(); got != "-NOGROUP the consumer group this client was blocked on no longer exists\r\n" {
		t.Errorf("after XGROUP DESTROY: %q", got)
	}
	other.Do("XGROUP", "CREATE", k[2], "g", "$")
	c.SendArgs("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", k[2], ">")
	c.Quiet(50 * time.Millisecond)
	other.Do("DEL", k[2])
	if got := c.Read(); got != "-UNBLOCKED the stream key no longer exists\r\n" {
		t.Errorf("after DEL: %q", got)
	}
	if got := c.Do("MULTI"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	c.Do("XREAD", "BLOCK", "0", "STREAMS", k[1], "$")
	if got := c.Do("EXEC"); got != "*1\r\n*-1\r\n" {
		t.Errorf("XREAD BLOCK in MULTI: %q", got)
	}
}

// TestRandomStreamCommandsMatchRedis sends a seeded random stream of
// XADD, XDEL, XTRIM, XRANGE, XREADGROUP, XACK, XCLAIM, XAUTOCLAIM and the
// introspection commands (those whose replies hold no times) to Anax and
// Redis, with small node limits so that nodes fill, split and empty often.
func TestRandomStreamCommandsMatchRedis(t *testing.T) {
	o := servertest.StartOracle(t)
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			anax := servertest.Start(t, "--threads", threads)
			a, r := servertest.Dial(t, anax), servertest.Dial(t, o.Addr)
			r.Do("FLUSHALL")
			defer r.Do("CONFIG", "SET", "stream-node-max-entries", "100")
			defer r.Do("CONFIG", "SET", "stream-node-max-bytes", "4096")
			rng := rand.New(rand.NewSource(7))
			keys := []string{"rs0", "rs1", "rs2"}
			groups := []string{"ga", "gb"}
			consumers := []string{"c1", "c2", "c3"}
			ms := map[string]int{}
			id := func(key string) string {
				if len(ms) == 0 || ms[key] == 0 {
					return fmt.Sprintf("%d-%d", rng.Intn(40)+1, rng.Intn(3))
				}
				return fmt.Sprintf("%d-%d", rng.Intn(ms[key]+3), rng.Intn(3))
			}
			for step := 0; step < 1500; step++ {
				key := keys[rng.Intn(len(keys))]
				g, c := groups[rng.Intn(2)], consumers[rng.Intn(3)]
				var cmd []string
				switch op := rng.Intn(22); {
				case op == 0:
					cmd = []string{"CONFIG", "SET", "stream-node-max-entries", fmt.Sprint(rng.Intn(8))}
				case op == 1:
					cmd = []string{"CONFIG", "SET", "stream-node-max-bytes", fmt.Sprint(60 + rng.Intn(300))}
				case op < 8:
					ms[key] += rng.Intn(3)
					nid := fmt.Sprintf("%d-*", ms[key])
					if rng.Intn(4) == 0 {
						nid = id(key)
					}
					cmd = []string{"XADD", key}
					switch rng.Intn(6) {
					case 0:
						cmd = append(cmd, "MAXLEN", []string{"=", "~"}[rng.Intn(2)], fmt.Sprint(rng.Intn(30)))
					case 1:
						cmd = append(cmd, "MINID", "~", id(key))
					}
					cmd = append(cmd, nid)
					for f := 0; f <= rng.Intn(3); f++ {
						cmd = append(cmd, []string{"a", "b", "c"}[rng.Intn(3)], fmt.Sprint(rng.Intn(1000)-500))
					}
				case op < 10:
					cmd = []string{"XDEL", key, id(key), id(key)}
				case op == 10:
					cmd = []string{"XTRIM", key, "MAXLEN", []string{"=", "~"}[rng.Intn(2)], fmt.Sprint(rng.Intn(40))}
				case op == 11:
					cmd = []string{"XTRIM", key, "MINID", id(key)}
				case op == 12:
					cmd = []string{"XRANGE", key, id(key), "+", "COUNT", fmt.Sprint(rng.Intn(10))}
				case op == 13:
					cmd = []string{"XREVRANGE", key, "+", "(" + id(key)}
				case op == 14:
					cmd = []string{"XGROUP", "CREATE", key, g, []string{"0", "$", id(key)}[rng.Intn(3)], "MKSTREAM"}
				case op < 17:
					cmd = []string{"XREADGROUP", "GROUP", g, c, "COUNT", fmt.Sprint(1 + rng.Intn(4)), "STREAMS", key, []string{">", ">", "0"}[rng.Intn(3)]}
				case op == 17:
					cmd = []string{"XACK", key, g, id(key), id(key)}
				case op == 18:
					cmd = []string{"XCLAIM", key, g, c, "0", id(key), id(key)}
				case op == 19:
					cmd = []string{"XAUTOCLAIM", key, g, c, "0", "0", "COUNT", fmt.Sprint(1 + rng.Intn(3))}
				case op == 20:
					cmd = []string{"XPENDING", key, g}
				default:
					cmd = []string{[]string{"XINFO", "XLEN"}[rng.Intn(2)], "STREAM", key}
					if cmd[0] == "XLEN" {
						cmd = []string{"XLEN", key}
					} else if rng.Intn(2) == 0 {
						cmd = []string{"XINFO", "GROUPS", key}
					}
				}
				if ga, gr := a.Do(cmd...), r.Do(cmd...); ga != gr {
					t.Fatalf("step %d %q:\n  anax:  %q\n  redis: %q", step, cmd, ga, gr)
				}
			}
			for _, key := range keys {
				for _, cmd := range [][]string{{"XRANGE", key, "-", "+"}, {"XINFO", "STREAM", key}, {"XINFO", "GROUPS", key}} {
					if ga, gr := a.Do(cmd...), r.Do(cmd...); ga != gr {
						t.Fatalf("%q:\n  anax:  %q\n  redis: %q", cmd, ga, gr)
					}
				}
			}
		})
	}
}

// TestStreamsMatchRedisRESP3: the reply shapes that differ in RESP3 (XREAD
// and XREADGROUP answer a map, XINFO maps).
func TestStreamsMatchRedisRESP3(t *testing.T) {
	o := servertest.StartOracle(t)
	anax := servertest.Start(t, "--threads", "4")
	a, r := servertest.Dial(t, anax), servertest.Dial(t, o.Addr)
	a.Do("HELLO", "3")
	r.Do("HELLO", "3")
	r.Do("FLUSHALL")
	k := keysOnShards("x3", 2)
	for _, cmd := range [][]string{
		{"XADD", k[0], "1-0", "a", "1"}, {"XADD", k[1], "2-0", "b", "2"}, {"XREAD", "STREAMS", k[0], k[1], "0", "0"},
		{"XREAD", "STREAMS", k[0], "5"}, {"XGROUP", "CREATE", k[0], "g", "0"}, {"XREADGROUP", "GROUP", "g", "c", "STREAMS", k[0], ">"},
		{"XINFO", "GROUPS", k[0]}, {"XINFO", "STREAM", k[0]}, {"XPENDING", k[0], "g"}, {"XPENDING", "nokey", "g"},
		{"XRANGE", k[0], "-", "+", "COUNT", "0"}, {"XADD", "nokey", "NOMKSTREAM", "*", "a", "b"}, {"XINFO", "HELP"},
		{"XAUTOCLAIM", k[0], "g", "d", "0", "0", "JUSTID"}, {"DEL", k[0], k[1]},
	} {
		if ga, gr := a.Do(cmd...), r.Do(cmd...); ga != gr {
			t.Errorf("%q:\n  anax:  %q\n  redis: %q", cmd, ga, gr)
		}
	}
}

// streamEdgeScript: ids at the edges, lag and entries-read after deletions
// and SETID, trimming limits, argument errors.
var streamEdgeScript = [][]string{
	{"XADD", "e", "18446744073709551615-18446744073709551614", "a", "1"}, {"XADD", "e", "18446744073709551615-*", "a", "1"},
	{"XADD", "e", "*", "a", "1"}, {"XADD", "e", "18446744073709551615-*", "a", "1"}, {"XLEN", "e"},
	{"XRANGE", "e", "(18446744073709551615-18446744073709551614", "+"}, {"XREVRANGE", "e", "+", "-", "COUNT", "1"},
	{"XADD", "x", "5-18446744073709551615", "a", "1"}, {"XADD", "x", "5-*", "a", "1"}, {"DEL", "x"},
	{"XADD", "f", "5-*", "a", "1"}, {"XADD", "f", "5-*", "a", "1"}, {"XADD", "f", "4-*", "a", "1"}, {"XADD", "f", "6-5", "a", "1"},
	{"XADD", "f", "6-*", "a", "1"}, {"XADD", "f", "18446744073709551616-0", "a", "1"}, {"XADD", "f", " 7-0", "a", "1"},
	{"XADD", "f", "+8-0", "a", "1"}, {"XADD", "f", "009-0", "a", "1"}, {"XRANGE", "f", "-", "+"},
	{"XADD", "f", "MAXLEN", "~", "1", "LIMIT", "0", "20-0", "a", "1"}, {"XADD", "f", "MINID", "=", "9", "21-0", "a", "1"},
	{"XADD", "f", "MINID", "~", "100", "LIMIT", "1", "22-0", "a", "1"}, {"XADD", "f", "MAXLEN", "1", "MAXLEN", "2", "23-0", "a", "1"},
	{"XRANGE", "f", "-", "+"}, {"XTRIM", "f", "MINID", "-"}, {"XTRIM", "f", "MINID", "+"}, {"XTRIM", "f", "MAXLEN", "~", "0", "LIMIT", "100"},
	{"XLEN", "f"}, {"XINFO", "STREAM", "f"},
	// Lag and entries read.
	{"XADD", "l", "1-0", "a", "1"}, {"XADD", "l", "2-0", "a", "1"}, {"XADD", "l", "3-0", "a", "1"}, {"XADD", "l", "4-0", "a", "1"},
	{"XGROUP", "CREATE", "l", "g0", "0"}, {"XGROUP", "CREATE", "l", "g1", "1-0"}, {"XGROUP", "CREATE", "l", "g4", "4-0"},
	{"XGROUP", "CREATE", "l", "gx", "9-0"}, {"XGROUP", "CREATE", "l", "ge", "0", "ENTRIESREAD", "2"}, {"XINFO", "GROUPS", "l"},
	{"XDEL", "l", "2-0"}, {"XINFO", "GROUPS", "l"}, {"XREADGROUP", "GROUP", "g0", "c", "COUNT", "1", "STREAMS", "l", ">"},
	{"XINFO", "GROUPS", "l"}, {"XREADGROUP", "GROUP", "g1", "c", "STREAMS", "l", ">"}, {"XINFO", "GROUPS", "l"},
	{"XDEL", "l", "1-0"}, {"XINFO", "GROUPS", "l"}, {"XINFO", "STREAM", "l"}, {"XTRIM", "l", "MAXLEN", "0"}, {"XINFO", "GROUPS", "l"},
	{"XINFO", "STREAM", "l"}, {"XADD", "l", "10-0", "a", "1"}, {"XINFO", "GROUPS", "l"},
	{"XGROUP", "SETID", "l", "g0", "0", "ENTRIESREAD", "1"}, {"XINFO", "GROUPS", "l"}, {"XSETID", "l", "10-0", "ENTRIESADDED", "20"},
	{"XINFO", "GROUPS", "l"}, {"XSETID", "l", "5-0"}, {"XDEL", "l", "10-0"}, {"XSETID", "l", "5-0"}, {"XINFO", "STREAM", "l"},
	{"XSETID", "l", "12-0", "MAXDELETEDID", "11-0", "ENTRIESADDED", "30"}, {"XINFO", "STREAM", "l"}, {"XINFO", "GROUPS", "l"},
	// History and NOACK.
	{"XADD", "h", "1-0", "a", "1"}, {"XADD", "h", "2-0", "a", "2"}, {"XGROUP", "CREATE", "h", "g", "0"},
	{"XREADGROUP", "GROUP", "g", "c", "NOACK", "COUNT", "1", "STREAMS", "h", ">"}, {"XPENDING", "h", "g"},
	{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "h", ">"}, {"XDEL", "h", "2-0"},
	{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "h", "0"}, {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "h", "2-0"},
	{"XREADGROUP", "GROUP", "g", "c", "COUNT", "0", "STREAMS", "h", "0"}, {"XCLAIM", "h", "g", "d", "0", "2-0"},
	{"XPENDING", "h", "g"}, {"XGROUP", "SETID", "h", "g", "0"}, {"XADD", "h", "3-0", "a", "3"},
	{"XREADGROUP", "GROUP", "g", "d", "STREAMS", "h", ">"}, {"XPENDING", "h", "g"},
	{"XCLAIM", "h", "g", "e", "0", "1-0", "3-0", "LASTID", "50-0", "JUSTID"}, {"XINFO", "GROUPS", "h"},
	{"XCLAIM", "h", "g", "e", "0", "9-0", "FORCE"}, {"XCLAIM", "h", "g", "e", "0", "3-0", "RETRYCOUNT", "-1", "JUSTID"},
	{"XPENDING", "h", "g", "IDLE"}, {"XPENDING", "h", "g", "IDLE", "x", "-", "+", "1"},
	{"XPENDING", "h", "g", "-", "(1-0", "0"}, {"XPENDING", "h", "g", "-", "+", "-5"}, {"XPENDING", "h", "g", "-", "+", "10", "nobody"},
	{"XPENDING", "h", "g", "IDLE", "100000", "-", "+", "10"},
	{"XAUTOCLAIM", "h", "g", "f", "0", "(18446744073709551615-18446744073709551615"}, {"XAUTOCLAIM", "h", "g", "f", "0", "0", "COUNT", "x"},
	{"XAUTOCLAIM", "h", "g", "f", "0", "0", "FOO"}, {"XAUTOCLAIM", "h", "g", "f", "0", "x"},
	// Arity and syntax.
	{"XADD", "h"}, {"XADD", "h", "*"}, {"XADD", "h", "MAXLEN"}, {"XADD", "h", "MAXLEN", "1"}, {"XADD", "h", "NOMKSTREAM"},
	{"XREAD"}, {"XREAD", "STREAMS"}, {"XREAD", "COUNT", "x", "STREAMS", "h", "0"}, {"XREAD", "BLOCK", "x", "STREAMS", "h", "0"},
	{"XREAD", "BLOCK", "-1", "STREAMS", "h", "0"}, {"XREADGROUP", "GROUP", "g"}, {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "h"},
	{"XGROUP"}, {"XGROUP", "CREATE", "h"}, {"XINFO"}, {"XINFO", "FOO"}, {"XINFO", "STREAM"}, {"XINFO", "CONSUMERS", "h", "nog"},
	{"XINFO", "STREAM", "h", "FULL", "COUNT"}, {"XSETID", "h"}, {"XACK", "h", "g"}, {"XCLAIM", "h", "g", "c", "0"},
	{"DEL", "e", "f", "l", "h"},
}

func TestStreamEdgesMatchRedis(t *testing.T) {
	o := servertest.StartOracle(t)
	anax := servertest.Start(t)
	servertest.Dial(t, o.Addr).Do("FLUSHALL")
	o.Compare(t, anax, streamEdgeScript)
}

// TestBlockedConsumersMatchRedis: three consumers of a group block in turn
// on streams of two shards; each XADD goes to the longest-waiting one, as
// in Redis, and the pending lists end up equal to Redis's.
func TestBlockedConsumersMatchRedis(t *testing.T) {
	o := servertest.StartOracle(t)
	anax := servertest.Start(t, "--threads", "4")
	k := keysOnShards("bc", 2)
	run := func(addr string) []string {
		ctl := servertest.Dial(t, addr)
		ctl.Do("DEL", k[0], k[1])
		ctl.Do("XGROUP", "CREATE", k[0], "g", "$", "MKSTREAM")
		ctl.Do("XGROUP", "CREATE", k[1], "g", "$", "MKSTREAM")
		var cs []*servertest.Raw
		for i := range 3 {
			cs = append(cs, servertest.Dial(t, addr))
			_ = i
		}
		var got []string
		block := func(i int) {
			cs[i].SendArgs("XREADGROUP", "GROUP", "g", fmt.Sprint("c", i), "BLOCK", "0", "STREAMS", k[0], k[1], ">", ">")
			cs[i].Quiet(30 * time.Millisecond)
		}
		for i := range 3 {
			block(i)
		}
		for n := 1; n <= 6; n++ {
			ctl.Do("XADD", k[n%2], fmt.Sprintf("%d-0", n), "n", fmt.Sprint(n))
			served := -1
			for i := range 3 {
				if !cs[i].Quiet(80 * time.Millisecond) {
					got = append(got, fmt.Sprintf("c%d: %q", i, cs[i].Read()))
					served = i
				}
			}
			if served >= 0 {
				block(served)
			}
		}
		got = append(got, ctl.Do("XPENDING", k[0], "g"), ctl.Do("XPENDING", k[1], "g"), ctl.Do("XINFO", "GROUPS", k[0]))
		for _, c := range cs {
			c.Close()
		}
		ctl.Do("DEL", k[0], k[1])
		return got
	}
	ga, gr := run(anax), run(o.Addr)
	if strings.Join(ga, "\n") != strings.Join(gr, "\n") {
		t.Errorf("anax:\n%s\nredis:\n%s", strings.Join(ga, "\n"), strings.Join(gr, "\n"))
	}
}

// TestBlockedReadgroupFlushedOrSwapped checks, against redis-server, that
// FLUSHALL (also ASYNC), FLUSHDB and SWAPDB wake a blocked XREADGROUP whose
// stream they removed or replaced by another type, and that they leave a
// BLPOP on the same keys waiting until a push serves it (Redis's
// stream-cgroups.tcl "Blocking XREADGROUP: flushed DB / swapped DB").
func TestBlockedReadgroupFlushedOrSwapped(t *testing.T) {
	o := servertest.StartOracle(t)
	anax := servertest.Start(t, "--threads", "4")
	k := keysOnShards("fx", 2)
	run := func(addr string) []string {
		ctl := servertest.Dial(t, addr)
		reader, popper := servertest.Dial(t, addr), servertest.Dial(t, addr)
		defer reader.Close()
		defer popper.Close()
		ctl.Do("SELECT", "9")
		reader.Do("SELECT", "9")
		popper.Do("SELECT", "9")
		var got []string
		for _, c := range []struct {
			name   string
			before [][]string // in database 4, before the reader blocks
			cmd    []string
		}{
			{"FLUSHALL", nil, []string{"FLUSHALL"}},
			{"FLUSHALL ASYNC", nil, []string{"FLUSHALL", "ASYNC"}},
			{"FLUSHDB", nil, []string{"FLUSHDB"}},
			{"SWAPDB, no key", nil, []string{"SWAPDB", "4", "9"}},
			{"SWAPDB, a list", [][]string{{"LPUSH", k[0], "e1"}}, []string{"SWAPDB", "4", "9"}},
		} {
			ctl.Do("FLUSHALL")
			ctl.Do("SELECT", "4")
			for _, b := range c.before {
				ctl.Do(b...)
			}
			ctl.Do("SELECT", "9")
			ctl.Do("XADD", k[0], "1-0", "f", "v")
			ctl.Do("XGROUP", "CREATE", k[0], "g", "$")
			reader.SendArgs("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", k[0], ">")
			popper.SendArgs("BLPOP", k[1], "0")
			reader.Quiet(30 * time.Millisecond)
			popper.Quiet(30 * time.Millisecond)
			ctl.Do(c.cmd...)
			got = append(got, c.name+": "+reader.Read())
			if !popper.Quiet(50 * time.Millisecond) {
				got = append(got, c.name+": BLPOP woke: "+popper.Read())
				continue
			}
			ctl.Do("SELECT", "9")
			ctl.Do("RPUSH", k[1], "x")
			got = append(got, c.name+": BLPOP after a push: "+popper.Read())
		}
		ctl.Do("FLUSHALL")
		return got
	}
	ga, gr := run(anax), run(o.Addr)
	if strings.Join(ga, "\n") != strings.Join(gr, "\n") {
		t.Errorf("anax:\n%s\nredis:\n%s", strings.Join(ga, "\n"), strings.Join(gr, "\n"))
	}
}

// TestXReadLastEntry checks Redis 7.4's "+" id of XREAD (the 7.0 oracle
// does not have it): the last entry of each stream, nothing for a missing
// key, the 7.4 errors, and a blocked read that "+" resolved when it began
// and that an XADD then serves, over keys on several shards.
func TestXReadLastEntry(t *testing.T) {
	anax := servertest.Start(t, "--threads", "4")
	k := keysOnShards("xl", 4)
	c, other := servertest.Dial(t, anax), servertest.Dial(t, anax)
	other.Do("XADD", k[0], "1-0", "a", "1")
	other.Do("XADD", k[0], "2-5", "b", "2")
	other.Do("XADD", k[1], "3-0", "c", "3")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"XREAD", "STREAMS", k[0], "+"},
			"*1\r\n*2\r\n$" + fmt.Sprint(len(k[0])) + "\r\n" + k[0] + "\r\n*1\r\n*2\r\n$3\r\n2-5\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"},
		{[]string{"XREAD", "COUNT", "5", "STREAMS", k[2], k[1], "+", "+"},
			"*1\r\n*2\r\n$" + fmt.Sprint(len(k[1])) + "\r\n" + k[1] + "\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"},
		{[]string{"XREAD", "STREAMS", k[2], "+"}, "*-1\r\n"},
		{[]string{"XREADGROUP", "GROUP", "g", "c", "STREAMS", k[0], "+"}, "-NOGROUP"},
	} {
		if got := c.Do(tc.args...); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%q: %q, want %q", tc.args, got, tc.want)
		}
	}
	other.Do("XGROUP", "CREATE", k[0], "g", "0")
	if got := c.Do("XREADGROUP", "GROUP", "g", "c", "STREAMS", k[0], "+"); !strings.HasPrefix(got, "-ERR The + ID is meaningless in the context of XREADGROUP") {
		t.Errorf("XREADGROUP with +: %q", got)
	}
	other.Do("XGROUP", "CREATE", k[3], "g", "$", "MKSTREAM")
	if got := c.Do("XREAD", "STREAMS", k[3], "+"); got != "-ERR the stream last element ID is 0-0\r\n" {
		t.Errorf("XREAD + of an empty stream with last id 0-0: %q", got)
	}
	// The last entry deleted: "+" still stands for the id before the
	// last id, so nothing is read, and a blocked read waits for the next.
	other.Do("XDEL", k[1], "3-0")
	if got := c.Do("XREAD", "STREAMS", k[1], "+"); got != "*-1\r\n" {
		t.Errorf("XREAD + after the last entry was deleted: %q", got)
	}
	c.SendArgs("XREAD", "BLOCK", "0", "STREAMS", k[2], k[1], "+", "+")
	if !c.Quiet(100 * time.Millisecond) {
		t.Fatal("XREAD BLOCK + answered before any XADD")
	}
	other.Do("XADD", k[1], "4-0", "d", "4")
	want := "*1\r\n*2\r\n$" + fmt.Sprint(len(k[1])) + "\r\n" + k[1] + "\r\n*1\r\n*2\r\n$3\r\n4-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n"
	if got := c.Read(); got != want {
		t.Errorf("XREAD BLOCK + after XADD: %q, want %q", got, want)
	}
	// An existing last entry is served at once, without blocking.
	if got := c.Do("XREAD", "BLOCK", "0", "STREAMS", k[1], "+"); got != want {
		t.Errorf("XREAD BLOCK + with a last entry: %q, want %q", got, want)
	}
}
