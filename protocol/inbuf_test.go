package protocol

import (
	"bytes"
	"testing"
)

func TestNewInputCap(t *testing.T) {
	f := func(cur, need, want, exp int) {
		t.Helper()
		if got := newInputCap(cur, need, want); got != exp {
			t.Errorf("newInputCap(%d, %d, %d) = %d, want %d", cur, need, want, got, exp)
		}
	}
	f(0, 10, 0, minInputCap)
	f(minInputCap, minInputCap+1, 0, 2*minInputCap)
	f(1<<20, 1<<20+1, 0, 2<<20)
	f(1<<20, 1<<20+1, 1<<20+100, 1<<20+100)                     // never past what the command needs
	f(1<<20, 3<<20, 0, 3<<20)                                   // a big append
	f(64<<20, 64<<20+10, 512<<20+40, 128<<20)                   // geometric below the declared size
	f(256<<20, 256<<20+10, 300<<20, 300<<20)                    // capped at the declared size
	f(minInputCap, minInputCap+5, minInputCap+2, 2*minInputCap) // want below need: ignored
}

// TestInputBufferGrowsWithArrivals: a declared 64 MB bulk arriving in
// 64 KB reads holds about what arrived, in a mapping once past 1 MB, and
// gives every byte back on release.
func TestInputBufferGrowsWithArrivals(t *testing.T) {
	var b inputBuffer
	before := MappedInputBytes()
	want := 64 << 20
	chunk := bytes.Repeat([]byte{'x'}, 64<<10)
	for got := 0; got < 8<<20; got += len(chunk) {
		if err := b.Append(chunk, want); err != nil {
			t.Fatal(err)
		}
		if b.Cap() > 2*b.Len()+minInputCap {
			t.Fatalf("holding %d bytes for %d received", b.Cap(), b.Len())
		}
	}
	if !b.mapped {
		t.Errorf("8 MB buffer is not mapped")
	}
	if d := MappedInputBytes() - before; d != int64(b.Cap()) {
		t.Errorf("mapped bytes counted %d, buffer holds %d", d, b.Cap())
	}
	if !bytes.Equal(b.Bytes()[:len(chunk)], chunk) || b.Len() != 8<<20 {
		t.Errorf("contents lost while growing: len %d", b.Len())
	}
	b.Consume(b.Len() - 10)
	if err := b.Append([]byte("0123456789"), 0); err != nil {
		t.Fatal(err)
	}
	if got := string(b.Bytes()); got != "xxxxxxxxxx0123456789" {
		t.Errorf("after consume and append: %q", got)
	}
	b.Consume(b.Len())
	b.Shrink()
	if b.Cap() != 0 || MappedInputBytes() != before {
		t.Errorf("after release: cap %d, mapped %d (before %d)", b.Cap(), MappedInputBytes(), before)
	}
}

// TestInputSparesMakeBurstsGarbageFree: a connection that keeps an
// incomplete command behind reads of 64 KB (a pipelined burst of big
// commands) grows its buffer past keepInputCap and lets it go when the
// burst ends; with the loop's stash the next bursts reuse the buffers and
// allocate nothing.
func TestInputSparesMakeBurstsGarbageFree(t *testing.T) {
	var spares inputSpares
	b := inputBuffer{spares: &spares}
	read := bytes.Repeat([]byte{'x'}, 64<<10)
	burst := func() {
		for i := 0; i < 4; i++ {
			if err := b.Append(read, 0); err != nil {
				t.Fatal(err)
			}
			b.Consume(b.Len() - 100) // an incomplete command stays behind
		}
		b.Consume(b.Len())
		b.Shrink()
	}
	burst()
	if spares.bytes == 0 || spares.bytes > maxSpareBytes || len(spares.bufs) > maxSpareBuffers {
		t.Fatalf("stash after a burst: %d buffers, %d bytes", len(spares.bufs), spares.bytes)
	}
	if allocs := testing.AllocsPerRun(100, burst); allocs != 0 {
		t.Errorf("%v allocations per burst, want 0", allocs)
	}
}

// TestInputSparesBounds: the stash keeps the biggest buffers within its
// bounds and hands out the smallest that fits.
func TestInputSparesBounds(t *testing.T) {
	var s inputSpares
	for i := 0; i < 3*maxSpareBuffers; i++ {
		s.give(make([]byte, 0, minInputCap<<(i%6)))
		if len(s.bufs) > maxSpareBuffers || s.bytes > maxSpareBytes {
			t.Fatalf("stash holds %d buffers, %d bytes", len(s.bufs), s.bytes)
		}
	}
	s.give(make([]byte, 0, 4*maxSpareBytes)) // too big to keep
	if s.bytes > maxSpareBytes {
		t.Fatalf("stash holds %d bytes", s.bytes)
	}
	if b := s.take(minInputCap + 1); b == nil || cap(b) < minInputCap+1 || len(b) != 0 {
		t.Fatalf("take: %d/%d", len(b), cap(b))
	}
	for _, b := range s.bufs {
		if cap(b) < minInputCap {
			t.Fatalf("kept a buffer of %d", cap(b))
		}
	}
	if b := s.take(64 << 20); b != nil {
		t.Fatal("take of more than any spare returned a buffer")
	}
}
