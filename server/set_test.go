package server_test

import (
	"encoding/binary"
	"fmt"
	"maps"
	"math/rand"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/anaxdb/anax/internal/servertest"
)

// The sets family against redis-server 7.2, over 1 and 4 shards, so that
// the multi-key commands run as transactions too. Where there is no 7.2
// (CI has Debian's 7.0) the oracle is a 7.0, which has no set listpacks: a
// small set that is not an intset is a dict there, so its order differs
// (whole-set replies are compared sorted anyway), OBJECT ENCODING answers
// "hashtable" where 7.2 answers "listpack" (setEncoding70), and the
// set-max-listpack-* settings do not exist (AnaxOnly70). What 7.0 cannot
// check, TestSetEncodings and TestSetOrderListpack check against 7.2's
// answers written out.

// saddMany returns SADD key with members prefix+i for i in [from, from+n).
func saddMany(key, prefix string, from, n int) []string {
	cmd := []string{"SADD", key}
	for i := from; i < from+n; i++ {
		cmd = append(cmd, fmt.Sprint(prefix, i))
	}
	return cmd
}

// setScript exercises every set command; replies are compared after
// normalizing the order of whole-set replies of big sets (setNormalized).
var setScript = func() [][]string {
	long := strings.Repeat("L", 65)
	s := [][]string{
		// Creation encodings, SADD, SREM, SCARD, SISMEMBER, SMISMEMBER.
		{"SADD", "i", "3", "1", "2", "2"}, {"OBJECT", "ENCODING", "i"}, {"SMEMBERS", "i"}, {"SCARD", "i"},
		{"SADD", "i", "-70000", "9223372036854775807", "-9223372036854775808"}, {"SMEMBERS", "i"}, {"OBJECT", "ENCODING", "i"},
		{"SISMEMBER", "i", "1"}, {"SISMEMBER", "i", "01"}, {"SISMEMBER", "i", "x"}, {"SISMEMBER", "nokey", "1"},
		{"SMISMEMBER", "i", "1", "5", "2", "-70000"}, {"SMISMEMBER", "nokey", "1", "2"},
		{"SADD", "i", "a"}, {"OBJECT", "ENCODING", "i"}, {"SMEMBERS", "i"},
		{"SREM", "i", "1", "a", "zz"}, {"SMEMBERS", "i"}, {"SREM", "nokey", "a"}, {"SREM", "i"},
		{"SADD", "l", "b", "a", "c", "1"}, {"OBJECT", "ENCODING", "l"}, {"SMEMBERS", "l"}, {"SADD", "l", "a", "d"},
		{"SADD", "l", long}, {"OBJECT", "ENCODING", "l"}, {"SCARD", "l"},
		{"SADD", "x", "1", long}, {"OBJECT", "ENCODING", "x"},
		{"SADD", "x2", long}, {"OBJECT", "ENCODING", "x2"},
		{"SADD", "s1", "-0"}, {"OBJECT", "ENCODING", "s1"}, {"SADD", "s1", "0", "00", " 1", "+1"}, {"SMEMBERS", "s1"},
		{"SREM", "s1", "-0", "0", "00", " 1", "+1"}, {"EXISTS", "s1"},
		// Wrong types and arity.
		{"SET", "str", "v"}, {"SADD", "str", "a"}, {"SREM", "str", "a"}, {"SCARD", "str"}, {"SISMEMBER", "str", "a"},
		{"SMISMEMBER", "str", "a"}, {"SMEMBERS", "str"}, {"SPOP", "str"}, {"SPOP", "str", "2"}, {"SRANDMEMBER", "str"},
		{"SRANDMEMBER", "str", "2"}, {"SSCAN", "str", "0"}, {"SINTER", "str", "i"}, {"SINTER", "nokey", "str"},
		{"SUNION", "i", "str"}, {"SDIFF", "str"}, {"SINTERCARD", "1", "str"}, {"SMOVE", "str", "i", "a"},
		{"SMOVE", "i", "str", "2"}, {"SMOVE", "nokey", "str", "2"}, {"SINTERSTORE", "d", "str"}, {"SUNIONSTORE", "str", "i"},
		{"SADD", "s"}, {"SREM", "s"}, {"SCARD"}, {"SISMEMBER", "s"}, {"SMISMEMBER", "s"}, {"SMOVE", "a", "b"},
		{"SPOP"}, {"SRANDMEMBER"}, {"SINTER"}, {"SINTERCARD", "1"}, {"SSCAN", "s"},
		// SPOP and SRANDMEMBER: arguments and the replies that are certain.
		{"SPOP", "nokey"}, {"SPOP", "nokey", "3"}, {"SPOP", "i", "-1"}, {"SPOP", "i", "x"}, {"SPOP", "i", "0"},
		{"SPOP", "i", "1", "2"}, {"SPOP", "nokey", "-1"},
		{"SRANDMEMBER", "nokey"}, {"SRANDMEMBER", "nokey", "3"}, {"SRANDMEMBER", "nokey", "-3"}, {"SRANDMEMBER", "i", "0"},
		{"SRANDMEMBER", "i", "x"}, {"SRANDMEMBER", "i", "1", "2"}, {"SRANDMEMBER", "i", "-9223372036854775808"},
		{"SRANDMEMBER", "i", "100"}, {"SRANDMEMBER", "l", "100"},
		{"SADD", "one", "m"}, {"SRANDMEMBER", "one"}, {"SRANDMEMBER", "one", "-3"}, {"SRANDMEMBER", "one", "1"},
		{"SPOP", "one"}, {"EXISTS", "one"}, {"SPOP", "one"},
		{"SADD", "p", "5", "3", "4"}, {"SPOP", "p", "3"}, {"EXISTS", "p"},
		{"SADD", "p", "x", "5", "3"}, {"SPOP", "p", "10"}, {"EXISTS", "p"},
		// SMOVE.
		{"SADD", "m1", "1", "2", "a"}, {"SMOVE", "m1", "m2", "1"}, {"SMEMBERS", "m2"}, {"OBJECT", "ENCODING", "m2"},
		{"SMOVE", "m1", "m2", "a"}, {"SMEMBERS", "m2"}, {"OBJECT", "ENCODING", "m2"}, {"SMOVE", "m1", "m2", "zz"},
		{"SMOVE", "m1", "m1", "2"}, {"SMOVE", "m1", "m1", "9"}, {"SMOVE", "m1", "m2", "2"}, {"EXISTS", "m1"},
		{"SMOVE", "nokey", "m2", "1"}, {"SMEMBERS", "m2"}, {"SMOVE", "m2", "m3", "a"}, {"OBJECT", "ENCODING", "m3"},
		// Set algebra.
		{"DEL", "a", "b", "c"}, {"SADD", "a", "1", "2", "3", "x", "y"}, {"SADD", "b", "2", "3", "4", "y"}, {"SADD", "c", "3", "y", "z"},
		{"SINTER", "a", "b", "c"}, {"SINTER", "a"}, {"SINTER", "a", "nokey"}, {"SINTER", "nokey", "a"}, {"SINTER", "a", "a"},
		{"SINTERCARD", "3", "a", "b", "c"}, {"SINTERCARD", "2", "a", "b", "LIMIT", "1"}, {"SINTERCARD", "2", "a", "b", "LIMIT", "0"},
		{"SINTERCARD", "2", "a", "b", "limit", "100"}, {"SINTERCARD", "0", "a"}, {"SINTERCARD", "-1", "a"}, {"SINTERCARD", "x", "a"},
		{"SINTERCARD", "3", "a", "b"}, {"SINTERCARD", "1", "a", "LIMIT", "-1"}, {"SINTERCARD", "1", "a", "LIMIT", "x"},
		{"SINTERCARD", "1", "a", "LIMIT"}, {"SINTERCARD", "1", "a", "FOO", "1"}, {"SINTERCARD", "1", "nokey"},
		{"SUNION", "a", "b", "c"}, {"SUNION", "nokey"}, {"SUNION", "b", "nokey", "c"},
		{"SDIFF", "a", "b", "c"}, {"SDIFF", "a", "a"}, {"SDIFF", "nokey", "a"}, {"SDIFF", "a", "nokey"}, {"SDIFF", "b", "a", "c"},
		{"SINTERSTORE", "d", "a", "b"}, {"SMEMBERS", "d"}, {"OBJECT", "ENCODING", "d"},
		{"SINTERSTORE", "d", "a", "nokey"}, {"EXISTS", "d"},
		{"SUNIONSTORE", "d", "a", "b", "c"}, {"SMEMBERS", "d"}, {"OBJECT", "ENCODING", "d"},
		{"SDIFFSTORE", "d", "a", "b"}, {"SMEMBERS", "d"}, {"OBJECT", "ENCODING", "d"},
		{"SDIFFSTORE", "d", "a", "a"}, {"EXISTS", "d"},
		{"SET", "d", "str"}, {"SUNIONSTORE", "d", "a"}, {"TYPE", "d"}, {"EXPIRE", "d", "100"}, {"SINTERSTORE", "d", "a", "b"}, {"TTL", "d"},
		{"SADD", "ia", "1", "2", "3", "4"}, {"SADD", "ib", "3", "4", "5"}, {"SINTERSTORE", "d", "ia", "ib"}, {"OBJECT", "ENCODING", "d"},
		{"SINTERSTORE", "d", "ib", "a"}, {"OBJECT", "ENCODING", "d"}, {"SMEMBERS", "d"},
		{"SUNIONSTORE", "d", "ia", "ib"}, {"OBJECT", "ENCODING", "d"}, {"SUNIONSTORE", "d", "ia", "a"}, {"OBJECT", "ENCODING", "d"},
		{"SMEMBERS", "d"}, {"SUNION", "ia", "a"}, {"SUNION", "a", "ia"},
		// SSCAN.
		{"SSCAN", "a", "0"}, {"SSCAN", "a", "0", "MATCH", "*"}, {"SSCAN", "a", "0", "MATCH", "[xy]"}, servertest.Only72("SSCAN", "a", "0", "COUNT", "1"),
		{"SSCAN", "a", "0", "COUNT", "0"}, {"SSCAN", "a", "0", "COUNT", "x"}, {"SSCAN", "a", "0", "FOO"}, {"SSCAN", "a", "x"},
		{"SSCAN", "nokey", "0"}, {"SSCAN", "ia", "0", "MATCH", "3"}, {"SSCAN", "a", "0", "COUNT"}, {"SSCAN", "a", "0", "NOVALUES"},
		{"SSCAN", "a", "0", "TYPE", "set"},
		// Keyspace commands on sets.
		{"TYPE", "a"}, {"TYPE", "ia"}, {"RENAME", "a", "ra"}, {"SMEMBERS", "ra"}, {"COPY", "ra", "ca"}, {"SMEMBERS", "ca"},
		{"OBJECT", "ENCODING", "ca"}, {"SCAN", "0", "TYPE", "set", "COUNT", "1000"},
	}
	// Big sets: past 512 integers, past 128 strings.
	s = append(s, saddMany("bi", "", 0, 512), []string{"OBJECT", "ENCODING", "bi"}, []string{"SADD", "bi", "512"},
		[]string{"OBJECT", "ENCODING", "bi"}, []string{"SCARD", "bi"}, []string{"SISMEMBER", "bi", "100"},
		[]string{"SREM", "bi", "100", "101"}, []string{"SCARD", "bi"}, []string{"SMISMEMBER", "bi", "100", "102"},
		saddMany("bs", "m", 0, 128), []string{"OBJECT", "ENCODING", "bs"}, []string{"SADD", "bs", "m128"},
		[]string{"OBJECT", "ENCODING", "bs"}, saddMany("bh", "m", 0, 129), []string{"OBJECT", "ENCODING", "bh"},
		saddMany("bj", "", 0, 513), []string{"OBJECT", "ENCODING", "bj"},
		[]string{"SADD", "small", "1"}, saddMany("small", "", 0, 513), []string{"OBJECT", "ENCODING", "small"},
		[]string{"SADD", "small2", "a"}, saddMany("small2", "a", 0, 129), []string{"OBJECT", "ENCODING", "small2"},
		saddMany("i127", "", 0, 127), []string{"SADD", "i127", "x"}, []string{"OBJECT", "ENCODING", "i127"},
		saddMany("i128", "", 0, 128), []string{"SADD", "i128", "x"}, []string{"OBJECT", "ENCODING", "i128"},
		[]string{"SMEMBERS", "bi"}, []string{"SINTER", "bi", "ia"}, []string{"SINTER", "ia", "bi"},
		[]string{"SINTERSTORE", "d", "bi", "bj"}, []string{"OBJECT", "ENCODING", "d"}, []string{"SCARD", "d"},
		[]string{"SINTERSTORE", "d", "bs", "bh"}, []string{"OBJECT", "ENCODING", "d"}, []string{"SCARD", "d"},
		[]string{"SINTERSTORE", "d", "bs", "l"}, []string{"OBJECT", "ENCODING", "d"},
		[]string{"SUNIONSTORE", "d", "bi"}, []string{"OBJECT", "ENCODING", "d"},
		[]string{"SUNIONSTORE", "d", "ia", "bs"}, []string{"OBJECT", "ENCODING", "d"},
		[]string{"SDIFFSTORE", "d", "bi", "bj"}, []string{"OBJECT", "ENCODING", "d"}, []string{"SMEMBERS", "d"},
		[]string{"SDIFFSTORE", "d", "bj", "bi"}, []string{"OBJECT", "ENCODING", "d"}, []string{"SMEMBERS", "d"},
		[]string{"SDIFF", "bj", "bi"}, []string{"SDIFF", "bh", "bs"},
		[]string{"SINTERCARD", "2", "bi", "bj"}, []string{"SINTERCARD", "2", "bi", "bj", "LIMIT", "10"},
		[]string{"~SPOP", "bh", "125"}, []string{"OBJECT", "ENCODING", "bh"}, []string{"SCARD", "bh"},
		[]string{"~SPOP", "bj", "500"}, []string{"OBJECT", "ENCODING", "bj"}, []string{"SCARD", "bj"},
		[]string{"~SPOP", "bs", "10"}, []string{"OBJECT", "ENCODING", "bs"}, []string{"SCARD", "bs"},
		[]string{"~SPOP", "bh"}, []string{"SCARD", "bh"}, []string{"~SPOP", "i127", "3"}, []string{"SCARD", "i127"},
		[]string{"OBJECT", "ENCODING", "i127"}, []string{"~SPOP", "i128", "120"}, []string{"OBJECT", "ENCODING", "i128"},
		[]string{"SADD", "hi", "a", "b"}, saddMany("hi", "", 0, 200), []string{"OBJECT", "ENCODING", "hi"},
		[]string{"~SPOP", "hi", "195"}, []string{"SCARD", "hi"}, []string{"OBJECT", "ENCODING", "hi"},
		[]string{"~SRANDMEMBER", "hi", "3"}, []string{"~SRANDMEMBER", "hi", "-3"}, []string{"~SRANDMEMBER", "hi", "10"}, []string{"SCARD", "hi"},
		[]string{"COPY", "bi", "cbi"}, []string{"SCARD", "cbi"}, []string{"OBJECT", "ENCODING", "cbi"},
		[]string{"RENAME", "bi", "{x}bi"}, []string{"SCARD", "{x}bi"}, []string{"SISMEMBER", "{x}bi", "7"},
		// Thresholds from CONFIG SET.
		[]string{"CONFIG", "SET", "set-max-intset-entries", "3"}, servertest.AnaxOnly70("CONFIG", "SET", "set-max-listpack-entries", "2"),
		servertest.AnaxOnly70("CONFIG", "SET", "set-max-listpack-value", "4"),
		[]string{"SADD", "t1", "1", "2", "3"}, []string{"OBJECT", "ENCODING", "t1"}, []string{"SADD", "t1", "4"},
		[]string{"OBJECT", "ENCODING", "t1"}, []string{"SADD", "t2", "1", "2", "3", "4"}, []string{"OBJECT", "ENCODING", "t2"},
		[]string{"SADD", "t3", "a", "b"}, []string{"OBJECT", "ENCODING", "t3"}, []string{"SADD", "t3", "c"}, []string{"OBJECT", "ENCODING", "t3"},
		[]string{"SADD", "t4", "abcde"}, []string{"OBJECT", "ENCODING", "t4"}, []string{"SADD", "t5", "1", "a"}, []string{"OBJECT", "ENCODING", "t5"},
		[]string{"SADD", "t6", "1"}, []string{"SADD", "t6", "a"}, []string{"OBJECT", "ENCODING", "t6"},
		[]string{"SADD", "t7", "1", "2"}, []string{"SADD", "t7", "a"}, []string{"OBJECT", "ENCODING", "t7"},
		[]string{"SADD", "t8", "12345"}, []string{"SADD", "t8", "a"}, []string{"OBJECT", "ENCODING", "t8"},
		[]string{"SUNIONSTORE", "d", "t3"}, []string{"OBJECT", "ENCODING", "d"},
		[]string{"CONFIG", "SET", "set-max-intset-entries", "512"}, servertest.AnaxOnly70("CONFIG", "SET", "set-max-listpack-entries", "128"),
		servertest.AnaxOnly70("CONFIG", "SET", "set-max-listpack-value", "64"), []string{"CONFIG", "GET", "set-max-intset-entries"},
		[]string{"FLUSHALL"})
	return s
}()

