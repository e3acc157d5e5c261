package listpack

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"
)

// model is a listpack as a Go slice of element texts, the reference the
// randomized tests compare a Listpack against.
type model [][]byte

// opSource hands out the numbers that drive a random run: a seeded generator
// for TestModel, the fuzzer's bytes for FuzzOps.
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
	if len(s.b) > 1 {
		v = v<<8 | int(s.b[1])
		s.b = s.b[2:]
	} else {
		s.b = s.b[1:]
	}
	return v % k
}

var boundaryInts = []int64{0, 1, 127, 128, -1, 4095, 4096, -4096, -4097, 32767, 32768,
	-32768, -32769, 1<<23 - 1, 1 << 23, -1 << 23, -1<<23 - 1, 1<<31 - 1, 1 << 31, -1 << 31,
	-1<<31 - 1, 1<<63 - 1, -1 << 63}

var oddStrings = []string{"", "-", "-0", "00", "01", "+1", " 1", "9223372036854775808",
	"-9223372036854775809", "1.5", "x"}

// value draws an element text that exercises every encoding.
func value(s opSource) []byte {
	switch s.n(6) {
	case 0:
		return strconv.AppendInt(nil, boundaryInts[s.n(len(boundaryInts))], 10)
	case 1:
		return strconv.AppendInt(nil, int64(s.n(20000))-10000, 10)
	case 2:
		return []byte(oddStrings[s.n(len(oddStrings))])
	case 3:
		lens := []int{62, 63, 64, 125, 126, 127, 4094, 4095, 4096, 16377, 16378}
		return bytes.Repeat([]byte{byte('a' + s.n(3))}, lens[s.n(len(lens))])
	default:
		b := make([]byte, s.n(12))
		for i := range b {
			b[i] = byte('a' + s.n(4))
		}
		return b
	}
}

// index draws an index into a list of n elements, sometimes negative,
// sometimes out of range.
func index(s opSource, n int) int {
	i := s.n(n+2) - 1
	if s.n(2) == 0 {
		i = -1 - s.n(n+1)
	}
	return i
}

// modelIndex resolves i like Seek: negative from the end, -1 when out of range.
func modelIndex(i, n int) int {
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		return -1
	}
	return i
}

