package rdb

import (
	"fmt"
	"testing"

	"github.com/anaxdb/anax/container/stream"
)

// cellStore is a stream.Store of Go slices that counts live cells.
type cellStore struct {
	cells map[uint64][]byte
	next  uint64
}

func (c *cellStore) Alloc(n int) (uint64, []byte) {
	if c.cells == nil {
		c.cells = map[uint64][]byte{}
	}
	c.next++
	b := make([]byte, n)
	c.cells[c.next] = b
	return c.next, b
}
func (c *cellStore) Bytes(h uint64) []byte { return c.cells[h] }
func (c *cellStore) Free(h uint64) {
	if _, ok := c.cells[h]; !ok {
		panic("double free")
	}
	delete(c.cells, h)
}

func sampleStream(st stream.Store) *stream.Stream {
	s := stream.New()
	for i := 1; i <= 12; i++ {
		s.Append(st, stream.Config{MaxBytes: 4096, MaxEntries: 4}, stream.ID{Ms: uint64(i), Seq: 1}, [][]byte{[]byte("f"), []byte(fmt.Sprint(i * 7))})
	}
	s.Delete(st, stream.ID{Ms: 5, Seq: 1})
	g := s.CreateGroup([]byte("g"), stream.ID{Ms: 10, Seq: 1}, 10)
	_, a := g.AddConsumer([]byte("alice"), 123)
	g.AddConsumer([]byte("bob"), 456)
	g.Deliver(stream.ID{Ms: 2, Seq: 1}, a, 1000)
	g.Deliver(stream.ID{Ms: 3, Seq: 1}, a, 1001)
	s.CreateGroup([]byte("h"), stream.ID{}, stream.InvalidEntriesRead)
	return s
}

func TestStreamRoundTrip(t *testing.T) {
	var st cellStore
	s := sampleStream(&st)
	enc := AppendStream(nil, s, &st, true)
	c, err := ReadStream(TypeStreamListpacks2, enc, &st)
	if err != nil {
		t.Fatal(err)
	}
	if again := AppendStream(nil, c, &st, true); string(again) != string(enc) {
		t.Fatal("re-encoding differs")
	}
	if c.Len() != s.Len() || c.LastID != s.LastID || len(c.Group([]byte("g")).PEL) != 2 {
		t.Fatal("decoded stream differs")
	}
	// Truncations and byte flips are refused or decode; nothing leaks.
	before := len(st.cells)
	for i := range enc {
		if x, err := ReadStream(TypeStreamListpacks2, enc[:i], &st); err == nil {
			x.Free(&st)
		}
		b := append([]byte(nil), enc...)
		b[i] ^= 0x41
		if x, err := ReadStream(TypeStreamListpacks2, b, &st); err == nil {
			x.Free(&st)
		}
	}
	if len(st.cells) != before {
		t.Fatalf("%d cells leaked", len(st.cells)-before)
	}
}

func FuzzReadStream(f *testing.F) {
	var st cellStore
	s := sampleStream(&st)
	f.Add(append([]byte{1}, AppendStream(nil, s, &st, true)...))
	f.Add(append([]byte{1}, AppendStream(nil, s, &st, false)...))
	f.Add([]byte{0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		typ := []byte{TypeStreamListpacks, TypeStreamListpacks2, TypeStreamListpacks3}[int(b[0])%3]
		b = b[1:]
		var st cellStore
		x, err := ReadStream(typ, b, &st)
		if err != nil {
			if len(st.cells) != 0 {
				t.Fatalf("%d cells left after an error", len(st.cells))
			}
			return
		}
		// A stream that loads is usable.
		x.Range(&st, stream.ID{}, stream.MaxID, true, func(e *stream.Entry) bool { e.Pairs(nil); return true })
		for _, g := range x.Groups() {
			x.Lag(g)
			for _, c := range g.Consumers() {
				_ = c.Pending
			}
		}
		AppendStream(nil, x, &st, true)
		x.Trim(&st, stream.TrimArgs{Strategy: stream.TrimMaxLen, MaxLen: 1})
		x.Free(&st)
	})
}
