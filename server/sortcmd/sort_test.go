package sortcmd

import (
	"bytes"
	"strings"
	"testing"

	"github.com/anaxdb/anax/shard"
)

func args(s string) [][]byte {
	var out [][]byte
	for _, f := range strings.Fields(s) {
		out = append(out, []byte(f))
	}
	return out
}

func TestResolve(t *testing.T) {
	for _, c := range []struct {
		pattern, elem string
		kind          patternKind
		key, field    string
	}{
		{"#", "e", patSelf, "", ""},
		{"#x", "e", patMissing, "", ""},
		{"const", "e", patMissing, "", ""},
		{"w_*", "e", patKey, "w_e", ""},
		{"w_*_x", "e", patKey, "w_e_x", ""},
		{"*", "e", patKey, "e", ""},
		{"o_*->f", "e", patField, "o_e", "f"},
		{"o_*->", "e", patKey, "o_e->", ""},
		{"o_*->f->g", "e", patField, "o_e", "f->g"},
		{"a->b*", "e", patKey, "a->be", ""},
		{"a*b*", "e", patKey, "aeb*", ""},
		{"a\x00*", "e", patMissing, "", ""},           // '*' after a NUL is not seen
		{"#\x00x", "e", patSelf, "", ""},              // nor is what follows "#"
		{"o_*->\x00f", "e", patKey, "o_e->\x00f", ""}, // nothing after the arrow, as C sees it
		{"o_*->f\x00g", "e", patField, "o_e", "f\x00g"},
	} {
		kind, key, field := resolve([]byte(c.pattern), []byte(c.elem), nil)
		if kind != c.kind || string(key) != c.key || string(field) != c.field {
			t.Errorf("resolve(%q, %q) = %v %q %q, want %v %q %q", c.pattern, c.elem, kind, key, field, c.kind, c.key, c.field)
		}
	}
}

func TestReaches(t *testing.T) {
	// A route that knows only hash tags: "{a}" and keys tagged a are on
	// shard 1, everything else on shard 0 or 2 by its first byte.
	route := func(key []byte) int {
		if i := bytes.IndexByte(key, '{'); i >= 0 {
			if j := bytes.IndexByte(key[i+1:], '}'); j > 0 {
				if string(key[i+1:i+1+j]) == "a" {
					return 1
				}
				return 2
			}
		}
		return int(key[0]) % 2 * 2
	}
	for _, c := range []struct {
		cmd  string
		want bool
	}{
		{"SORT {a}l", false},
		{"SORT {a}l BY nosort GET #", false},
		{"SORT {a}l GET const", false},
		{"SORT {a}l BY w_*", true},
		{"SORT {a}l BY {a}w_*", false},
		{"SORT {a}l BY x{a}w_* GET {a}*->f GET #", false},
		{"SORT {a}l BY {b}w_*", true},
		{"SORT {a}l BY {}w_*", true},
		{"SORT {a}l BY {a*}", true},
		{"SORT {a}l BY w_*{a}", true},
		{"SORT {a}l BY nosort BY w_*", false}, // nosort sticks: BY is never looked up
		{"SORT {a}l GET {a}w_* GET w_*", true},
		{"SORT {a}l STORE elsewhere GET {a}*", false},
		{"SORT {a}l BY w_* FOO", false}, // an error, answered without looking anything up
	} {
		if got := reaches(args(c.cmd), route); got != c.want {
			t.Errorf("reaches(%s) = %v, want %v", c.cmd, got, c.want)
		}
	}
}

