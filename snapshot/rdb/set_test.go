package rdb

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strconv"
	"testing"

	is "github.com/anaxdb/anax/container/intset"
	"github.com/anaxdb/anax/container/listpack"
)

// setMembersOf decodes any set payload into its members, as text.
func setMembersOf(p []byte) ([]string, error) {
	var out []string
	if p[0] == TypeSet {
		err := SetMembers(p, func(int) {}, func(m []byte) error {
			out = append(out, string(m))
			return nil
		})
		return out, err
	}
	typ, small, err := SetSmall(p)
	if err != nil {
		return nil, err
	}
	if typ == TypeSetIntset {
		for i := range is.Len(small) {
			out = append(out, strconv.FormatInt(is.Get(small, i), 10))
		}
		return out, nil
	}
	for it := listpack.FromBytes(small).Iter(); it.Next(); {
		out = append(out, string(it.Value().AppendTo(nil)))
	}
	return out, nil
}

// TestSetDumpRoundTrip: the payloads DumpSetIntset and DumpSetEach write
// read back the same members, through SetSmall and SetMembers and through
// DecodeDumpValue (an independent reader); long members are compressed.
func TestSetDumpRoundTrip(t *testing.T) {
	iset := is.New()
	for _, v := range []int64{5, -3, 70000, -9223372036854775808} {
		iset, _ = is.Add(iset, v)
	}
	members := []string{"a", "", "12", string(bytes.Repeat([]byte("z"), 300)), "-0"}
	payloads := map[string][]byte{
		"intset": DumpSetIntset(nil, iset),
		"plain": DumpSetEach(nil, len(members), func(yield func([]byte) bool) {
			for _, m := range members {
				yield([]byte(m))
			}
		}),
	}
	lp := listpack.New()
	for _, m := range members {
		lp.Append([]byte(m))
	}
	p := []byte{TypeSetListpack}
	p = AppendString(p, lp.Bytes(), true)
	payloads["listpack"] = appendDumpFooter(p, 0, 11)
	for name, p := range payloads {
		got, err := setMembersOf(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		v, err := DecodeDumpValue(p)
		if err != nil {
			t.Fatalf("%s: DecodeDumpValue: %v", name, err)
		}
		var want []string
		for _, m := range v.Set {
			want = append(want, string(m))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: %q, DecodeDumpValue %q", name, got, want)
		}
		if binary.LittleEndian.Uint16(p[len(p)-10:]) > 11 {
			t.Fatalf("%s: version", name)
		}
	}
	if len(payloads["plain"]) > 200 {
		t.Fatalf("a 300-byte run was not compressed: %d bytes", len(payloads["plain"]))
	}
}

// TestSetPayloadsRefused: what RESTORE must refuse.
func TestSetPayloadsRefused(t *testing.T) {
	withV := func(b []byte) []byte { return appendDumpFooter(b, 0, 10) }
	dupLP := listpack.New()
	dupLP.Append([]byte("1"))
	dupLP.Append([]byte("a"))
	dupLP.Append([]byte("1"))
	strLP := listpack.New()
	for _, p := range [][]byte{
		withV(AppendString([]byte{TypeSetIntset}, []byte{2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 3, 0}, false)), // unsorted
		withV(AppendString([]byte{TypeSetIntset}, []byte{2, 0, 0, 0, 0, 0, 0, 0}, false)),             // empty
		withV(AppendString([]byte{TypeSetListpack}, dupLP.Bytes(), false)),
		withV(AppendString([]byte{TypeSetListpack}, strLP.Bytes(), false)),
		withV([]byte{TypeSet, 0}),
		withV([]byte{TypeSet, 5, 1, 'a'}),
		withV([]byte{TypeSetIntset}),
	} {
		if _, err := setMembersOf(p); err != ErrBadFormat {
			t.Errorf("%x: %v, want ErrBadFormat", p, err)
		}
	}
}

// FuzzSetPayload: SetSmall and SetMembers never panic and never allocate
// for a claimed count, whatever the bytes.
func FuzzSetPayload(f *testing.F) {
	iset, _ := is.Add(is.New(), 7)
	f.Add(DumpSetIntset(nil, iset)[:len(DumpSetIntset(nil, iset))-10])
	f.Add([]byte{TypeSet, 2, 1, 'a', 1, 'b'})
	f.Add([]byte{TypeSetListpack, 9, 9, 0, 0, 0, 1, 0, 0x81, 'a', 2, 0xff})
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) == 0 {
			return
		}
		p := appendDumpFooter(append([]byte(nil), body...), 0, 10)
		var n uint64
		got := allocatedApprox(func() {
			members, err := setMembersOf(p)
			if err == nil && len(members) == 0 {
				t.Fatal("an empty set was accepted")
			}
			n = uint64(len(members))
		})
		if limit := uint64(len(p))*100 + n*64 + allocSlack; got > limit {
			t.Fatalf("allocated %d bytes for a %d-byte payload", got, len(p))
		}
	})
}
