package bitops

import (
	"math/bits"
	"math/rand/v2"
	"testing"
)

// bit returns bit i of b (MSB first), zero past the end.
func bit(b []byte, i int) int {
	if i/8 >= len(b) {
		return 0
	}
	return int(b[i/8]>>(7-i%8)) & 1
}

func randBytes(rng *rand.Rand) []byte {
	b := make([]byte, rng.IntN(80))
	for i := range b {
		switch rng.IntN(3) {
		case 0:
			b[i] = 0
		case 1:
			b[i] = 0xff
		default:
			b[i] = byte(rng.Uint32())
		}
	}
	return b
}

func TestAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 3000; n++ {
		b := randBytes(rng)
		want := 0
		for _, c := range b {
			want += bits.OnesCount8(c)
		}
		if got := Count(b); got != int64(want) {
			t.Fatalf("Count(%x) = %d, want %d", b, got, want)
		}
		for v := 0; v <= 1; v++ {
			want := int64(-1)
			for i := 0; i < len(b)*8; i++ {
				if bit(b, i) == v {
					want = int64(i)
					break
				}
			}
			if want == -1 && v == 0 {
				want = int64(len(b)) * 8
			}
			if got := Pos(b, v); got != want {
				t.Fatalf("Pos(%x, %d) = %d, want %d", b, v, got, want)
			}
		}
		srcs := [][]byte{b, randBytes(rng), randBytes(rng)}[:1+rng.IntN(3)]
		n := 0
		for _, s := range srcs {
			n = max(n, len(s))
		}
		for op := AND; op <= NOT; op++ {
			in := srcs
			m := n
			if op == NOT {
				in, m = srcs[:1], len(b)
			}
			dst := make([]byte, m)
			for i := range dst {
				dst[i] = 0x5a // garbage Op must overwrite
			}
			Op(op, dst, in)
			for i := 0; i < m*8; i++ {
				w := bit(in[0], i)
				for _, s := range in[1:] {
					switch op {
					case AND:
						w &= bit(s, i)
					case OR:
						w |= bit(s, i)
					case XOR:
						w ^= bit(s, i)
					}
				}
				if op == NOT {
					w ^= 1
				}
				if bit(dst, i) != w {
					t.Fatalf("op %d bit %d: got %d want %d", op, i, bit(dst, i), w)
				}
			}
		}
		// Bitfields: a write then a read of every width gives the value
		// back, and touches no other bit.
		buf := make([]byte, 20)
		for i := range buf {
			buf[i] = byte(rng.Uint32())
		}
		width := 1 + rng.IntN(64)
		off := uint64(rng.IntN(80))
		v := rng.Uint64()
		before := append([]byte(nil), buf...)
		SetUnsigned(buf, off, width, v)
		mask := uint64(1)<<width - 1
		if width == 64 {
			mask = ^uint64(0)
		}
		if got := GetUnsigned(buf, off, width); got != v&mask {
			t.Fatalf("width %d: got %x want %x", width, got, v&mask)
		}
		if s := GetSigned(buf, off, width); uint64(s)&mask != v&mask || (width < 64 && (s < -(1<<(width-1)) || s >= 1<<(width-1))) {
			t.Fatalf("signed width %d: %d", width, s)
		}
		for i := 0; i < len(buf)*8; i++ {
			if (uint64(i) < off || uint64(i) >= off+uint64(width)) && bit(buf, i) != bit(before, i) {
				t.Fatalf("bit %d outside the field changed", i)
			}
		}
	}
}

func TestOverflow(t *testing.T) {
	for _, c := range []struct {
		v, incr int64
		w, ow   int
		over    int
		res     int64
	}{
		{100, 100, 8, Wrap, 1, -56},
		{100, 100, 8, Sat, 1, 127},
		{-100, -100, 8, Sat, -1, -128},
		{-100, -100, 8, Wrap, 1, 56},
		{1, 2, 8, Wrap, 0, 3},
		{9223372036854775807, 1, 64, Wrap, 1, -9223372036854775808},
		{-9223372036854775808, -1, 64, Sat, -1, -9223372036854775808},
	} {
		over, res := SignedOverflow(c.v, c.incr, c.w, c.ow)
		if over != c.over || res != c.res {
			t.Errorf("signed %+v: %d %d", c, over, res)
		}
	}
	if over, res := UnsignedOverflow(250, 10, 8, Wrap); over != 1 || res != 4 {
		t.Errorf("unsigned wrap: %d %d", over, res)
	}
	if over, res := UnsignedOverflow(250, 10, 8, Sat); over != 1 || res != 255 {
		t.Errorf("unsigned sat: %d %d", over, res)
	}
	if over, res := UnsignedOverflow(5, -10, 8, Sat); over != -1 || res != 0 {
		t.Errorf("unsigned sat down: %d %d", over, res)
	}
}

// BenchmarkOpAnd is BITOP AND of two 1 MB strings (the bench's row).
func BenchmarkOpAnd(b *testing.B) {
	x, y, dst := make([]byte, 1<<20), make([]byte, 1<<20), make([]byte, 1<<20)
	for i := range x {
		x[i], y[i] = byte(i), byte(i*7)
	}
	b.SetBytes(1 << 20)
	for b.Loop() {
		Op(AND, dst, [][]byte{x, y})
	}
}
