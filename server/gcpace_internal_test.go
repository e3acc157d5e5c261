package server

import "testing"

func TestGCPercentFor(t *testing.T) {
	for _, c := range []struct {
		live int64
		want int
	}{
		{0, 100},
		{1 << 20, 100},  // small heaps keep the default
		{32 << 20, 100}, // the least headroom is 32 MB
		{64 << 20, 50},
		{512 << 20, 6}, // 32 MB of 512
		{1 << 30, 3},   // 1/32 from here on
		{6 << 30, 3},   // 192 MB of headroom for a 6 GB dataset
		{1 << 40, 3},
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("gcPercentFor(%d) = %d, want %d", c.live, got, c.want)
		}
	}
}

func TestWorthCollecting(t *testing.T) {
	for _, c := range []struct {
		heap, live int64
		want       bool
	}{
		{10 << 20, 10 << 20, false},         // nothing new since the last cycle
		{10<<20 + 512<<10, 10 << 20, false}, // under 1 MB
		{12 << 20, 10 << 20, true},          // a FLUSHALL's chunks
		{1<<30 + 32<<20, 1 << 30, false},    // 1/32 of a big heap: the collector's own cycles
		{1<<30 + 128<<20, 1 << 30, true},
	} {
		if got := worthCollecting(c.heap, c.live); got != c.want {
			t.Errorf("worthCollecting(%d, %d) = %v, want %v", c.heap, c.live, got, c.want)
		}
	}
}