// setScriptEncodings are redis-server 7.2's answers to setScript's OBJECT
// ENCODING lines, in order, as "key=encoding" ("(nil)" for no key): where
// the oracle is a 7.0, which has no set listpacks, TestSetEncodings still
// checks every conversion (by SADD, SMOVE, the STORE commands, SPOP, COPY,
// and the thresholds CONFIG SET gives) against them.
var setScriptEncodings = []string{
	"i=intset", "i=intset", "i=listpack", "l=listpack", "l=hashtable", "x=hashtable", "x2=hashtable", "s1=listpack",
	"m2=intset", "m2=listpack", "m3=listpack", "d=listpack", "d=listpack", "d=listpack", "d=intset", "d=intset",
	"d=intset", "d=listpack", "ca=listpack",
	// Big sets.
	"bi=intset", "bi=hashtable", "bs=listpack", "bs=hashtable", "bh=hashtable", "bj=hashtable", "small=hashtable",
	"small2=hashtable", "i127=listpack", "i128=hashtable", "d=intset", "d=hashtable", "d=(nil)", "d=intset",
	"d=hashtable", "d=(nil)", "d=intset", "bh=listpack", "bj=listpack", "bs=hashtable", "i127=listpack",
	"i128=listpack", "hi=hashtable", "hi=listpack", "cbi=hashtable",
	// Thresholds from CONFIG SET.
	"t1=intset", "t1=hashtable", "t2=hashtable", "t3=listpack", "t3=hashtable", "t4=hashtable", "t5=listpack",
	"t6=listpack", "t7=hashtable", "t8=hashtable", "d=hashtable",
}