// run applies steps random operations to a Listpack and a model and fails t
// at the first difference.
func run(t *testing.T, s opSource, steps int) {
	l := New()
	var m model
	text := func(v Value) []byte { return v.AppendTo(nil) }
	for step := 0; step < steps; step++ {
		var op string
		switch s.n(13) {
		case 0:
			op = "append"
			v := value(s)
			l.Append(v)
			m = append(m, v)
		case 1:
			op = "prepend"
			v := value(s)
			l.Prepend(v)
			m = append(model{v}, m...)
		case 12:
			op = "copy"
			// Write an element read from l back into l, its bytes aliasing l.
			i := index(s, len(m))
			p, mi := l.Seek(i), modelIndex(i, len(m))
			if p < 0 || mi < 0 {
				break
			}
			v := l.At(p).Str
			if v == nil {
				break
			}
			w := append([]byte(nil), v...)
			switch s.n(4) {
			case 0:
				l.Append(v)
				m = append(m, w)
			case 1:
				l.Prepend(v)
				m = append(model{w}, m...)
			case 2:
				l.InsertBefore(p, v)
				m = append(m[:mi], append(model{w}, m[mi:]...)...)
			case 3:
				j := s.n(len(m))
				l.Replace(l.Seek(j), v)
				m[j] = w
			}
		case 2:
			op = "appendint"
			v := boundaryInts[s.n(len(boundaryInts))]
			l.AppendInt(v)
			m = append(m, strconv.AppendInt(nil, v, 10))
		case 3, 4:
			op = "insert"
			i := index(s, len(m))
			v := value(s)
			after := s.n(2) == 0
			p, mi := l.Seek(i), modelIndex(i, len(m))
			if (p < 0) != (mi < 0) {
				t.Fatalf("step %d: Seek(%d) = %d, model %d", step, i, p, mi)
			}
			if p < 0 {
				break
			}
			var q int
			if after {
				q = l.InsertAfter(p, v)
				mi++
			} else {
				q = l.InsertBefore(p, v)
			}
			m = append(m[:mi], append(model{v}, m[mi:]...)...)
			if !bytes.Equal(text(l.At(q)), v) {
				t.Fatalf("step %d: inserted %q, at returned position %q", step, v, text(l.At(q)))
			}
		case 5:
			op = "replace"
			i := index(s, len(m))
			p, mi := l.Seek(i), modelIndex(i, len(m))
			if p < 0 || mi < 0 {
				break
			}
			if s.n(2) == 0 {
				v := value(s)
				l.Replace(p, v)
				m[mi] = v
			} else {
				v := boundaryInts[s.n(len(boundaryInts))]
				l.ReplaceInt(p, v)
				m[mi] = strconv.AppendInt(nil, v, 10)
			}
		case 6:
			op = "delete"
			i := index(s, len(m))
			p, mi := l.Seek(i), modelIndex(i, len(m))
			if p < 0 || mi < 0 {
				break
			}
			q := l.Delete(p)
			m = append(m[:mi], m[mi+1:]...)
			if (q < 0) != (mi == len(m)) || q >= 0 && !bytes.Equal(text(l.At(q)), m[mi]) {
				t.Fatalf("step %d: Delete returned %d", step, q)
			}
		case 7:
			op = "deleterange"
			i, n := index(s, len(m)), s.n(5)
			got := l.DeleteRange(i, n)
			want := 0
			if mi := modelIndex(i, len(m)); mi >= 0 {
				want = min(n, len(m)-mi)
				m = append(m[:mi], m[mi+want:]...)
			}
			if got != want {
				t.Fatalf("step %d: DeleteRange(%d, %d) = %d, want %d", step, i, n, got, want)
			}
		case 8:
			op = "get"
			i := index(s, len(m))
			v, ok := l.Get(i)
			mi := modelIndex(i, len(m))
			if ok != (mi >= 0) || ok && !bytes.Equal(text(v), m[mi]) {
				t.Fatalf("step %d: Get(%d) = %q %v", step, i, text(v), ok)
			}
		case 9:
			op = "find"
			var v []byte
			if len(m) > 0 && s.n(2) == 0 {
				v = m[s.n(len(m))]
			} else {
				v = value(s)
			}
			skip := s.n(2)
			want := -1
			for k := 0; k < len(m); k += skip + 1 {
				if bytes.Equal(m[k], v) {
					want = k
					break
				}
			}
			p := l.Find(l.First(), v, skip)
			if (p < 0) != (want < 0) || p >= 0 && p != l.Seek(want) {
				t.Fatalf("step %d: Find(%q, skip %d) = %d, model index %d", step, v, skip, p, want)
			}
		case 10:
			op = "appender"
			// A few strings and integers added in one pass, some a
			// string read from l itself.
			var src, srcCopy []byte
			if len(m) > 0 {
				if p := l.Seek(s.n(len(m))); p >= 0 {
					src = l.At(p).Str
					srcCopy = append([]byte(nil), src...)
				}
			}
			a := l.Appender()
			for range s.n(5) {
				switch s.n(3) {
				case 0:
					v := value(s)
					a.Str(v)
					m = append(m, v)
				case 1:
					v := boundaryInts[s.n(len(boundaryInts))]
					a.Int(v)
					m = append(m, strconv.AppendInt(nil, v, 10))
				case 2:
					if src != nil {
						a.Str(src)
						m = append(m, srcCopy)
					}
				}
			}
			l = a.Close()
		default:
			op = "check"
		}
		compare(t, step, op, l, m)
	}
}

// compare checks everything observable of l against m.
func compare(t *testing.T, step int, op string, l Listpack, m model) {
	t.Helper()
	if err := Validate(l.Bytes()); err != nil {
		t.Fatalf("step %d (%s): %v", step, op, err)
	}
	if l.Len() != len(m) {
		t.Fatalf("step %d (%s): Len %d, model %d", step, op, l.Len(), len(m))
	}
	i := 0
	var scratch [20]byte
	for it := l.Iter(); it.Next(); i++ {
		if !bytes.Equal(it.Value().AppendTo(scratch[:0]), m[i]) {
			t.Fatalf("step %d (%s): element %d is %.30q, model %.30q", step, op, i, it.Value().AppendTo(nil), m[i])
		}
	}
	for it := l.IterBack(); it.Prev(); {
		i--
		if !bytes.Equal(it.Value().AppendTo(scratch[:0]), m[i]) {
			t.Fatalf("step %d (%s): backwards, element %d differs", step, op, i)
		}
	}
	if i != 0 {
		t.Fatalf("step %d (%s): backwards walk stopped at %d", step, op, i)
	}
	checkReadTo(t, l)
	// The bytes are those that appending the model's elements builds, as Redis
	// would have them.
	want := New()
	for _, v := range m {
		want.Append(v)
	}
	if !bytes.Equal(want.Bytes(), l.Bytes()) {
		t.Fatalf("step %d (%s): bytes differ from a listpack built by appending", step, op)
	}
}

