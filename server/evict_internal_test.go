package server

import "testing"

func TestRefuseWrites(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		limit, effective, rss int64
		noEviction            bool
		refuse, rssOver       bool
	}{
		{0, 100 * mb, 100 * mb, true, false, false},      // no limit
		{64 * mb, 63 * mb, 70 * mb, true, false, false},  // under both
		{64 * mb, 65 * mb, 70 * mb, true, true, false},   // noeviction, over
		{64 * mb, 65 * mb, 70 * mb, false, false, false}, // evicting policy: the shards evict
		{64 * mb, 10 * mb, 81 * mb, false, true, true},   // RSS over 1.25 x limit
		{64 * mb, 10 * mb, 80 * mb, false, false, false}, // at the guard
	} {
		refuse, rssOver := refuseWrites(c.limit, c.effective, c.rss, c.noEviction)
		if refuse != c.refuse || rssOver != c.rssOver {
			t.Errorf("refuseWrites(%d, %d, %d, %v) = %v, %v; want %v, %v", c.limit, c.effective, c.rss, c.noEviction, refuse, rssOver, c.refuse, c.rssOver)
		}
	}
	if anonRSS() <= 0 {
		t.Error("anonRSS cannot read /proc/self/statm")
	}
}
