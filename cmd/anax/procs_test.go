package main

import "testing"

func TestSchedulerProcsRule(t *testing.T) {
	cases := []struct{ loops, cpus, want int }{
		{1, 1, 2},  // a loop per core: one P to spare
		{4, 16, 5}, // fewer loops than cores
		{16, 16, 17},
		{2, 1, 1}, // loops share cores: the runtime's default
		{8, 4, 4},
	}
	for _, c := range cases {
		if got := schedulerProcs(c.loops, c.cpus); got != c.want {
			t.Errorf("schedulerProcs(%d, %d) = %d, want %d", c.loops, c.cpus, got, c.want)
		}
	}
}