// TestSetEncodings runs setScript on Anax alone and checks its encodings
// against setScriptEncodings (TestSetsMatchRedis compares them with the
// oracle, exactly only on a 7.2).
func TestSetEncodings(t *testing.T) {
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			a := servertest.Dial(t, servertest.Start(t, "--threads", threads))
			var got []string
			for _, line := range setScript {
				cmd, _ := servertest.Unmark(line)
				cmd = append([]string{strings.TrimPrefix(cmd[0], "~")}, cmd[1:]...) // not in setScript's line
				r := a.Do(cmd...)
				if cmd[0] != "OBJECT" {
					continue
				}
				enc := "(nil)"
				if r != "$-1\r\n" {
					enc = bulkText(r)
				}
				got = append(got, cmd[2]+"="+enc)
			}
			if !slices.Equal(got, setScriptEncodings) {
				for i := range max(len(got), len(setScriptEncodings)) {
					g, w := "", ""
					if i < len(got) {
						g = got[i]
					}
					if i < len(setScriptEncodings) {
						w = setScriptEncodings[i]
					}
					if g != w {
						t.Errorf("OBJECT ENCODING #%d: %q, redis 7.2 %q", i, g, w)
					}
				}
			}
		})
	}
}

// setNormalized sorts the members of replies whose order is a table's
// (Redis's dict order differs from Anax's table order) or chance's.
func setNormalized(t *testing.T, cmd []string, reply string) string {
	switch strings.ToUpper(cmd[0]) {
	case "SMEMBERS", "SINTER", "SUNION", "SDIFF", "SPOP", "SRANDMEMBER":
	case "SSCAN", "SCAN":
		n := parseRESP(t, reply)
		if len(n.elems) != 2 {
			return reply
		}
		var items []string
		for _, e := range n.elems[1].elems {
			items = append(items, e.raw)
		}
		sort.Strings(items)
		return fmt.Sprint(n.elems[0].raw, items)
	default:
		return reply
	}
	if !strings.HasPrefix(reply, "*") && !strings.HasPrefix(reply, "~") {
		return reply
	}
	n := parseRESP(t, reply)
	var items []string
	for _, e := range n.elems {
		items = append(items, e.raw)
	}
	sort.Strings(items)
	return fmt.Sprint(len(n.elems), items)
}

// setEncoding70 is an OBJECT ENCODING reply of Anax's as a 7.0 oracle
// would give it: 7.0 has no set listpacks, and where 7.2 makes one, 7.0
// keeps or makes a dict, or keeps an intset that 7.2 would rebuild as a
// listpack (SPOP with a count), so a listpack compares with either. The
// intsets and dicts of 7.2 are 7.0's too, and are compared as they are.
func setEncoding70(o servertest.Oracle, cmd []string, ga, gr string) string {
	if o.Is70 && len(cmd) == 3 && strings.EqualFold(cmd[0], "OBJECT") && strings.EqualFold(cmd[1], "ENCODING") &&
		ga == "$8\r\nlistpack\r\n" && (gr == "$9\r\nhashtable\r\n" || gr == "$6\r\nintset\r\n") {
		return gr
	}
	return ga
}

// setStep runs one script line with o.Step and reports whether the replies
// match, after setNormalized and setEncoding70.
func setStep(t *testing.T, o servertest.Oracle, a, r *servertest.Raw, line []string) (cmd []string, ga, gr string, ok bool) {
	t.Helper()
	cmd, ga, gr, compare := o.Step(t, a, r, line)
	if !compare {
		return cmd, ga, gr, true
	}
	ga = setEncoding70(o, cmd, ga, gr)
	return cmd, ga, gr, setNormalized(t, cmd, ga) == setNormalized(t, cmd, gr)
}

