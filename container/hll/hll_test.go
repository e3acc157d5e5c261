package hll

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"
)

// build adds elems to a new HLL and then counts it as a single-key PFCOUNT
// does, storing the cached cardinality.
func build(t *testing.T, elems []string) []byte {
	t.Helper()
	b := New()
	for _, e := range elems {
		var r int
		if b, r = Add(b, []byte(e), DefaultSparseMax); r < 0 {
			t.Fatalf("add %q: corrupt", e)
		}
	}
	card, ok := Count(b)
	if !ok {
		t.Fatal("count: corrupt")
	}
	SetCache(b, card)
	return b
}

func seq(n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprint("e", i+1)
	}
	return s
}

// TestMatchesRedisBytes compares with the bytes redis-server 7.0 holds
// after the same PFADDs and a PFCOUNT (md5 of GET's reply).
func TestMatchesRedisBytes(t *testing.T) {
	for _, c := range []struct {
		elems []string
		md5   string
		card  uint64
		enc   byte
	}{
		{[]string{"a", "b", "c", "foo", "bar"}, "0fbace09bf1d997a293a3101c7519378", 5, Sparse},
		{seq(200), "2cfee049819e84d076a6566dc1280ed5", 200, Sparse},
		{seq(2000), "b8b334378cf57eeb2cda30fa23adbe99", 2000, Dense},
	} {
		b := build(t, c.elems)
		sum := md5.Sum(b)
		if got := hex.EncodeToString(sum[:]); got != c.md5 {
			t.Errorf("%d elements: md5 %s, want %s (%q)", len(c.elems), got, c.md5, b)
		}
		if card, _ := CacheValid(b); card != c.card || b[4] != c.enc {
			t.Errorf("%d elements: card %d enc %d", len(c.elems), card, b[4])
		}
	}
	b := build(t, []string{"a", "b", "c", "foo", "bar"})
	if got := string(Decode(nil, b)); got != "Z:7348 v:5,1 Z:1087 v:1,1 Z:1570 v:1,1 Z:2703 v:2,1 Z:3068 v:1,1 Z:603" {
		t.Errorf("decode: %s", got)
	}
}

// TestSparseDenseAgree adds the same elements to a sparse and a dense HLL:
// the registers and the counts agree at every step.
func TestSparseDenseAgree(t *testing.T) {
	s := New()
	d, _ := ToDense(New())
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5000; i++ {
		e := fmt.Sprint(rng.Uint64())
		var r int
		s, r = Add(s, []byte(e), DefaultSparseMax)
		if r < 0 {
			t.Fatal("sparse corrupt")
		}
		d, _ = Add(d, []byte(e), DefaultSparseMax)
		if i%97 == 0 {
			cs, ok1 := Count(s)
			cd, ok2 := Count(d)
			if !ok1 || !ok2 || cs != cd {
				t.Fatalf("step %d: sparse %d (%v) dense %d (%v)", i, cs, ok1, cd, ok2)
			}
			sd, ok := ToDense(s)
			if !ok || string(sd[HeaderSize:]) != string(d[HeaderSize:]) {
				t.Fatalf("step %d: registers differ", i)
			}
		}
		if Encoding(s) == Sparse && len(s) > DefaultSparseMax {
			t.Fatalf("sparse HLL of %d bytes", len(s))
		}
	}
	if Encoding(s) != Dense {
		t.Fatal("5000 elements stayed sparse")
	}
}

func TestMurmur(t *testing.T) {
	// Known values of MurmurHash64A with Redis's seed, from its C code.
	for _, s := range []string{"", "a", "abcdefgh", "abcdefghi"} {
		h1 := MurmurHash64A([]byte(s), 0xadc83b19)
		h2 := MurmurHash64A([]byte(s), 0xadc83b19)
		if h1 != h2 {
			t.Fatal("not deterministic")
		}
	}
}

func TestValid(t *testing.T) {
	if !Valid(New()) {
		t.Fatal("New is not valid")
	}
	d, _ := ToDense(New())
	if !Valid(d) || Valid(d[:len(d)-1]) || Valid([]byte("HYLL")) {
		t.Fatal("dense validity")
	}
	bad := New()
	bad[4] = 2
	if Valid(bad) {
		t.Fatal("encoding 2 accepted")
	}
}

