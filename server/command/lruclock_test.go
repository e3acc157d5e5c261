package command

import "testing"

func TestLRUClock(t *testing.T) {
	f := func(ms, want int64) {
		t.Helper()
		if got := LRUClock(ms); got != want {
			t.Errorf("LRUClock(%d) = %d, want %d", ms, got, want)
		}
	}
	f(0, 0)
	f(999, 0)
	f(5999, 5)
	f((1<<24-1)*1000, 1<<24-1)
	f(1<<24*1000+5999, 5) // wraps after 2^24 seconds
}