func compareSets(t *testing.T, o servertest.Oracle, a, r *servertest.Raw, script [][]string) {
	t.Helper()
	for _, line := range script {
		// A command marked "~" has a reply left to chance: it runs on both
		// and its reply is only checked to be no error.
		if strings.HasPrefix(line[0], "~") {
			cmd := append([]string{strings.TrimPrefix(line[0], "~")}, line[1:]...)
			if ga, gr := a.Do(cmd...), r.Do(cmd...); strings.HasPrefix(ga, "-") || strings.HasPrefix(gr, "-") {
				t.Errorf("%q:\n  anax:  %.300q\n  redis: %.300q", cmd, ga, gr)
			}
			continue
		}
		if cmd, ga, gr, ok := setStep(t, o, a, r, line); !ok {
			t.Errorf("%q:\n  anax:  %.300q\n  redis %s: %.300q", cmd, ga, o.Version, gr)
		}
	}
}

func TestSetsMatchRedis(t *testing.T) {
	o := servertest.StartOracle(t)
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			anax := servertest.Start(t, "--threads", threads)
			a, r := servertest.Dial(t, anax), servertest.Dial(t, o.Addr)
			r.Do("FLUSHALL")
			compareSets(t, o, a, r, setScript)
		})
	}
}

// setOrderScript makes small sets and asks for their members in Redis's
// order: intsets ascending, listpacks in insertion order, and the results
// of the algebra built from them. 7.0 has no set listpacks (its small
// string sets are dicts), so the lines whose order is a listpack's are
// Only72; TestSetOrderListpack checks them against 7.2's answers.
var setOrderScript = [][]string{
	{"SADD", "{o}a", "5", "-2", "300", "1"}, {"SADD", "{o}b", "z", "3", "a", "5"}, {"SADD", "{o}c", "300", "q", "5"},
	{"SMEMBERS", "{o}a"}, servertest.Only72("SMEMBERS", "{o}b"), servertest.Only72("SUNION", "{o}a", "{o}b"),
	servertest.Only72("SUNION", "{o}b", "{o}a"), servertest.Only72("SUNION", "{o}a", "{o}c"), {"SINTER", "{o}b", "{o}c"},
	servertest.Only72("SDIFF", "{o}b", "{o}a"), {"SDIFF", "{o}c", "{o}a"}, servertest.Only72("SUNION", "{o}a", "nokey", "{o}b"),
	servertest.Only72("SRANDMEMBER", "{o}b", "10"), servertest.Only72("SSCAN", "{o}b", "0"),
	{"SUNIONSTORE", "{o}d", "{o}b", "{o}a"}, servertest.Only72("SMEMBERS", "{o}d"),
	{"SADD", "x", "5", "-2", "300"}, {"SADD", "y", "z", "3", "a", "5"}, servertest.Only72("SUNION", "x", "y"),
	servertest.Only72("SUNION", "y", "x"), servertest.Only72("SDIFF", "y", "x"), {"SINTER", "x", "y"},
	// Intsets only: their order is 7.0's too.
	{"SADD", "{o}e", "7", "-9", "2", "300"}, {"SUNION", "{o}a", "{o}e"}, {"SUNION", "{o}e", "{o}a"}, {"SINTER", "{o}e", "{o}a"},
	{"SDIFF", "{o}e", "{o}a"}, {"SDIFF", "{o}a", "{o}e"}, {"SRANDMEMBER", "{o}e", "10"}, {"SSCAN", "{o}e", "0"},
	{"SUNIONSTORE", "{o}f", "{o}e", "{o}a"}, {"SMEMBERS", "{o}f"},
	{"FLUSHALL"},
}

// TestSetOrderMatchesRedis compares whole-set replies byte for byte where
// Redis's order is defined.
func TestSetOrderMatchesRedis(t *testing.T) {
	o := servertest.StartOracle(t)
	anax := servertest.Start(t, "--threads", "4")
	o.Compare(t, anax, setOrderScript)
}

// TestSetOrderListpack: the orders of small string sets (listpacks, in
// insertion order) and of the algebra on them, as redis-server 7.2 gives
// them, for where the oracle is a 7.0 (TestSetOrderMatchesRedis compares
// them with a 7.2 when there is one).
func TestSetOrderListpack(t *testing.T) {
	c := servertest.Dial(t, servertest.Start(t, "--threads", "4"))
	b := func(ms ...string) string {
		out := fmt.Sprintf("*%d\r\n", len(ms))
		for _, m := range ms {
			out += fmt.Sprintf("$%d\r\n%s\r\n", len(m), m)
		}
		return out
	}
	for _, tc := range []struct {
		cmd  []string
		want string
	}{
		{[]string{"SADD", "{o}a", "5", "-2", "300", "1"}, ":4\r\n"},
		{[]string{"SADD", "{o}b", "z", "3", "a", "5"}, ":4\r\n"},
		{[]string{"SADD", "{o}c", "300", "q", "5"}, ":3\r\n"},
		{[]string{"SMEMBERS", "{o}b"}, b("z", "3", "a", "5")},
		{[]string{"SUNION", "{o}a", "{o}b"}, b("-2", "1", "5", "300", "z", "3", "a")},
		{[]string{"SUNION", "{o}b", "{o}a"}, b("z", "3", "a", "5", "-2", "1", "300")},
		{[]string{"SUNION", "{o}a", "{o}c"}, b("-2", "1", "5", "300", "q")},
		{[]string{"SDIFF", "{o}b", "{o}a"}, b("z", "3", "a")},
		{[]string{"SUNION", "{o}a", "nokey", "{o}b"}, b("-2", "1", "5", "300", "z", "3", "a")},
		{[]string{"SRANDMEMBER", "{o}b", "10"}, b("z", "3", "a", "5")},
		{[]string{"SSCAN", "{o}b", "0"}, "*2\r\n$1\r\n0\r\n" + b("z", "3", "a", "5")},
		{[]string{"SUNIONSTORE", "{o}d", "{o}b", "{o}a"}, ":7\r\n"},
		{[]string{"SMEMBERS", "{o}d"}, b("z", "3", "a", "5", "-2", "1", "300")},
		{[]string{"OBJECT", "ENCODING", "{o}d"}, "$8\r\nlistpack\r\n"},
		{[]string{"SADD", "x", "5", "-2", "300"}, ":3\r\n"},
		{[]string{"SADD", "y", "z", "3", "a", "5"}, ":4\r\n"},
		{[]string{"SUNION", "x", "y"}, b("-2", "5", "300", "z", "3", "a")},
		{[]string{"SUNION", "y", "x"}, b("z", "3", "a", "5", "-2", "300")},
		{[]string{"SDIFF", "y", "x"}, b("z", "3", "a")},
	} {
		if got := c.Do(tc.cmd...); got != tc.want {
			t.Errorf("%q: %q, redis 7.2 %q", tc.cmd, got, tc.want)
		}
	}
}

// TestSetsMatchRedisRESP3 compares the RESP3 replies byte for byte; on a
// 7.0 the members of {1, 2, x} (a dict there) are compared sorted.
func TestSetsMatchRedisRESP3(t *testing.T) {
	o := servertest.StartOracle(t)
	anax := servertest.Start(t)
	a, r := servertest.Dial(t, anax), servertest.Dial(t, o.Addr)
	a.Do("HELLO", "3")
	r.Do("HELLO", "3")
	r.Do("FLUSHALL")
	script := [][]string{
		{"SADD", "s", "1", "2", "x"}, servertest.Unordered70("SMEMBERS", "s"), {"SMEMBERS", "nokey"}, {"SPOP", "nokey"},
		{"SPOP", "nokey", "2"}, {"SPOP", "s", "0"}, {"SRANDMEMBER", "nokey"}, {"SRANDMEMBER", "nokey", "2"},
		{"SINTER", "s", "nokey"}, servertest.Unordered70("SINTER", "s"), servertest.Unordered70("SUNION", "s"),
		servertest.Unordered70("SDIFF", "s"), {"SMISMEMBER", "s", "1", "9"}, servertest.Unordered70("SSCAN", "s", "0"),
		{"SINTERCARD", "1", "s"}, servertest.Unordered70("SPOP", "s", "5"), {"FLUSHALL"},
	}
	for _, line := range script {
		if cmd, ga, gr, compare := o.Step(t, a, r, line); compare && ga != gr {
			t.Errorf("%q:\n  anax:  %q\n  redis %s: %q", cmd, ga, o.Version, gr)
		}
	}
}

