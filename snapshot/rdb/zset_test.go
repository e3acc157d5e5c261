package rdb

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/anaxdb/anax/container/listpack"
)

// zsetBodies are sorted-set payload bodies of every type, good and bad.
var zsetBodies = [][]byte{
	cat([]byte{TypeZSet}, ln(2), rss("a"), []byte{3, '1', '.', '5'}, rss("b"), []byte{254}),
	cat([]byte{TypeZSet}, ln(1), rss("a"), []byte{253}),
	cat([]byte{TypeZSet2}, ln(2), rss("a"), f64(1.5), rss("b"), f64(math.Inf(-1))),
	cat([]byte{TypeZSet2}, ln(2), rss("a"), f64(1), rss("a"), f64(2)),
	cat([]byte{TypeZSet2}, ln(1), rss("a"), f64(math.NaN())),
	cat([]byte{TypeZSet2}, ln(0)),
	cat([]byte{TypeZSetZiplist}, rs(zlOf("a", "1", "b", "2.5"))),
	cat([]byte{TypeZSetListpack}, rs(lpOf("a", "1", "b", "2.5", "c", "inf"))),
	cat([]byte{TypeZSetListpack}, rs(lpOf("a", "1", "b"))),
	cat([]byte{TypeZSetListpack}, rs(lpOf("a", "x"))),
	cat([]byte{TypeZSetListpack}, rs(lpOf("a", "1", "a", "2"))),
	cat([]byte{TypeZSetListpack}, rs(lpOf())),
}

func TestZSetMembers(t *testing.T) {
	for i, want := range []struct {
		n   int
		err error
	}{{2, nil}, {0, ErrBadFormat}, {2, nil}, {0, ErrBadFormat}, {0, ErrBadFormat}, {0, ErrBadFormat},
		{2, nil}, {3, nil}, {0, ErrBadFormat}, {0, ErrBadFormat}, {0, ErrBadFormat}, {0, ErrBadFormat}} {
		ms, _, err := ZSetMembers(withFooter(zsetBodies[i], DumpRDBVersion))
		if len(ms) != want.n || !errors.Is(err, want.err) && !(want.err != nil && err != nil) {
			t.Errorf("body %d (%x): %d members, %v; want %d, %v", i, zsetBodies[i], len(ms), err, want.n, want.err)
		}
	}
	if _, _, err := ZSetMembers(DumpString(nil, []byte("x"))); !errors.Is(err, ErrUnsupportedType) {
		t.Errorf("a string payload: %v", err)
	}
}

func TestDumpZSetRoundTrips(t *testing.T) {
	l := listpack.New()
	for _, s := range []string{"a", "1", "b", "2.5", "c", "inf"} {
		l.Append([]byte(s))
	}
	ms, packed, err := ZSetMembers(DumpZSetListpack(nil, l.Bytes()))
	if err != nil || !packed || len(ms) != 3 || ms[1].Score != 2.5 || !math.IsInf(ms[2].Score, 1) {
		t.Fatalf("listpack round trip: %v %v %v", ms, packed, err)
	}
	in := []ZMember{{[]byte("z"), 3}, {[]byte("y"), -0.5}, {[]byte("x"), math.Inf(-1)}}
	p := DumpZSet2(nil, len(in), func(yield func([]byte, float64) bool) {
		for _, m := range in {
			yield(m.Member, m.Score)
		}
	})
	ms, packed, err = ZSetMembers(p)
	if err != nil || packed || len(ms) != 3 {
		t.Fatalf("ZSET_2 round trip: %v %v", ms, err)
	}
	for i := range in {
		if !bytes.Equal(ms[i].Member, in[i].Member) || ms[i].Score != in[i].Score {
			t.Errorf("member %d: %q %v, want %q %v", i, ms[i].Member, ms[i].Score, in[i].Member, in[i].Score)
		}
	}
}

// FuzzZSet feeds sorted-set payloads (good and bad, as given and with a
// valid footer) to ZSetMembers: never a panic; what it accepts has members
// at all, no NaN, no member twice, and re-encodes (DumpZSet2) to a payload
// that decodes the same.
func FuzzZSet(f *testing.F) {
	for _, b := range zsetBodies {
		f.Add(b)
		f.Add(withFooter(b, DumpRDBVersion))
	}
	check := func(t *testing.T, p []byte) {
		ms, _, err := ZSetMembers(p)
		if err != nil {
			return
		}
		if len(ms) == 0 {
			t.Fatal("an empty sorted set accepted")
		}
		seen := map[string]bool{}
		for _, m := range ms {
			if math.IsNaN(m.Score) || seen[string(m.Member)] {
				t.Fatalf("accepted %q %v", m.Member, m.Score)
			}
			seen[string(m.Member)] = true
		}
		back := DumpZSet2(nil, len(ms), func(yield func([]byte, float64) bool) {
			for _, m := range ms {
				yield(m.Member, m.Score)
			}
		})
		ms2, _, err := ZSetMembers(back)
		if err != nil || len(ms2) != len(ms) {
			t.Fatalf("re-encoding: %v", err)
		}
		for i := range ms {
			if !bytes.Equal(ms[i].Member, ms2[i].Member) || math.Float64bits(ms[i].Score) != math.Float64bits(ms2[i].Score) {
				t.Fatalf("re-encoding changed member %d", i)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, data)
		check(t, withFooter(data, DumpRDBVersion))
	})
}