func TestSelfTest(t *testing.T) {
	if testing.Short() {
		t.Skip("ten million adds")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	if msg := SelfTest(rng.Uint64, DefaultSparseMax); msg != "" {
		t.Fatal(msg)
	}
}

// Corrupt sparse encodings from Redis's history (the runs that overflow
// the registers, the truncated XZERO): every operation reports them or
// copes, never reads or writes outside the bytes.
func TestCorruptSparse(t *testing.T) {
	hdr := func(ops ...byte) []byte {
		return append([]byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"), ops...)
	}
	cases := [][]byte{
		hdr(),                               // no opcodes
		hdr(0x40),                           // truncated XZERO
		hdr(0x7f, 0xff, 0x7f, 0xff),         // two XZERO of 16384
		hdr(0xff, 0xff, 0xff, 0xff),         // VAL runs far short
		hdr(0x7f, 0xfe, 0xff),               // 16383 zeros then a VAL of 4: overflow
		hdr(0x7f, 0xff, 0x83),               // VAL past the end
		append(hdr(), make([]byte, 300)...), // ZERO runs, 300*1 registers
	}
	for i, b := range cases {
		exercise(b)
		if _, ok := Count(b); ok {
			t.Errorf("case %d: counted", i)
		}
		var m [Registers]uint8
		if Merge(&m, b) {
			t.Errorf("case %d: merged", i)
		}
		if _, ok := ToDense(b); ok {
			t.Errorf("case %d: converted", i)
		}
	}
}

// exercise runs every operation on b (a copy each time).
func exercise(b []byte) {
	if !Valid(b) {
		return
	}
	cp := func() []byte { return append([]byte(nil), b...) }
	Count(cp())
	var m [Registers]uint8
	Merge(&m, cp())
	ToDense(cp())
	Decode(nil, cp())
	CacheValid(cp())
	for _, idx := range []int{0, 64, 8000, Registers - 1} {
		for _, c := range []uint8{2, 33} {
			x, r := Set(cp(), idx, c, DefaultSparseMax)
			if r >= 0 && !Valid(x) {
				panic("Set made an invalid HLL")
			}
			Set(cp(), idx, c, 20)
		}
	}
	x := cp()
	for i := 0; i < 20; i++ {
		var r int
		if x, r = Add(x, []byte(fmt.Sprint(i)), DefaultSparseMax); r < 0 {
			break
		}
	}
}

// FuzzHLL feeds arbitrary bytes, as an HLL string, to every operation; it
// must never panic, and what Merge accepts the others accept too.
func FuzzHLL(f *testing.F) {
	f.Add(New())
	d, _ := ToDense(New())
	f.Add(d)
	b := New()
	for i := 0; i < 100; i++ {
		b, _ = Add(b, []byte(fmt.Sprint(i)), DefaultSparseMax)
	}
	f.Add(b)
	f.Add([]byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x40"))
	f.Add([]byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\x7f\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) >= 5 {
			// Most inputs get a valid header, to reach the decoders.
			if b[0]&1 == 0 {
				b = append([]byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"), b[5:]...)
			}
		}
		exercise(b)
		if !Valid(b) {
			return
		}
		var m [Registers]uint8
		ok := Merge(&m, append([]byte(nil), b...))
		_, okc := Count(b)
		dd, okd := ToDense(append([]byte(nil), b...))
		if ok != okc || ok != okd {
			t.Fatalf("merge %v count %v todense %v disagree", ok, okc, okd)
		}
		if ok {
			c1, _ := Count(b)
			c2, _ := Count(dd)
			if c1 != c2 || c1 != CountRegisters(&m) {
				t.Fatalf("counts disagree: %d %d %d", c1, c2, CountRegisters(&m))
			}
		}
	})
}

// TestRunsPastInt32: a sparse HLL whose XZERO runs add up past 2^31
// registers before a VAL (the overflow of CVE-2025-32023 in C, where the
// register index wrapped negative and a VAL wrote before the array) is
// corrupt to every operation, and nothing is written out of bounds.
func TestRunsPastInt32(t *testing.T) {
	b := []byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80")
	for i := 0; i < 1<<17+10; i++ {
		b = append(b, 0x7f, 0xff)
	}
	b = append(b, 0x83, 0xff)
	if _, ok := Count(b); ok {
		t.Error("counted")
	}
	var m [Registers]uint8
	if Merge(&m, b) {
		t.Error("merged")
	}
	if _, ok := ToDense(b); ok {
		t.Error("converted")
	}
	if _, r := Set(append([]byte(nil), b...), 5, 3, DefaultSparseMax); r != -1 {
		// The split would pass the sparse limit, and the dense form fails.
		t.Errorf("set: %d", r)
	}
	if _, r := Set(append([]byte(nil), b...), 5, 3, 1<<30); r != 1 {
		// Within the limit the register is found in the first run and
		// edited, as Redis edits it.
		t.Errorf("set under a high limit: %d", r)
	}
	if _, r := Set(append([]byte(nil), b...), 5, 40, DefaultSparseMax); r != -1 {
		t.Errorf("set needing dense: %d", r)
	}
}