// TestRandomSetCommandsMatchRedis sends a seeded random stream of set
// commands (keyspace commands and MULTI/EXEC among them) with low
// thresholds, so that sets convert all the time, and compares every reply.
func TestRandomSetCommandsMatchRedis(t *testing.T) {
	o := servertest.StartOracle(t)
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			anaxAddr := servertest.Start(t, "--threads", threads)
			a, r := servertest.Dial(t, anaxAddr), servertest.Dial(t, o.Addr)
			r.Do("FLUSHALL")
			for _, c := range []*servertest.Raw{a, r} {
				c.Do("CONFIG", "SET", "set-max-intset-entries", "10")
				c.Do("CONFIG", "SET", "set-max-listpack-entries", "6") // an error on 7.0
				c.Do("CONFIG", "SET", "set-max-listpack-value", "8")
			}
			defer func() {
				r.Do("CONFIG", "SET", "set-max-intset-entries", "512")
				r.Do("CONFIG", "SET", "set-max-listpack-entries", "128")
				r.Do("CONFIG", "SET", "set-max-listpack-value", "64")
			}()
			rng := rand.New(rand.NewSource(13))
			keys := []string{"a", "b", "c", "{t}d", "{t}e", "s"}
			key := func() string { return keys[rng.Intn(len(keys))] }
			member := func() string {
				switch rng.Intn(4) {
				case 0, 1:
					return fmt.Sprint(rng.Intn(30) - 10)
				case 2:
					return strings.Repeat("v", rng.Intn(12))
				}
				return fmt.Sprint("m", rng.Intn(20))
			}
			command := func() []string {
				switch rng.Intn(24) {
				case 0, 1, 2, 3:
					cmd := []string{"SADD", key()}
					for n := rng.Intn(4); n >= 0; n-- {
						cmd = append(cmd, member())
					}
					return cmd
				case 4, 5:
					return []string{"SREM", key(), member(), member()}
				case 6:
					return []string{"SISMEMBER", key(), member()}
				case 7:
					return []string{"SMISMEMBER", key(), member(), member()}
				case 8:
					return []string{"SCARD", key()}
				case 9:
					return []string{"SMEMBERS", key()}
				case 10:
					return []string{"OBJECT", "ENCODING", key()}
				case 11:
					return []string{"SMOVE", key(), key(), member()}
				case 12:
					return []string{"SINTER", key(), key(), key()}
				case 13:
					return []string{"SUNION", key(), key()}
				case 14:
					return []string{"SDIFF", key(), key(), key()}
				case 15:
					return []string{"SINTERSTORE", key(), key(), key()}
				case 16:
					return []string{"SUNIONSTORE", key(), key(), key()}
				case 17:
					return []string{"SDIFFSTORE", key(), key(), key()}
				case 18:
					return []string{"SINTERCARD", "2", key(), key(), "LIMIT", fmt.Sprint(rng.Intn(4))}
				case 19:
					return []string{"SPOP", key(), fmt.Sprint(20 + rng.Intn(5))} // the whole set: certain
				case 20:
					return []string{"RENAME", key(), key()}
				case 21:
					return []string{"COPY", key(), key(), "REPLACE"}
				case 22:
					return []string{"SET", "s", member()}
				}
				return []string{"DEL", key()}
			}
			var queued [][]string // a transaction's commands
			step := func(cmd []string) {
				t.Helper()
				_, ga, gr, ok := setStep(t, o, a, r, cmd)
				if !ok && o.Is70 && cmd[0] == "EXEC" && ga[0] == '*' && gr[0] == '*' {
					// An OBJECT ENCODING among the replies: each is
					// compared as setStep compares it.
					na, nr := parseRESP(t, ga), parseRESP(t, gr)
					ok = len(na.elems) == len(queued) && len(nr.elems) == len(queued)
					for i := 0; ok && i < len(queued); i++ {
						ok = setEncoding70(o, queued[i], na.elems[i].raw, nr.elems[i].raw) == nr.elems[i].raw
					}
				}
				if !ok {
					t.Fatalf("%q:\n  anax:  %q\n  redis %s: %q", cmd, ga, o.Version, gr)
				}
			}
			for i := 0; i < 4000; i++ {
				if rng.Intn(8) == 0 {
					step([]string{"MULTI"})
					queued = queued[:0]
					for n := rng.Intn(5); n >= 0; n-- {
						cmd := command()
						for !orderFree(cmd[0]) {
							cmd = command() // EXEC's reply is compared whole, in order
						}
						step(cmd)
						queued = append(queued, cmd)
					}
					step([]string{"EXEC"})
					continue
				}
				step(command())
			}
		})
	}
}

// orderFree reports whether a command's reply never depends on a table's
// order.
func orderFree(name string) bool {
	switch name {
	case "SMEMBERS", "SINTER", "SUNION", "SDIFF", "SPOP":
		return false
	}
	return true
}

// setDumpData builds sets of each encoding, the same on every server.
func setDumpData() [][]string {
	s := [][]string{
		{"FLUSHALL"},
		{"SADD", "si", "5", "-3", "100"},
		{"SADD", "si32", "70000", "-1", "2"},
		{"SADD", "si64", "9223372036854775807", "-9223372036854775808", "0"},
		{"SADD", "sl", "a", "b", "1", "-2", strings.Repeat("x", 50), ""},
		{"SADD", "slong", "a", strings.Repeat("y", 100)},
		{"SADD", "sone", "m"},
	}
	s = append(s, saddMany("sbi", "", 0, 600), saddMany("sbs", "member:", 0, 300),
		saddMany("s129", "m", 0, 129), saddMany("sint200", "", 0, 200))
	return s
}

// sortedMembers is SMEMBERS's reply as a sorted list.
func sortedMembers(t *testing.T, c *servertest.Raw, key string) string {
	return setNormalized(t, []string{"SMEMBERS"}, c.Do("SMEMBERS", key))
}

// setDumpEncodings are redis-server 7.2's encodings of setDumpData's sets
// (and of their RESTOREs), under the default thresholds and under the small
// ones of TestSetDumpRestoreWithRedis's end, checked on Anax alone, so that
// they are checked where the oracle is a 7.0.
var setDumpEncodings = map[string][2]string{
	"si": {"intset", "intset"}, "si32": {"intset", "intset"}, "si64": {"intset", "intset"},
	"sl": {"listpack", "hashtable"}, "slong": {"hashtable", "hashtable"}, "sone": {"listpack", "listpack"},
	"sbi": {"hashtable", "hashtable"}, "sbs": {"hashtable", "hashtable"}, "s129": {"hashtable", "hashtable"},
	"sint200": {"intset", "hashtable"},
}

