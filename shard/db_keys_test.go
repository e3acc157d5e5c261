package shard

import (
	"bytes"
	"testing"
)

// TestExportImportAsAcrossShards moves entries between two shards as a
// cross-shard RENAME or COPY does: the value, TTL and a memcache item's
// flags travel; keepMeta decides whether access time and LFU counter do.
func TestExportImportAsAcrossShards(t *testing.T) {
	src, dst := New(0, 1).DB(0), New(1, 1).DB(0)
	const now = int64(5_000_000)
	big := bytes.Repeat([]byte("xy"), 50_000) // beyond the arena's largest cell
	src.SetString([]byte("s"), big, now+60_000, false, EncAuto, now-10_000)
	src.MCStore([]byte("m"), []byte("item"), 42, 7, 0, 0, now)

	raw, ok := src.Export([]byte("s"), now, nil)
	if !ok {
		t.Fatal("Export of a live key reported none")
	}
	h := dst.ImportAs(raw, []byte("renamed"), true, now)
	if got := dst.Value(h); !bytes.Equal(got, big) {
		t.Fatalf("value of %d bytes came back as %d bytes", len(big), len(got))
	}
	if dst.ExpireAt(h) != now+60_000 || dst.ExpiresCount() != 1 {
		t.Errorf("TTL %d (expires %d), want %d", dst.ExpireAt(h), dst.ExpiresCount(), now+60_000)
	}
	sh, _ := src.Peek([]byte("s"))
	if dst.AccessTime(h) != src.AccessTime(sh) {
		t.Errorf("keepMeta lost the access time: %d, want %d", dst.AccessTime(h), src.AccessTime(sh))
	}
	h = dst.ImportAs(raw, []byte("copied"), false, now)
	if dst.AccessTime(h) != now/1000 || dst.Freq(h) != lfuInitVal {
		t.Errorf("a copy starts afresh: access %d freq %d", dst.AccessTime(h), dst.Freq(h))
	}

	raw, _ = src.Export([]byte("m"), now, nil)
	dst.ImportAs(raw, []byte("m2"), true, now)
	it, st := dst.MCLookup([]byte("m2"), now, 0)
	if st != MCHit || it.Flags != 42 || it.CAS != 7 || string(dst.Value(it.Handle)) != "item" {
		t.Errorf("memcache item: status %v flags %d cas %d value %q", st, it.Flags, it.CAS, dst.Value(it.Handle))
	}

	if _, ok := src.Export([]byte("none"), now, nil); ok {
		t.Error("Export of a missing key reported one")
	}
	if _, ok := src.Export([]byte("s"), now+60_000, nil); ok {
		t.Error("Export of an expired key reported one")
	}
}
