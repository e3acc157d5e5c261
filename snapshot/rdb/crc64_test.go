package rdb

import (
	"hash/crc64"
	"math/bits"
	"math/rand/v2"
	"testing"
)

func TestCRC64Vector(t *testing.T) {
	if got := CRC64(0, []byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("CRC64(123456789) = %#x, want 0xe9c6d914c4b8d9ca", got)
	}
	if got := CRC64(0, nil); got != 0 {
		t.Fatalf("CRC64(empty) = %#x", got)
	}
}

// TestCRC64MatchesStdlib checks the slicing-by-8 code against hash/crc64
// with the same polynomial (the stdlib inverts before and after; Redis does
// not), over every length and alignment up to 64 and split updates.
func TestCRC64MatchesStdlib(t *testing.T) {
	tab := crc64.MakeTable(bits.Reverse64(0xad93d23594c935a9))
	ref := func(crc uint64, p []byte) uint64 { return ^crc64.Update(^crc, tab, p) }
	r := rand.New(rand.NewPCG(1, 1))
	buf := make([]byte, 300)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	for off := range 8 {
		for n := 0; n <= 64; n++ {
			p := buf[off : off+n]
			if got, want := CRC64(0, p), ref(0, p); got != want {
				t.Fatalf("off %d len %d: %#x, want %#x", off, n, got, want)
			}
		}
	}
	for split := 0; split <= len(buf); split += 7 {
		got := CRC64(CRC64(0, buf[:split]), buf[split:])
		if want := ref(0, buf); got != want {
			t.Fatalf("split %d: %#x, want %#x", split, got, want)
		}
	}
}

func BenchmarkCRC64(b *testing.B) {
	p := make([]byte, 64<<10)
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		CRC64(0, p)
	}
}