// TestSetDumpRestoreWithRedis round-trips every set encoding both ways:
// Anax's DUMP restores in redis-server 7.0 and 7.2 (an intset's payload is
// 7.0's byte for byte), and the payloads of 7.0 (types 2 and 11) and 7.2
// (types 2, 11 and 20) restore in Anax with 7.2's encodings. With no 7.2,
// 7.0's payloads are restored, and the encodings are setDumpEncodings.
func TestSetDumpRestoreWithRedis(t *testing.T) {
	anax, r70, r72 := dumpServers(t)
	a, r0 := servertest.Dial(t, anax), servertest.Dial(t, r70)
	var r2 *servertest.Raw
	redises := map[string]*servertest.Raw{"7.0": r0}
	if r72 != "" {
		r2 = servertest.Dial(t, r72)
		redises["7.2"] = r2
	}
	for _, cmd := range setDumpData() {
		for _, c := range append([]*servertest.Raw{a}, slices.Collect(maps.Values(redises))...) {
			c.Do(cmd...)
		}
	}
	// encoding checks a key's encoding in Anax: 7.2's, as written in
	// setDumpEncodings (small: under the small thresholds) and, when
	// there is a 7.2, as it has it.
	encoding := func(what, key string, small bool) {
		t.Helper()
		i := 0
		if small {
			i = 1
		}
		name, _, _ := strings.Cut(key, ":")
		want := fmt.Sprintf("$%d\r\n%s\r\n", len(setDumpEncodings[name][i]), setDumpEncodings[name][i])
		if r2 != nil {
			if gr := r2.Do("OBJECT", "ENCODING", key); gr != want {
				t.Errorf("%s: redis 7.2's encoding %q, setDumpEncodings says %q", what, gr, want)
			}
		}
		if ga := a.Do("OBJECT", "ENCODING", key); ga != want {
			t.Errorf("%s: encoding %q, redis 7.2's %q", what, ga, want)
		}
	}
	keys := []string{"si", "si32", "si64", "sl", "slong", "sone", "sbi", "sbs", "s129", "sint200"}
	for _, key := range keys {
		want := sortedMembers(t, r0, key)
		if got := sortedMembers(t, a, key); got != want {
			t.Fatalf("%s: the script built different sets: %.200q vs %.200q", key, got, want)
		}
		encoding(key, key, false)
		if ga, gr := a.Do("TYPE", key), r0.Do("TYPE", key); ga != gr {
			t.Errorf("TYPE %s: anax %q, redis %q", key, ga, gr)
		}
		// DEBUG OBJECT follows 7.2; a 7.0's agrees but for listpacks,
		// which it has not.
		if ref := r2; ref != nil || setDumpEncodings[key][0] != "listpack" {
			if ref == nil {
				ref = r0
			}
			if ga, gr := debugFields(a.Do("DEBUG", "OBJECT", key)), debugFields(ref.Do("DEBUG", "OBJECT", key)); ga != gr {
				t.Errorf("DEBUG OBJECT %s:\n  anax:  %q\n  redis: %q", key, ga, gr)
			}
		}
		da := string(bulk(t, a.Do("DUMP", key)))
		if strings.HasPrefix(key, "si") && !strings.HasPrefix(key, "sint") {
			if dr := string(bulk(t, r0.Do("DUMP", key))); da != dr {
				t.Errorf("DUMP %s differs from redis-server 7.0's:\n  anax:  %x\n  redis: %x", key, da, dr)
			}
		}
		// Anax → Redis.
		for name, c := range redises {
			if got := c.Do("RESTORE", key+":a", "0", da); got != "+OK\r\n" {
				t.Errorf("redis %s RESTORE of Anax's DUMP %s: %q", name, key, got)
				continue
			}
			if got := sortedMembers(t, c, key+":a"); got != want {
				t.Errorf("redis %s restored %s as %.200q", name, key, got)
			}
		}
		if got := a.Do("RESTORE", key+":a", "0", da); got != "+OK\r\n" {
			t.Errorf("%s: RESTORE of its own DUMP: %q", key, got)
		}
		encoding(key+": RESTORE of its own DUMP", key+":a", false)
		// Redis → Anax: 7.0's and 7.2's payloads.
		for name, c := range redises {
			p := string(bulk(t, c.Do("DUMP", key)))
			if r2 != nil {
				r2.Do("RESTORE", key+":b", "0", p, "REPLACE")
			}
			if got := a.Do("RESTORE", key+":b", "0", p, "REPLACE"); got != "+OK\r\n" {
				t.Errorf("RESTORE of redis %s's DUMP %s: %q", name, key, got)
				continue
			}
			if got := sortedMembers(t, a, key+":b"); got != want {
				t.Errorf("RESTORE of redis %s's DUMP %s gave %.200q", name, key, got)
			}
			encoding("RESTORE of redis "+name+"'s DUMP "+key, key+":b", false)
		}
	}
	// The loading thresholds: the same payloads under small settings.
	for _, c := range []*servertest.Raw{a, r2} {
		if c == nil {
			continue
		}
		c.Do("CONFIG", "SET", "set-max-intset-entries", "4")
		c.Do("CONFIG", "SET", "set-max-listpack-entries", "3")
		c.Do("CONFIG", "SET", "set-max-listpack-value", "8")
	}
	if r2 != nil {
		defer r2.Do("CONFIG", "SET", "set-max-intset-entries", "512")
		defer r2.Do("CONFIG", "SET", "set-max-listpack-entries", "128")
		defer r2.Do("CONFIG", "SET", "set-max-listpack-value", "64")
	}
	for _, key := range keys {
		for name, c := range redises {
			p := string(bulk(t, c.Do("DUMP", key)))
			ga := a.Do("RESTORE", key+":c", "0", p, "REPLACE")
			if ga != "+OK\r\n" {
				t.Errorf("RESTORE of redis %s's DUMP %s: %q", name, key, ga)
			}
			if r2 != nil {
				if gr := r2.Do("RESTORE", key+":c", "0", p, "REPLACE"); ga != gr {
					t.Errorf("RESTORE %s: anax %q, redis %q", key, ga, gr)
				}
			}
			encoding("RESTORE of redis "+name+"'s DUMP "+key+" under small settings", key+":c", true)
		}
	}
}

// setPayload builds a DUMP payload of type typ from body (RDB version 10).
func setPayload(typ byte, body ...[]byte) string {
	p := []byte{typ}
	for _, b := range body {
		p = append(p, b...)
	}
	return string(withFooter(p, 10))
}

// rdbStr is an RDB string of s (s shorter than 64 bytes).
func rdbStr(s string) []byte { return append([]byte{byte(len(s))}, s...) }

