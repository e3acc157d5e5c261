package main

import "testing"

func TestSchedulerProcsRule(t *testing.T) {
	cases := []struct{ loops, cpus, want int }{
		{1, 1, 1},  // a loop per core: a P per loop
		{4, 16, 5}, // fewer loops than cores: one P to spare
		{16, 16, 16},
		{2, 1, 1}, // loops share cores: the runtime's default
		{8, 4, 4},
	}
	for _, c := range cases {
		if got := schedulerProcs(c.loops, c.cpus); got != c.want {
			t.Errorf("schedulerProcs(%d, %d) = %d, want %d", c.loops, c.cpus, got, c.want)
		}
	}
}

func TestProcsTunerHysteresis(t *testing.T) {
	tu := &procsTuner{loops: 2}
	steps := []struct {
		busy float64
		want int
	}{
		{0.50, 2}, // busy: a P per loop
		{0.25, 2}, // between the thresholds: unchanged
		{0.05, 3}, // nearly idle: one to spare
		{0.25, 3}, // between: still spare
		{0.35, 2},
	}
	for i, s := range steps {
		if got := tu.want(s.busy); got != s.want {
			t.Errorf("step %d: want(%v) = %d, want %d", i, s.busy, got, s.want)
		}
	}
}
