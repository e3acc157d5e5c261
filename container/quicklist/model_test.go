package quicklist

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/anaxdb/anax/container/listpack"
)

// opSource hands out the numbers that drive a run: a seeded generator for
// TestModel, the fuzzer's bytes for FuzzOps.
type opSource interface {
	n(k int) int // in [0, k)
}

type randSource struct{ r *rand.Rand }

func (s randSource) n(k int) int { return s.r.IntN(k) }

type byteSource struct{ b []byte }

func (s *byteSource) n(k int) int {
	if len(s.b) == 0 {
		return 0
	}
	v := int(s.b[0])
	s.b = s.b[1:]
	if k > 256 && len(s.b) > 0 {
		v = v<<8 | int(s.b[0])
		s.b = s.b[1:]
	}
	return v % k
}

var boundaryInts = []int64{0, 1, 127, 128, -1, 4095, 4096, -4096, -4097, 32767, 32768,
	-32768, 1<<23 - 1, 1 << 23, 1<<31 - 1, 1 << 31, 1<<63 - 1, -1 << 63}

// value draws an element: short strings and integers mostly (so pivots and
// LREM values repeat), sometimes one near an encoding or node boundary.
func value(s opSource) []byte {
	switch s.n(10) {
	case 0:
		return strconv.AppendInt(nil, boundaryInts[s.n(len(boundaryInts))], 10)
	case 1, 2:
		return strconv.AppendInt(nil, int64(s.n(8)), 10)
	case 3:
		lens := []int{63, 64, 127, 128, 500, 4095, 4096, 5000, 8200, 17000, 70000}
		return bytes.Repeat([]byte{byte('a' + s.n(3))}, lens[s.n(len(lens))])
	default:
		return []byte{'x', byte('a' + s.n(6))}[:1+s.n(2)]
	}
}

// index draws an index, in range mostly, negative and out of range sometimes.
func index(s opSource, n int) int {
	switch s.n(8) {
	case 0:
		return n + s.n(3)
	case 1, 2:
		return -1 - s.n(n+2)
	default:
		return s.n(n + 1)
	}
}

type runner struct {
	t      testing.TB
	s      Store
	l      *List
	model  [][]byte
	strict bool // every multi-element node respects the fill: nothing but pushes, pops and deletes so far
	trace  []string
}

func (r *runner) fail(format string, args ...any) {
	r.t.Helper()
	tail := r.trace
	if len(tail) > 20 {
		tail = tail[len(tail)-20:]
	}
	r.t.Fatalf("fill %d, after %d ops (last: %q): %s", r.l.fill, len(r.trace), tail, fmt.Sprintf(format, args...))
}

func text(v listpack.Value) []byte { return v.AppendTo(nil) }

// check compares the list with the model and checks the invariants of doc.go.
func (r *runner) check() {
	r.t.Helper()
	l := r.l
	if l.Len() != len(r.model) {
		r.fail("Len %d, model %d", l.Len(), len(r.model))
	}
	count, size := 0, 0
	for k := 0; k < l.NodeCount(); k++ {
		rec := l.rec(k)
		cell := r.s.Bytes(rec.h)
		if int(rec.size) > len(cell) {
			r.fail("node %d: size %d beyond its %d-byte cell", k, rec.size, len(cell))
		}
		b := cell[:rec.size]
		if err := listpack.Validate(b); err != nil {
			r.fail("node %d: %v", k, err)
		}
		lp := listpack.FromBytes(b)
		if lp.Len() != int(rec.count) || rec.count == 0 {
			r.fail("node %d: record count %d, listpack %d", k, rec.count, lp.Len())
		}
		if r.strict && rec.count > 1 && ExceedsLimit(l.fill, int(rec.size), int(rec.count)) {
			r.fail("node %d: %d elements in %d bytes exceed fill %d", k, rec.count, rec.size, l.fill)
		}
		count += int(rec.count)
		size += int(rec.size)
	}
	if count != l.Len() || size != l.Bytes() {
		r.fail("records add up to %d elements %d bytes, list says %d, %d", count, size, l.Len(), l.Bytes())
	}
	i := 0
	for it := l.Iter(r.s, 0); it.Next(); i++ {
		if got := text(it.Value()); !bytes.Equal(got, r.model[i]) {
			r.fail("element %d: %.40q, model %.40q", i, got, r.model[i])
		}
	}
	if i != len(r.model) {
		r.fail("iterated %d of %d", i, len(r.model))
	}
}

