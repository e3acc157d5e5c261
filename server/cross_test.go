package server_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/anaxdb/anax/internal/servertest"
	"github.com/anaxdb/anax/txn"
)

// keysOnShards returns one key name per shard of n, each with prefix, so
// that a script can name keys that are sure to live on different shards.
func keysOnShards(prefix string, n int) []string {
	keys := make([]string, n)
	found := 0
	for i := 0; found < n; i++ {
		k := prefix + strconv.Itoa(i)
		if sh := txn.ShardOf([]byte(k), uint64(n)); keys[sh] == "" {
			keys[sh] = k
			found++
		}
	}
	return keys
}

// TestCrossShardCommandsMatchRedis runs the commands whose keys span shards
// (split into pieces whose results the coordinator merges, or run as a
// Cross) with keys placed on different shards of a 4-shard Anax, and
// compares every reply with redis-server's.
func TestCrossShardCommandsMatchRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	anax := servertest.Start(t, "--threads", "4")
	k := keysOnShards("k", 4) // k[i] lives on shard i
	a, b, c, d := k[0], k[1], k[2], k[3]
	script := [][]string{
		{"FLUSHALL"},
		// Split: counts, values in key order, OK, errors.
		{"MSET", a, "1", b, "2", c, "3"}, {"MGET", d, c, b, a, a, d}, {"MSET", a, "1", b},
		{"EXISTS", a, b, a, d, "none"}, {"TOUCH", a, c, "none"}, {"DEL", a, "none", c, a}, {"MGET", a, b, c},
		{"UNLINK", b, d}, {"DBSIZE"},
		// RENAME and RENAMENX across shards.
		{"SET", a, "va", "PX", "100000000"}, {"RENAME", a, b}, {"EXISTS", a}, {"GET", b},
		{"RENAME", a, b}, {"RENAMENX", a, b}, {"SET", c, "vc"}, {"RENAMENX", b, c}, {"RENAMENX", b, d},
		{"GET", d}, {"EXISTS", b}, {"RENAME", d, c}, {"GET", c}, {"EXISTS", d},
		// COPY across shards, into another database, with REPLACE, and its errors.
		{"COPY", c, a}, {"GET", a}, {"COPY", c, a}, {"SET", c, "vc2"}, {"COPY", c, a, "REPLACE"}, {"GET", a},
		{"COPY", c, b, "DB", "3"}, {"COPY", "none", b}, {"COPY", c, b, "DB", "99"}, {"COPY", c, b, "DB", "x"},
		{"COPY", c, b, "FOO"}, {"COPY", c, b, "REPLACE", "DB"}, {"SELECT", "3"}, {"GET", b}, {"SELECT", "0"},
		// MSETNX across shards.
		{"FLUSHALL"}, {"MSETNX", a, "1", b, "2"}, {"MSETNX", c, "3", b, "9", d, "4"}, {"MGET", a, b, c, d},
		{"MSETNX", c, "3", d, "4"}, {"MGET", c, d}, {"MSETNX", a, "1", b}, {"MSETNX", a},
		// LCS across shards: values, options, and the order of its errors.
		{"SET", a, "ohmytext"}, {"SET", b, "mynewtext"}, {"LCS", a, b}, {"LCS", a, b, "LEN"},
		{"LCS", a, b, "IDX", "MINMATCHLEN", "2", "WITHMATCHLEN"}, {"LCS", a, "none"}, {"LCS", "none", b, "LEN"},
		{"LCS", a, b, "LEN", "IDX"}, {"LCS", a, b, "FOO"}, {"LCS", a, b, "MINMATCHLEN", "x"},
		// Whole-keyspace commands over every shard.
		{"KEYS", "nomatch*"}, {"DBSIZE"}, {"FLUSHDB", "FOO"}, {"FLUSHALL", "SYNC"}, {"RANDOMKEY"}, {"KEYS", "*"},
		{"SET", a, "1"}, {"RANDOMKEY"}, {"KEYS", "*"},
	}
	servertest.Compare(t, anax, redisAddr, script)
}

// TestSplitErrorCountedOnce checks that an error answered by every piece of
// a command split over shards is one error reply in INFO errorstats.
func TestSplitErrorCountedOnce(t *testing.T) {
	anax := servertest.Start(t, "--threads", "4")
	cl := servertest.Dial(t, anax)
	cl.Do("FLUSHDB", "FOO")
	info := cl.Do("INFO", "errorstats")
	if !strings.Contains(info, "errorstat_ERR:count=1\r\n") {
		t.Fatalf("INFO errorstats after one FLUSHDB error:\n%s", info)
	}
}

// TestCrossShardWritesTouchWatchers checks that the writes of a command
// run as a Cross are writes for WATCH on each shard they land on: the
// renamed source, the destination, and a COPY's destination database.
func TestCrossShardWritesTouchWatchers(t *testing.T) {
	anax := servertest.Start(t, "--threads", "4")
	k := keysOnShards("w", 4)
	src, dst := k[0], k[2]
	cases := []struct {
		name          string
		watchDB       string
		watched       string
		write         []string
		wantExecReply string
	}{
		{"rename source", "0", src, []string{"RENAME", src, dst}, "*-1\r\n"},
		{"rename destination", "0", dst, []string{"RENAME", src, dst}, "*-1\r\n"},
		{"copy destination in another db", "5", dst, []string{"COPY", src, dst, "DB", "5"}, "*-1\r\n"},
		{"msetnx refused", "0", dst, []string{"MSETNX", src, "x", dst, "y"}, "*1\r\n+OK\r\n"},
	}
	for _, tc := range cases {
		w, o := servertest.Dial(t, anax), servertest.Dial(t, anax)
		o.Do("FLUSHALL")
		o.Do("SET", src, "v")
		w.Do("SELECT", tc.watchDB)
		w.Do("WATCH", tc.watched)
		o.Do(tc.write...)
		w.Do("MULTI")
		w.Do("SET", "other", "1")
		if got := w.Do("EXEC"); got != tc.wantExecReply {
			t.Errorf("%s: EXEC = %q, want %q", tc.name, got, tc.wantExecReply)
		}
	}
}