// TestSetRestoreCorrupt: corrupt set payloads get Redis's error, and the
// key is left as it was. Anax always checks what Redis checks only with
// sanitize-dump-payload yes (an intset's order, a listpack's duplicates),
// so Redis runs with it.
func TestSetRestoreCorrupt(t *testing.T) {
	r2 := servertest.OracleIfInstalled(t, "--sanitize-dump-payload", "yes").Addr
	a := servertest.Dial(t, servertest.Start(t))
	intsetBytes := func(width uint32, vals ...int64) string {
		b := binary.LittleEndian.AppendUint32(nil, width)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(vals)))
		for _, v := range vals {
			switch width {
			case 2:
				b = binary.LittleEndian.AppendUint16(b, uint16(v))
			case 4:
				b = binary.LittleEndian.AppendUint32(b, uint32(v))
			default:
				b = binary.LittleEndian.AppendUint64(b, uint64(v))
			}
		}
		return string(b)
	}
	lp := func(elems ...string) string {
		l := []byte{0, 0, 0, 0, byte(len(elems)), 0}
		for _, e := range elems {
			l = append(l, 0x80|byte(len(e)))
			l = append(l, e...)
			l = append(l, byte(1+len(e)))
		}
		l = append(l, 0xff)
		binary.LittleEndian.PutUint32(l, uint32(len(l)))
		return string(l)
	}
	cases := map[string]string{
		"intset unsorted":    setPayload(11, rdbStr(intsetBytes(2, 3, 1))),
		"intset duplicate":   setPayload(11, rdbStr(intsetBytes(2, 1, 1))),
		"intset empty":       setPayload(11, rdbStr(intsetBytes(2))),
		"intset bad width":   setPayload(11, rdbStr(intsetBytes(3, 1))),
		"intset short":       setPayload(11, rdbStr(intsetBytes(4, 1)[:10])),
		"listpack duplicate": setPayload(20, rdbStr(lp("a", "b", "a"))),
		"listpack empty":     setPayload(20, rdbStr(lp())),
		"listpack bad":       setPayload(20, rdbStr(lp("a", "b")[:9]+"\xff")),
		"plain duplicate":    setPayload(2, []byte{3}, rdbStr("a"), rdbStr("b"), rdbStr("a")),
		"plain int dup":      setPayload(2, []byte{2}, rdbStr("1"), rdbStr("1")),
		"plain empty":        setPayload(2, []byte{0}),
		"plain truncated":    setPayload(2, []byte{3}, rdbStr("a")),
		"plain huge count":   setPayload(2, []byte{0x80, 0x7f, 0xff, 0xff, 0xff}, rdbStr("a")),
	}
	for _, c := range []*servertest.Raw{a} {
		c.Do("SADD", "k", "keep")
	}
	var r *servertest.Raw
	if r2 != "" {
		r = servertest.Dial(t, r2)
		r.Do("SADD", "k", "keep")
	}
	for name, p := range cases {
		got := a.Do("RESTORE", "k", "0", p, "REPLACE")
		if got != "-ERR Bad data format\r\n" {
			t.Errorf("%s: %q", name, got)
		}
		// Redis tries to size a table for the huge count first, which
		// may take it a long time; that case is Anax's alone.
		if r != nil && name != "plain huge count" {
			if gr := r.Do("RESTORE", "k", "0", p, "REPLACE"); gr != got {
				t.Errorf("%s: anax %q, redis %q", name, got, gr)
			}
		}
		if got := a.Do("SMEMBERS", "k"); got != "*1\r\n$4\r\nkeep\r\n" {
			t.Fatalf("%s: the key changed: %q", name, got)
		}
	}
}

// FuzzRestoreSet restores mutations of set payloads (the footer, with a
// correct CRC, added to the fuzzed body) into a running Anax, then runs the
// set commands on the key: nothing may crash the server.
func FuzzRestoreSet(f *testing.F) {
	addr := servertest.Start(f)
	c := servertest.Dial(f, addr)
	for _, cmd := range setDumpData() {
		c.Do(cmd...)
	}
	for _, key := range []string{"si", "si64", "sl", "slong", "sone", "s129"} {
		p := []byte(c.Do("DUMP", key))
		p = p[strings.Index(string(p), "\r\n")+2 : len(p)-2]
		f.Add(p[:len(p)-10])
	}
	f.Add([]byte("\x14\x0f\x0f\x00\x00\x00\x02\x00\x81a\x02\x81b\x02\xff"))
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 1<<16 {
			return
		}
		c := servertest.Dial(t, addr)
		defer c.Close()
		got := c.Do("RESTORE", "fz", "0", string(withFooter(body, 10)), "REPLACE")
		switch got {
		case "+OK\r\n":
			for _, cmd := range [][]string{{"SMEMBERS"}, {"SCARD"}, {"SISMEMBER", "1"}, {"SISMEMBER", "a"},
				{"SRANDMEMBER", "-5"}, {"SRANDMEMBER", "3"}, {"SSCAN", "0"}, {"OBJECT", "ENCODING"}, {"SADD", "x", "2"},
				{"SREM", "1", "a"}, {"SPOP", "2"}, {"SINTER", "fz"}, {"SUNIONSTORE", "fz2"}, {"DUMP"}} {
				args := append([]string{cmd[0], "fz"}, cmd[1:]...)
				if cmd[0] == "OBJECT" {
					args = []string{"OBJECT", "ENCODING", "fz"}
				}
				if r := c.Do(args...); strings.HasPrefix(r, "-") && !strings.HasPrefix(r, "-WRONGTYPE") {
					t.Fatalf("%q: %q", args, r)
				}
			}
		case "-ERR Bad data format\r\n", "-ERR DUMP payload version or checksum are wrong\r\n":
		default:
			t.Fatalf("RESTORE: %q", got)
		}
		if got := c.Do("PING"); got != "+PONG\r\n" {
			t.Fatalf("PING: %q", got)
		}
	})
}

// TestSetsAcrossShards: every multi-key set command and the keyspace
// commands with keys on four different shards, against redis-server 7.2.
func TestSetsAcrossShards(t *testing.T) {
	o := servertest.StartOracle(t)
	anax := servertest.Start(t, "--threads", "4")
	k := keysOnShards("sk", 4)
	check := func(key string) [][]string {
		return [][]string{{"SCARD", key}, {"SMISMEMBER", key, "m1", "m500", "7", "nope"}, {"OBJECT", "ENCODING", key},
			{"TYPE", key}, {"SMEMBERS", key}}
	}
	script := [][]string{{"FLUSHALL"}, saddMany(k[0], "m", 0, 700), {"SADD", k[1], "1", "2", "7"},
		{"SADD", k[2], "m1", "m2", "x", "7"}, saddMany(k[3], "", 0, 300)}
	for _, op := range []string{"SINTER", "SUNION", "SDIFF"} {
		script = append(script, []string{op, k[0], k[2]}, []string{op, k[2], k[0], k[1]}, []string{op, k[1], k[3]},
			[]string{op, k[3], k[1], "nokey"})
	}
	script = append(script, []string{"SINTERCARD", "2", k[0], k[2]}, []string{"SINTERCARD", "3", k[3], k[1], k[2], "LIMIT", "1"})
	for _, op := range []string{"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"} {
		script = append(script, []string{op, "{d}" + op, k[0], k[2]}, []string{"OBJECT", "ENCODING", "{d}" + op},
			[]string{"SMEMBERS", "{d}" + op}, []string{op, k[1], k[3], k[1]}, []string{"OBJECT", "ENCODING", k[1]},
			[]string{"SMEMBERS", k[1]}, []string{op, "{d}" + op, "nokey", "nokey2"}, []string{"EXISTS", "{d}" + op})
	}
	script = append(script, []string{"SET", "str", "x"}, []string{"SINTERSTORE", k[2], "str", k[0]},
		[]string{"SMOVE", k[0], k[2], "m5"}, []string{"SMOVE", k[0], k[2], "nope"}, []string{"SMOVE", k[0], "str", "m6"},
		[]string{"SMOVE", "str", k[0], "m6"}, []string{"SMOVE", "nokey", "str", "m6"}, []string{"SMOVE", k[0], "{n}new", "m7"},
		[]string{"OBJECT", "ENCODING", "{n}new"}, []string{"SMOVE", k[1], "{n}new", "1"}, []string{"OBJECT", "ENCODING", "{n}new"})
	script = append(script, []string{"RENAME", k[0], k[1]}, []string{"EXISTS", k[0]})
	script = append(script, check(k[1])...)
	script = append(script, []string{"COPY", k[1], k[3], "REPLACE"}, []string{"SADD", k[3], "changed"}, []string{"SISMEMBER", k[1], "changed"})
	script = append(script, check(k[3])...)
	script = append(script, []string{"COPY", k[2], k[0]}, []string{"SMEMBERS", k[0]},
		[]string{"MOVE", k[3], "2"}, []string{"SELECT", "2"})
	script = append(script, check(k[3])...)
	script = append(script, []string{"EXPIRE", k[3], "100"}, []string{"TTL", k[3]}, []string{"PERSIST", k[3]},
		[]string{"DEL", k[3]}, []string{"SELECT", "0"}, []string{"SCAN", "0", "TYPE", "set", "COUNT", "1000"},
		[]string{"MULTI"}, []string{"SADD", k[0], "q"}, []string{"SMOVE", k[0], k[1], "q"}, []string{"SINTERSTORE", k[2], k[1], k[0]},
		[]string{"SCARD", k[1]}, []string{"EXEC"},
		[]string{"DEL", k[0], k[1], k[2], k[3]}, []string{"DBSIZE"})
	a, r := servertest.Dial(t, anax), servertest.Dial(t, o.Addr)
	compareSets(t, o, a, r, script)
}