func (r *runner) step(src opSource) {
	l, s := r.l, r.s
	n := len(r.model)
	switch op := src.n(17); op {
	case 0, 1:
		v := value(src)
		r.trace = append(r.trace, fmt.Sprintf("pushhead %d", len(v)))
		l.PushHead(s, v)
		r.model = append([][]byte{v}, r.model...)
	case 2, 3:
		v := value(src)
		r.trace = append(r.trace, fmt.Sprintf("pushtail %d", len(v)))
		l.PushTail(s, v)
		r.model = append(r.model, v)
	case 4:
		head := src.n(2) == 0
		r.trace = append(r.trace, fmt.Sprintf("pop head=%v", head))
		var got []byte
		var ok bool
		if head {
			ok = l.PopHead(s, func(v listpack.Value) { got = text(v) })
		} else {
			ok = l.PopTail(s, func(v listpack.Value) { got = text(v) })
		}
		if ok != (n > 0) {
			r.fail("pop reported %v on %d elements", ok, n)
		}
		if n > 0 {
			want := r.model[0]
			if head {
				r.model = r.model[1:]
			} else {
				want = r.model[n-1]
				r.model = r.model[:n-1]
			}
			if !bytes.Equal(got, want) {
				r.fail("popped %.40q, want %.40q", got, want)
			}
		}
	case 5:
		i := index(src, n)
		r.trace = append(r.trace, fmt.Sprintf("index %d", i))
		v, ok := l.Index(s, i)
		j, in := norm(i, n)
		if ok != in || (ok && !bytes.Equal(text(v), r.model[j])) {
			r.fail("Index(%d) = %q %v", i, text(v), ok)
		}
	case 6:
		i := index(src, n)
		var v []byte
		if n > 0 && src.n(3) == 0 { // the list's own element, aliasing a cell
			e, _ := l.Index(s, src.n(n))
			v = e.Str
			if e.IsInt {
				v = text(e)
			}
		} else {
			v = value(src)
		}
		r.trace = append(r.trace, fmt.Sprintf("replace %d len %d", i, len(v)))
		want := append([]byte(nil), v...)
		ok := l.Replace(s, i, v)
		j, in := norm(i, n)
		if ok != in {
			r.fail("Replace(%d) = %v", i, ok)
		}
		if ok {
			r.model[j] = want
			r.strict = false
		}
	case 7, 8:
		var pivot []byte
		if n > 0 && src.n(4) != 0 {
			pivot = r.model[src.n(n)]
		} else {
			pivot = value(src)
		}
		v := value(src)
		after := src.n(2) == 0
		r.trace = append(r.trace, fmt.Sprintf("insert pivot %.20q after=%v len %d", pivot, after, len(v)))
		ok := l.Insert(s, pivot, v, after)
		r.strict = r.strict && !ok // a split may leave a node over the limit
		j := -1
		for k, e := range r.model {
			if equalText(e, pivot) {
				j = k
				break
			}
		}
		if ok != (j >= 0) {
			r.fail("Insert found=%v, model %d", ok, j)
		}
		if ok {
			if after {
				j++
			}
			r.model = insertAt(r.model, j, v)
		}
	case 9:
		i := index(src, n)
		v := value(src)
		after := src.n(2) == 0
		r.trace = append(r.trace, fmt.Sprintf("insertat %d after=%v len %d", i, after, len(v)))
		ok := l.InsertAt(s, i, v, after)
		r.strict = r.strict && !ok
		j, in := norm(i, n)
		if ok != in {
			r.fail("InsertAt(%d) = %v", i, ok)
		}
		if ok {
			if after {
				j++
			}
			r.model = insertAt(r.model, j, v)
		}
	case 10:
		var v []byte
		if n > 0 && src.n(3) != 0 {
			v = r.model[src.n(n)]
		} else {
			v = value(src)
		}
		count := src.n(7) - 3
		r.trace = append(r.trace, fmt.Sprintf("remove %.20q count %d", v, count))
		got := l.RemoveValue(s, v, count)
		want := 0
		if count >= 0 {
			out := r.model[:0:0]
			for _, e := range r.model {
				if equalText(e, v) && (count == 0 || want < count) {
					want++
					continue
				}
				out = append(out, e)
			}
			r.model = out
		} else {
			out := append([][]byte(nil), r.model...)
			for k := len(out) - 1; k >= 0 && want < -count; k-- {
				if equalText(out[k], v) {
					out = append(out[:k], out[k+1:]...)
					want++
				}
			}
			r.model = out
		}
		if got != want {
			r.fail("RemoveValue removed %d, want %d", got, want)
		}
	case 11:
		start := index(src, n)
		cnt := src.n(n+3) - 1
		r.trace = append(r.trace, fmt.Sprintf("deleterange %d %d", start, cnt))
		got := l.DeleteRange(s, start, cnt)
		want := 0
		if j, in := norm(start, n); in && cnt > 0 {
			want = min(cnt, n-j)
			r.model = append(r.model[:j:j], r.model[j+want:]...)
		}
		if got != want {
			r.fail("DeleteRange(%d, %d) = %d, want %d", start, cnt, got, want)
		}
	case 12:
		start, stop := index(src, n), index(src, n)
		r.trace = append(r.trace, fmt.Sprintf("range %d %d", start, stop))
		var got [][]byte
		l.Range(s, start, stop, func(v listpack.Value) bool {
			got = append(got, text(v))
			return true
		})
		want := lrange(r.model, start, stop)
		if len(got) != len(want) {
			r.fail("Range(%d, %d): %d elements, want %d", start, stop, len(got), len(want))
		}
		for k := range got {
			if !bytes.Equal(got[k], want[k]) {
				r.fail("Range(%d, %d)[%d] differs", start, stop, k)
			}
		}
	case 13:
		i := index(src, n)
		r.trace = append(r.trace, fmt.Sprintf("iterback %d", i))
		j, in := norm(i, n)
		k := 0
		for it := l.IterBack(s, i); it.Next(); k++ {
			if !in || !bytes.Equal(text(it.Value()), r.model[j-k]) {
				r.fail("IterBack(%d) step %d differs", i, k)
			}
		}
		if in && k != j+1 {
			r.fail("IterBack(%d) made %d steps, want %d", i, k, j+1)
		}
	case 14:
		// The owner's round trip: back to a plain listpack when Redis
		// would, and forward again.
		shrinking := src.n(2) == 0
		r.trace = append(r.trace, fmt.Sprintf("convert shrinking=%v", shrinking))
		if !l.ConvertibleToListpack(shrinking) {
			return
		}
		h, size, ok := l.DetachSingleNode()
		if !ok || l.Len() != 0 || l.NodeCount() != 0 {
			r.fail("DetachSingleNode")
		}
		lp := append([]byte(nil), s.Bytes(h)[:size]...)
		s.Free(h)
		r.l = FromListpack(s, lp, l.fill)
	case 15:
		// A DUMP/RESTORE round trip: the nodes as they are.
		r.trace = append(r.trace, "reload")
		var nodes [][]byte
		l.ForEachNode(s, func(lp []byte) bool {
			nodes = append(nodes, append([]byte(nil), lp...))
			return true
		})
		m := New(l.fill)
		for _, lp := range nodes {
			m.AppendNode(s, lp)
		}
		if m.NodeCount() != l.NodeCount() {
			r.fail("reload: %d nodes, had %d", m.NodeCount(), l.NodeCount())
		}
		for !l.FreeSome(s, 1+src.n(3)) {
		}
		r.l = m
	case 16:
		if src.n(8) != 0 {
			return
		}
		fills := []int{-2, -1, 1, 2, 5, 128}
		f := fills[src.n(len(fills))]
		r.trace = append(r.trace, fmt.Sprintf("setfill %d", f))
		if f != l.fill {
			l.SetFill(f)
			r.strict = false
		}
	}
}