func TestParseScore(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1", 1, true}, {"-2.5", -2.5, true}, {"+5", 5, true}, {"007", 7, true}, {" 7", 7, true}, {"\t\n1e2", 100, true},
		{"", 0, true}, {"0x10", 16, true}, {"0X1.8", 1.5, true}, {"0x1p3", 8, true}, {".5", 0.5, true}, {"1.", 1, true},
		{"inf", 0, true}, {"-Infinity", 0, true}, {"1\x00x", 1, true}, {"0x1p-1074", 0x1p-1074, true}, {"-0", 0, true},
		{"nan", 0, false}, {"1e400", 0, false}, {"1e-400", 0, false}, {"1e-310", 0, false}, {"0x1p-2000", 0, false},
		{"1 ", 0, false}, {"  ", 0, false}, {"1e", 0, false}, {"0x", 0, false}, {"1_000", 0, false}, {"0x_1p0", 0, false},
		{"abc", 0, false}, {"infin", 0, false}, {"--1", 0, false},
	} {
		got, ok := parseScore([]byte(c.in))
		if ok != c.ok || (ok && got != c.want && !(c.in == "inf" || c.in == "-Infinity")) {
			t.Errorf("parseScore(%q) = %v %v, want %v %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// FuzzKeysAgreeWithParse checks that, whenever SORT's arguments parse,
// the key positions (which decide the shards and the locks) name the
// destination that parse stores to: a store must never land on a shard the
// command did not plan for.
func FuzzKeysAgreeWithParse(f *testing.F) {
	for _, s := range []string{
		"SORT k", "SORT k STORE d", "SORT k STORE d STORE e", "SORT k BY store GET store STORE d",
		"SORT k LIMIT 0 1 STORE d", "SORT k LIMIT store x STORE d", "SORT k GET STORE d", "SORT k STORE",
		"SORT k BY STORE STORE d ASC", "SORT k get # limit 1 2 store d alpha desc",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := args(s)
		if len(a) < 2 {
			return
		}
		o, bad := parse(a, false)
		if bad != "" {
			return
		}
		idx := sortKeys(a, nil)
		if idx[0] != 1 {
			t.Fatalf("%q: first key at %d", s, idx[0])
		}
		switch {
		case o.hasStore && (len(idx) != 2 || !bytes.Equal(a[idx[1]], o.store)):
			t.Fatalf("%q: stores to %q, keys %v", s, o.store, idx)
		case !o.hasStore && len(idx) != 1:
			t.Fatalf("%q: no store, keys %v", s, idx)
		}
		if ro, bad := parse(a, true); bad == "" && ro.hasStore {
			t.Fatalf("%q: SORT_RO stores", s)
		}
	})
}

// TestJobOnSortedSetsAndSets runs the sort itself on a sorted set's and a
// set's elements, as shard.DB.SortElements will hand them over (a sorted
// set by rank), against answers taken from redis-server.
func TestJobOnSortedSetsAndSets(t *testing.T) {
	zset := [][]byte{[]byte("b"), []byte("c"), []byte("a"), []byte("e"), []byte("d")} // scores 1..5
	set := [][]byte{[]byte("b"), []byte("a"), []byte("c")}
	for _, c := range []struct {
		typ   byte
		elems [][]byte
		cmd   string
		want  string
	}{
		{shard.TypeZSet, zset, "SORT z BY nosort", "b c a e d"},
		{shard.TypeZSet, zset, "SORT z BY nosort DESC", "d e a c b"},
		{shard.TypeZSet, zset, "SORT z BY nosort LIMIT 1 3", "c a e"},
		{shard.TypeZSet, zset, "SORT z BY nosort DESC LIMIT 1 3", "e a c"},
		{shard.TypeZSet, zset, "SORT z BY nosort LIMIT 4 10", "d"},
		{shard.TypeZSet, zset, "SORT z BY nosort LIMIT 10 1", ""},
		{shard.TypeZSet, zset, "SORT z BY nosort LIMIT -3 2", "b c"},
		{shard.TypeZSet, zset, "SORT z BY nosort DESC LIMIT 0 0", ""},
		{shard.TypeZSet, zset, "SORT z ALPHA DESC LIMIT 1 2", "d c"},
		{shard.TypeSet, set, "SORT s BY nosort STORE d", "a b c"},
		{shard.TypeSet, set, "SORT s BY nosort DESC LIMIT 1 1 STORE d", "b"},
	} {
		o, bad := parse(args(c.cmd), false)
		if bad != "" {
			t.Fatalf("%s: %s", c.cmd, bad)
		}
		res := newJob(o, c.typ, c.elems).run(func(int, int) ([]byte, bool) { return nil, false })
		if got := string(bytes.Join(res.rows, []byte(" "))); got != c.want || res.errMsg != "" {
			t.Errorf("%s = %q %s, want %q", c.cmd, got, res.errMsg, c.want)
		}
	}
}