// TestWatchSet: a write to a watched set by any set command, in place or
// not, on its shard or from another (SMOVE, the STORE commands), aborts
// the transaction; a no-op does not.
func TestWatchSet(t *testing.T) {
	anax := servertest.Start(t, "--threads", "4")
	k := keysOnShards("wk", 4)
	c, other := servertest.Dial(t, anax), servertest.Dial(t, anax)
	c.Do(saddMany("big", "m", 0, 600)...)
	c.Do("SADD", "small", "a", "1")
	c.Do("SADD", "ints", "1", "2")
	c.Do("SADD", k[1], "a", "b")
	for _, tc := range []struct {
		write []string
		abort bool
	}{
		{[]string{"SADD", "small", "b"}, true},
		{[]string{"SADD", "small", "b"}, false},
		{[]string{"SADD", "ints", "3"}, true},
		{[]string{"SADD", "big", "new"}, true},
		{[]string{"SREM", "big", "m1"}, true},
		{[]string{"SREM", "big", "nope"}, false},
		{[]string{"SPOP", "ints"}, true},
		{[]string{"SPOP", "big", "3"}, true},
		{[]string{"SISMEMBER", "big", "m2"}, false},
		{[]string{"SMOVE", k[1], k[2], "a"}, true},
		{[]string{"SMOVE", k[2], k[1], "a"}, true},
		{[]string{"SMOVE", k[1], k[2], "nope"}, false},
		{[]string{"SUNIONSTORE", k[0], k[1], "small"}, true},
		{[]string{"SINTERSTORE", k[0], k[1], "nokey"}, true},
		{[]string{"SINTERSTORE", k[0], k[1], "nokey"}, false},
		{[]string{"SDIFFSTORE", k[3], k[1], "nokey"}, true},
		{[]string{"DEL", "small"}, true},
	} {
		key := tc.write[1]
		if strings.HasSuffix(tc.write[0], "STORE") {
			key = tc.write[1]
		} else if tc.write[0] == "SMOVE" && tc.abort && tc.write[1] == k[2] {
			key = tc.write[2]
		}
		c.Do("WATCH", key)
		other.Do(tc.write...)
		c.Do("MULTI")
		c.Do("SCARD", key)
		got := c.Do("EXEC")
		if aborted := got == "*-1\r\n"; aborted != tc.abort {
			t.Errorf("%q on %s: EXEC %q, want aborted=%v", tc.write, key, got, tc.abort)
		}
	}
}

// TestSetMemoryUsage: MEMORY USAGE grows with a big set's members and a
// small set costs less than in Redis.
func TestSetMemoryUsage(t *testing.T) {
	anax := servertest.Start(t)
	c := servertest.Dial(t, anax)
	c.Do(saddMany("big", "member:", 0, 10000)...)
	c.Do("SADD", "small", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10")
	usage := func(key string) int {
		r := c.Do("MEMORY", "USAGE", key)
		n, err := strconv.Atoi(strings.TrimSpace(r[1:]))
		if err != nil {
			t.Fatalf("MEMORY USAGE %s: %q", key, r)
		}
		return n
	}
	if u := usage("big"); u < 10000*16 || u > 10000*64 {
		t.Errorf("MEMORY USAGE of a 10000-member set: %d", u)
	}
	if u := usage("small"); u > 104 {
		t.Errorf("MEMORY USAGE of a 10-integer set: %d, Redis 7.2 says 104", u)
	}
}

// TestSetRandomProperties checks SRANDMEMBER and SPOP by what must hold
// whatever the draw, on each encoding: positive counts give distinct
// members, at most the set's size; negative counts exactly |count| members
// of the set; SPOP's members leave the set; and single draws come out
// roughly uniformly.
func TestSetRandomProperties(t *testing.T) {
	anax := servertest.Start(t)
	c := servertest.Dial(t, anax)
	members := func(reply string) []string {
		n := parseRESP(t, reply)
		var out []string
		for _, e := range n.elems {
			out = append(out, bulkText(e.raw))
		}
		return out
	}
	for _, tc := range []struct {
		key    string
		size   int
		prefix string
	}{{"ints", 50, ""}, {"lp", 40, "m"}, {"big", 3000, "m"}} {
		c.Do(saddMany(tc.key, tc.prefix, 0, tc.size)...)
		in := func(m string) bool { return c.Do("SISMEMBER", tc.key, m) == ":1\r\n" }
		for _, count := range []int{1, 2, 5, tc.size / 3, tc.size/3 + 1, tc.size - 1, tc.size, tc.size + 10} {
			got := members(c.Do("SRANDMEMBER", tc.key, strconv.Itoa(count)))
			seen := map[string]bool{}
			for _, m := range got {
				if seen[m] || !in(m) {
					t.Fatalf("%s SRANDMEMBER %d: %q repeated or not a member", tc.key, count, m)
				}
				seen[m] = true
			}
			if len(got) != min(count, tc.size) {
				t.Fatalf("%s SRANDMEMBER %d: %d members", tc.key, count, len(got))
			}
			got = members(c.Do("SRANDMEMBER", tc.key, strconv.Itoa(-count)))
			if len(got) != count {
				t.Fatalf("%s SRANDMEMBER -%d: %d members", tc.key, count, len(got))
			}
			for _, m := range got[:min(len(got), 20)] {
				if !in(m) {
					t.Fatalf("%s SRANDMEMBER -%d: %q", tc.key, count, m)
				}
			}
		}
		// Uniformity of single draws on a 10-member slice of the values:
		// each of 10 buckets by member index gets its share.
		hits := make([]int, 10)
		const draws = 10000
		for range draws {
			m := bulkText(c.Do("SRANDMEMBER", tc.key))
			i, _ := strconv.Atoi(strings.TrimPrefix(m, tc.prefix))
			hits[i*10/tc.size]++
		}
		for b, h := range hits {
			if h < draws/10*7/10 || h > draws/10*13/10 {
				t.Errorf("%s: bucket %d drawn %d times of %d", tc.key, b, h, draws)
			}
		}
		// SPOP with counts in each of Redis's cases, then the rest.
		left := tc.size
		for _, count := range []int{1, left / 10, left / 2} {
			got := members(c.Do("SPOP", tc.key, strconv.Itoa(count)))
			if len(got) != count {
				t.Fatalf("%s SPOP %d: %d members", tc.key, count, len(got))
			}
			for _, m := range got {
				if in(m) {
					t.Fatalf("%s SPOP %d: %q still a member", tc.key, count, m)
				}
			}
			left -= count
			if card := c.Do("SCARD", tc.key); card != ":"+strconv.Itoa(left)+"\r\n" {
				t.Fatalf("%s after SPOP %d: SCARD %q, want %d", tc.key, count, card, left)
			}
		}
		if got := members(c.Do("SPOP", tc.key, strconv.Itoa(left+5))); len(got) != left || c.Do("EXISTS", tc.key) != ":0\r\n" {
			t.Fatalf("%s: SPOP of the rest gave %d members", tc.key, len(got))
		}
	}
}