func norm(i, n int) (int, bool) {
	if i < 0 {
		i += n
	}
	return i, i >= 0 && i < n
}

func insertAt(m [][]byte, j int, v []byte) [][]byte {
	m = append(m, nil)
	copy(m[j+1:], m[j:])
	m[j] = v
	return m
}

// equalText is how Redis compares a list element with an argument: an
// element stored as an integer matches the argument's integer reading.
func equalText(elem, arg []byte) bool {
	if a, ok := listpack.ParseInt(elem); ok {
		b, ok := listpack.ParseInt(arg)
		return ok && a == b
	}
	return bytes.Equal(elem, arg)
}

func lrange(m [][]byte, start, stop int) [][]byte {
	n := len(m)
	if start < 0 {
		start = max(start+n, 0)
	}
	if stop < 0 {
		stop += n
	}
	stop = min(stop, n-1)
	if start > stop {
		return nil
	}
	return m[start : stop+1]
}

func run(t testing.TB, s Store, fill int, src opSource, ops int) *runner {
	r := &runner{t: t, s: s, l: New(fill), strict: true}
	for i := 0; i < ops; i++ {
		r.step(src)
		r.check()
	}
	return r
}

func TestModel(t *testing.T) {
	for _, fill := range []int{-2, -1, 1, 2, 5, -5, 0, 100} {
		for seed := uint64(1); seed <= 6; seed++ {
			t.Run(fmt.Sprintf("fill%d/seed%d", fill, seed), func(t *testing.T) {
				st := newCheckStore(t)
				r := run(t, st, fill, randSource{rand.New(rand.NewPCG(seed, uint64(fill+10)))}, 1500)
				r.l.Free(st)
				if r.l.Len() != 0 || r.l.NodeCount() != 0 || r.l.Bytes() != 0 {
					t.Fatalf("after Free: %d elements, %d nodes, %d bytes", r.l.Len(), r.l.NodeCount(), r.l.Bytes())
				}
				if err := st.leaks(); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Add(bytes.Repeat([]byte{2, 3, 0}, 200))
	f.Add(bytes.Repeat([]byte{7, 9, 3, 1}, 100))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 1 {
			return
		}
		fills := []int{-2, -1, 1, 2, 5, -5}
		fill := fills[int(b[0])%len(fills)]
		st := newCheckStore(t)
		src := &byteSource{b: b[1:]}
		r := &runner{t: t, s: st, l: New(fill), strict: true}
		for ops := 0; len(src.b) > 0 && ops < 300; ops++ {
			r.step(src)
			r.check()
		}
		r.l.Free(st)
		if err := st.leaks(); err != nil {
			t.Fatal(err)
		}
	})
}
