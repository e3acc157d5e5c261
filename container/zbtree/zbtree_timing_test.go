package zbtree

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// fixedMembers are n 16-byte members in one buffer: ref i names member i,
// the shape of the sorted-set target (1M 16-byte members).
type fixedMembers struct{ buf []byte }

func newFixedMembers(n int) *fixedMembers {
	fm := &fixedMembers{buf: make([]byte, 16*n)}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		binary.BigEndian.PutUint64(fm.buf[16*i:], r.Uint64())
		binary.BigEndian.PutUint64(fm.buf[16*i+8:], uint64(i))
	}
	return fm
}

func (fm *fixedMembers) Member(ref uint64) []byte { return fm.buf[16*ref : 16*ref+16] }

// build makes a tree of n elements with random scores (some repeated)
// inserted in random order.
func build(tb testing.TB, n int) (*sliceStore, *fixedMembers, *Tree, []float64) {
	st := &sliceStore{}
	fm := newFixedMembers(n)
	scores := make([]float64, n)
	r := rand.New(rand.NewPCG(3, 4))
	var t Tree
	for i := range n {
		scores[i] = float64(r.IntN(n / 2))
		t.Insert(st, fm, scores[i], uint64(i))
	}
	return st, fm, &t, scores
}

var sinkInt int
var sinkF float64

// TestAllocs holds the hot paths to zero allocations.
func TestAllocs(t *testing.T) {
	st, fm, tr, scores := build(t, 20000)
	f := func(name string, fn func()) {
		t.Helper()
		if n := testing.AllocsPerRun(1000, fn); n != 0 {
			t.Errorf("%s: %v allocations per run", name, n)
		}
	}
	i := 0
	f("delete then insert", func() {
		i = (i + 7919) % len(scores)
		if _, ok := tr.Delete(st, fm, scores[i], fm.Member(uint64(i))); !ok {
			t.Fatal("delete missed")
		}
		tr.Insert(st, fm, scores[i], uint64(i))
	})
	f("update in place and moved", func() {
		i = (i + 7919) % len(scores)
		if !tr.Update(st, fm, scores[i], fm.Member(uint64(i)), scores[i]+0.5) {
			t.Fatal("update missed")
		}
		if !tr.Update(st, fm, scores[i]+0.5, fm.Member(uint64(i)), scores[i]) {
			t.Fatal("update missed")
		}
	})
	f("rank", func() {
		i = (i + 7919) % len(scores)
		sinkInt, _ = tr.Rank(st, fm, scores[i], fm.Member(uint64(i)))
	})
	f("at", func() {
		i = (i + 7919) % len(scores)
		sinkF, _ = tr.At(st, i)
	})
	f("count below", func() {
		i = (i + 7919) % len(scores)
		sinkInt = tr.CountBelow(st, scores[i], i&1 == 0)
		sinkInt += tr.CountBelowLex(st, fm, fm.Member(uint64(i)), true)
	})
	f("seek and iterate 300 both ways", func() {
		i = (i + 7919) % len(scores)
		it := tr.SeekRank(st, i)
		for k := 0; k < 300 && it.Valid(); k++ {
			sinkF += it.Score()
			it.Next(st)
		}
		it = tr.SeekRank(st, i)
		for k := 0; k < 300 && it.Valid(); k++ {
			sinkF += it.Score()
			it.Prev(st)
		}
	})
	f("append then delete range", func() {
		last, _ := tr.At(st, tr.Len()-1)
		tr.AppendSorted(st, last+1, uint64(i))
		tr.DeleteRange(st, tr.Len()-1, tr.Len()-1, nil)
	})
	if _, err := tr.Check(st, fm); err != nil {
		t.Fatal(err)
	}
}

// TestMemoryPerElement reports (and bounds) the node bytes per element of
// 1M elements loaded three ways: random order, ascending appends and
// Redis's RDB order (descending inserts).
func TestMemoryPerElement(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 1M-element trees")
	}
	const n = 1 << 20
	report := func(name string, st Store, fm Members, tr *Tree, limit float64) {
		t.Helper()
		stats, err := tr.Check(st, fm)
		if err != nil {
			t.Fatal(err)
		}
		per := float64(tr.Memory()) / float64(tr.Len())
		t.Logf("%s: %d elements, height %d, %d leaves (fill %.1f%%), %d inner, %.2f bytes/element",
			name, tr.Len(), stats.Height, stats.Leaves, 100*stats.LeafFill(), stats.Inners, per)
		if per > limit {
			t.Errorf("%s: %.2f bytes per element, over %.0f", name, per, limit)
		}
	}
	st, fm, tr, _ := build(t, n)
	report("random inserts", st, fm, tr, 20)

	// Ascending and descending loads of the same sorted elements.
	sorted := make([]uint64, 0, n)
	for it := tr.SeekRank(st, 0); it.Valid(); it.Next(st) {
		sorted = append(sorted, it.Ref())
	}
	var asc, desc Tree
	for i, ref := range sorted {
		sc, _ := tr.At(st, i)
		asc.AppendSorted(st, sc, ref)
	}
	report("ascending AppendSorted", st, fm, &asc, 17)
	for i := len(sorted) - 1; i >= 0; i-- {
		sc, _ := tr.At(st, i)
		desc.Insert(st, fm, sc, sorted[i])
	}
	report("descending Insert", st, fm, &desc, 17)
}

func BenchmarkInsert1M(b *testing.B) {
	st, fm, tr, scores := build(b, 1<<20)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := (i * 7919) % len(scores)
		tr.Delete(st, fm, scores[k], fm.Member(uint64(k)))
		tr.Insert(st, fm, scores[k], uint64(k))
	}
	b.ReportMetric(float64(tr.Memory())/float64(tr.Len()), "bytes/elem")
}

func BenchmarkRank1M(b *testing.B) {
	st, fm, tr, scores := build(b, 1<<20)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := (i * 7919) % len(scores)
		sinkInt, _ = tr.Rank(st, fm, scores[k], fm.Member(uint64(k)))
	}
}

func BenchmarkAt1M(b *testing.B) {
	st, _, tr, _ := build(b, 1<<20)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sinkF, _ = tr.At(st, (i*7919)%tr.Len())
	}
}

func BenchmarkIterate1M(b *testing.B) {
	st, _, tr, _ := build(b, 1<<20)
	b.ReportAllocs()
	b.ResetTimer()
	it := tr.SeekRank(st, 0)
	for i := 0; i < b.N; i++ {
		if !it.Valid() {
			it = tr.SeekRank(st, 0)
		}
		sinkF += it.Score()
		it.Next(st)
	}
}

// BenchmarkRange10 is ZRANGE 0 9's tree work: a seek to rank 0 and ten
// steps, on a tree of 1M elements.
func BenchmarkRange10(b *testing.B) {
	st, _, tr, _ := build(b, 1<<20)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		it := tr.SeekRank(st, 0)
		for range 10 {
			sinkF += it.Score()
			it.Next(st)
		}
	}
}