func TestModel(t *testing.T) {
	seeds := 20
	if testing.Short() {
		seeds = 4
	}
	for seed := 0; seed < seeds; seed++ {
		run(t, randSource{rand.New(rand.NewPCG(uint64(seed), 1))}, 400)
	}
}

// FuzzOps runs the fuzzer's bytes as a sequence of operations against the
// model.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	f.Add(bytes.Repeat([]byte{0, 3, 1, 5, 2, 9}, 20))
	f.Fuzz(func(t *testing.T, b []byte) {
		run(t, &byteSource{b}, len(b)/2+1)
	})
}

// FuzzValidate feeds Validate arbitrary bytes (it must not panic; when it
// accepts, every read must work) and listpacks built from the input (they
// must validate).
func FuzzValidate(f *testing.F) {
	l := New()
	for _, v := range []string{"0", "-1", "4096", "32768", "8388608", "2147483648", "hello", "-0"} {
		l.Append([]byte(v))
	}
	f.Add(l.Bytes())
	f.Add(New().Bytes())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		checkReads(t, b)
		// A listpack built from the input's pieces always validates.
		var m model
		built := New()
		for _, piece := range bytes.Split(b, []byte{','}) {
			built.Append(piece)
			m = append(m, piece)
		}
		compare(t, 0, "build", built, m)
		// The same listpack with one byte changed, cut or grown must not make
		// Validate panic, nor the reads of what it accepts.
		if len(b) >= 2 {
			lp := append([]byte(nil), built.Bytes()...)
			i := (int(b[0]) | int(b[1])<<8) % len(lp)
			switch b[0] % 3 {
			case 0:
				lp[i] ^= b[1] | 1
			case 1:
				lp = lp[:i]
			case 2:
				lp = append(lp[:i], append([]byte{b[1]}, lp[i:]...)...)
			}
			checkReads(t, lp)
		}
	})
}

// checkReads validates b and, when it passes, walks it both ways and reads
// every element.
func checkReads(t *testing.T, b []byte) {
	t.Helper()
	if Validate(b) != nil {
		return
	}
	r := FromBytes(b)
	n := 0
	for it := r.Iter(); it.Next(); n++ {
		_ = it.Value()
	}
	if r.Len() != n {
		t.Fatalf("Len %d, walked %d", r.Len(), n)
	}
	for it := r.IterBack(); it.Prev(); n-- {
		_ = it.Value()
	}
	if n != 0 {
		t.Fatalf("forward and backward walks differ by %d", n)
	}
	for i := -r.Len(); i < r.Len(); i++ {
		if _, ok := r.Get(i); !ok {
			t.Fatalf("Get(%d) of %d elements failed", i, r.Len())
		}
	}
	checkReadTo(t, r)
}

// checkReadTo walks l with ReadTo and with Next beside the iterator: the
// same elements at the same positions.
func checkReadTo(t *testing.T, l Listpack) {
	t.Helper()
	p := l.First()
	for it := l.Iter(); it.Next(); {
		if p != it.Pos() {
			t.Fatalf("ReadTo walk at %d, iterator at %d", p, it.Pos())
		}
		var v Value
		next := l.ReadTo(p, &v)
		want := it.Value()
		if v.IsInt != want.IsInt || v.Int != want.Int || !bytes.Equal(v.Str, want.Str) {
			t.Fatalf("ReadTo at %d: %+v, At: %+v", p, v, want)
		}
		if n := l.Next(p); n != next {
			t.Fatalf("at %d: ReadTo goes on at %d, Next at %d", p, next, n)
		}
		p = next
	}
	if p != -1 {
		t.Fatalf("ReadTo walk ends at %d, not -1", p)
	}
}
