package rdb

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// lzfInputs returns inputs of varied compressibility and length.
func lzfInputs() [][]byte {
	r := rand.New(rand.NewPCG(7, 7))
	ins := [][]byte{
		{}, {1}, {1, 2}, {1, 2, 3}, []byte("aaaa"), []byte("abcabcabcabc"),
		bytes.Repeat([]byte{0}, 100000),
		bytes.Repeat([]byte("0123456789"), 1000),
	}
	for _, n := range []int{5, 19, 20, 21, 33, 64, 264, 265, 300, 8192, 8193, 20000, 70000} {
		for _, alpha := range []int{1, 2, 4, 16, 256} {
			b := make([]byte, n)
			for i := range b {
				if i > 40 && r.IntN(3) > 0 {
					b[i] = b[i-1-r.IntN(min(i, 9000))]
				} else {
					b[i] = byte(r.IntN(alpha))
				}
			}
			ins = append(ins, b)
		}
	}
	return ins
}

func TestLZFRoundTrip(t *testing.T) {
	for i, in := range lzfInputs() {
		c := LZFCompress(nil, in)
		if c == nil {
			continue
		}
		if len(c) >= len(in) {
			t.Fatalf("#%d: compressed %d bytes to %d", i, len(in), len(c))
		}
		prefix := []byte("xyz")
		out, err := LZFDecompress(prefix[:3:3], c, len(in))
		if err != nil {
			t.Fatalf("#%d (%d bytes): %v", i, len(in), err)
		}
		if !bytes.Equal(out[:3], prefix) || !bytes.Equal(out[3:], in) {
			t.Fatalf("#%d: round trip differs", i)
		}
		// The wrong length is refused.
		if _, err := LZFDecompress(nil, c, len(in)-1); err != ErrBadFormat {
			t.Fatalf("#%d: short outLen: %v", i, err)
		}
		if _, err := LZFDecompress(nil, c, len(in)+1); err != ErrBadFormat {
			t.Fatalf("#%d: long outLen: %v", i, err)
		}
	}
}

func TestLZFCompressAppends(t *testing.T) {
	in := bytes.Repeat([]byte("hello "), 50)
	dst := []byte("head")
	out := LZFCompress(dst, in)
	if out == nil || string(out[:4]) != "head" {
		t.Fatalf("LZFCompress did not append: %q", out)
	}
	dec, err := LZFDecompress(nil, out[4:], len(in))
	if err != nil || !bytes.Equal(dec, in) {
		t.Fatalf("decompress: %v", err)
	}
	if LZFCompress(nil, []byte("abc")) != nil {
		t.Fatal("3 incompressible bytes compressed")
	}
	if LZFCompress(nil, nil) != nil {
		t.Fatal("empty input compressed")
	}
}

// TestLZFDeterministic: the pooled hash table must not carry state between
// calls (a stale entry would change the output).
func TestLZFDeterministic(t *testing.T) {
	a := bytes.Repeat([]byte("abcdefgh"), 500)
	b := bytes.Repeat([]byte("bcdefgha"), 500)
	want := LZFCompress(nil, a)
	for range 3 {
		LZFCompress(nil, b)
		if got := LZFCompress(nil, a); !bytes.Equal(got, want) {
			t.Fatal("output changed between calls")
		}
	}
	// Force the generation counter to wrap.
	tb := lzfTables.Get().(*lzfTable)
	tb.base = 1<<32 - 100
	lzfTables.Put(tb)
	for range 3 {
		if got := LZFCompress(nil, a); !bytes.Equal(got, want) {
			t.Fatal("output changed across table reset")
		}
	}
}

func TestLZFDecompressMalformed(t *testing.T) {
	f := func(name string, src []byte, outLen int) {
		t.Helper()
		if out, err := LZFDecompress(nil, src, outLen); err != ErrBadFormat {
			t.Errorf("%s: got %q, %v; want ErrBadFormat", name, out, err)
		}
	}
	f("truncated literal", []byte{3, 'a', 'b'}, 4)
	f("literal past outLen", []byte{2, 'a', 'b', 'c'}, 2)
	f("reference before start", []byte{0, 'a', 0x20, 0x01}, 4)
	f("reference at start", []byte{0x20, 0x00}, 3)
	f("missing offset byte", []byte{0, 'a', 0x20}, 4)
	f("missing long length", []byte{0, 'a', 0xE0}, 20)
	f("missing long offset", []byte{0, 'a', 0xE0, 0x05}, 20)
	f("reference past outLen", []byte{0, 'a', 0x20, 0x00}, 3)
	f("short output", []byte{0, 'a'}, 2)
	f("negative outLen", []byte{0, 'a'}, -1)
	f("claim beyond 88x", []byte{0, 'a', 0xE0, 0xff, 0x00}, 5*88+1)
	f("empty input, nonzero length", nil, 1)
	if out, err := LZFDecompress(nil, nil, 0); err != nil || len(out) != 0 {
		t.Errorf("empty: %q, %v", out, err)
	}
	// The largest expansion: one literal, then 264-byte references.
	src := []byte{0, 'a'}
	for range 10 {
		src = append(src, 0xE0, 0xff, 0x00)
	}
	out, err := LZFDecompress(nil, src, 1+10*264)
	if err != nil || !bytes.Equal(out, bytes.Repeat([]byte("a"), 1+10*264)) {
		t.Fatalf("max expansion: %v", err)
	}
}

// FuzzLZF: compression round-trips, and decompressing arbitrary bytes never
// panics nor allocates beyond the bound.
func FuzzLZF(f *testing.F) {
	for _, in := range lzfInputs() {
		if len(in) < 4096 {
			f.Add(in, 0)
		}
	}
	f.Add([]byte{0, 'a', 0xE0, 0xff, 0x00}, 265)
	f.Fuzz(func(t *testing.T, in []byte, outLen int) {
		if c := LZFCompress(nil, in); c != nil {
			if len(c) >= len(in) {
				t.Fatalf("compressed %d bytes to %d", len(in), len(c))
			}
			out, err := LZFDecompress(nil, c, len(in))
			if err != nil || !bytes.Equal(out, in) {
				t.Fatalf("round trip: %v", err)
			}
		}
		out, err := LZFDecompress(nil, in, outLen)
		if err == nil && len(out) != outLen {
			t.Fatalf("got %d bytes, want %d", len(out), outLen)
		}
		if err == nil {
			// What decompresses recompresses to something that decompresses
			// to the same bytes.
			if c := LZFCompress(nil, out); c != nil {
				back, err := LZFDecompress(nil, c, len(out))
				if err != nil || !bytes.Equal(back, out) {
					t.Fatalf("recompression round trip: %v", err)
				}
			}
		}
	})
}

func BenchmarkLZFCompress(b *testing.B) {
	in := lzfInputs()[len(lzfInputs())-2]
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	dst := make([]byte, 0, len(in))
	for b.Loop() {
		LZFCompress(dst, in)
	}
}

func BenchmarkLZFDecompress(b *testing.B) {
	in := bytes.Repeat([]byte("The quick brown fox jumps over the lazy dog. "), 1000)
	c := LZFCompress(nil, in)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	dst := make([]byte, 0, len(in))
	for b.Loop() {
		LZFDecompress(dst, c, len(in))
	}
}
