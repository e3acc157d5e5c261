package listpack

import (
	"strconv"
	"testing"
)

// benchList is a hash-sized listpack: 128 fields of 8 bytes, each with an
// integer value.
func benchList() Listpack {
	l := New()
	for i := 0; i < 128; i++ {
		l.Append([]byte("field" + strconv.Itoa(1000+i)))
		l.AppendInt(int64(i * 7919))
	}
	return l
}

func BenchmarkIterate(b *testing.B) {
	l := benchList()
	b.ReportAllocs()
	var n int64
	for b.Loop() {
		for it := l.Iter(); it.Next(); {
			n += it.Value().Int
		}
	}
	_ = n
}

func BenchmarkFindField(b *testing.B) {
	l := benchList()
	key := []byte("field1100")
	b.ReportAllocs()
	for b.Loop() {
		if l.Find(l.First(), key, 1) < 0 {
			b.Fatal("not found")
		}
	}
}

func BenchmarkGetMiddle(b *testing.B) {
	l := benchList()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := l.Get(128); !ok {
			b.Fatal("no element")
		}
	}
}

func BenchmarkAppendDelete(b *testing.B) {
	l := benchList()
	l.b = append(make([]byte, 0, 2*len(l.b)), l.b...)
	v := []byte("a value of 20 bytes.")
	b.ReportAllocs()
	for b.Loop() {
		l.Append(v)
		l.DeleteRange(-1, 1)
	}
}

func BenchmarkInsertFront(b *testing.B) {
	l := benchList()
	l.b = append(make([]byte, 0, 2*len(l.b)), l.b...)
	v := []byte("a value of 20 bytes.")
	b.ReportAllocs()
	for b.Loop() {
		l.Prepend(v)
		l.Delete(l.First())
	}
}

// BenchmarkAtNext walks with At and Next, as the type packages read a
// listpack element by element.
func BenchmarkAtNext(b *testing.B) {
	l := benchList()
	b.ReportAllocs()
	var n int
	for b.Loop() {
		for p := l.First(); p >= 0; p = l.Next(p) {
			n += len(l.At(p).Str)
		}
	}
	_ = n
}
