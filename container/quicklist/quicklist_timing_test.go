package quicklist

import (
	"testing"

	"github.com/anaxdb/anax/container/listpack"
)

var sink listpack.Value

// TestAllocs holds the hot paths to zero allocations once the node's cell
// has room: a push into it, a pop, an index, an iteration step.
func TestAllocs(t *testing.T) {
	st := &sliceStore{}
	l := New(-2)
	v := []byte("0123456789")
	for i := 0; i < 10000; i++ {
		l.PushTail(st, v)
	}
	f := func(name string, fn func()) {
		t.Helper()
		if n := testing.AllocsPerRun(1000, fn); n != 0 {
			t.Errorf("%s: %v allocations per run", name, n)
		}
	}
	popHead := func(v listpack.Value) { sink = v }
	f("pop head then push head", func() { l.PopHead(st, popHead); l.PushHead(st, v) })
	f("pop tail then push tail", func() { l.PopTail(st, popHead); l.PushTail(st, v) })
	f("index", func() { sink, _ = l.Index(st, 5000) })
	f("index negative", func() { sink, _ = l.Index(st, -3) })
	f("iterate 100", func() {
		n := 0
		for it := l.Iter(st, 4000); it.Next() && n < 100; n++ {
			sink = it.Value()
		}
	})
	w := []byte("abcdefghij")
	f("replace same size", func() { l.Replace(st, 777, w) })
}

func BenchmarkPushTail(b *testing.B) {
	st := &sliceStore{}
	v := []byte("0123456789")
	b.ReportAllocs()
	l := New(-2)
	for i := 0; i < b.N; i++ {
		l.PushTail(st, v)
		if l.Len() == 1<<20 {
			b.StopTimer()
			l.Free(st)
			b.StartTimer()
		}
	}
}

func BenchmarkPopHead(b *testing.B) {
	st := &sliceStore{}
	v := []byte("0123456789")
	l := New(-2)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if l.Len() == 0 {
			b.StopTimer()
			for k := 0; k < 1<<16; k++ {
				l.PushTail(st, v)
			}
			b.StartTimer()
		}
		l.PopHead(st, nil)
	}
}

func BenchmarkIndex(b *testing.B) {
	st := &sliceStore{}
	l := New(-2)
	for k := 0; k < 100000; k++ {
		l.PushTail(st, []byte("0123456789"))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sink, _ = l.Index(st, (i*7919)%100000)
	}
}
