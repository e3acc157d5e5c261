package main

import (
	"runtime"
	"syscall"
	"time"
)

// schedulerProcs is the number of Go Ps a server with the given number of
// event loops starts with on a machine (or CPU quota) of cpus cores.
//
// When the loops fill the cores (the default: one loop per core) each loop
// gets a P and nothing more, the runtime's own default, and procsTuner may
// add one while the server is nearly idle. A spare P costs most where a
// server is busy but not saturated: gnet's poller yields (runtime.Gosched)
// each time a wait finds nothing, and with an idle P the runtime then wakes
// a thread that competes with the loop for its core and goes back to sleep
// (two context switches and a futex wake-up per idle transition). One loop
// pinned to one core, GET at pipeline 1 from redis-benchmark: 16.6 µs of
// server CPU per request with the spare P, 14.0 without (Redis 13.3); paced
// at 50k/s, 14.2 vs 12.7 µs and p99 0.92 vs 0.83 ms. The spare P's thread
// also stretched GC's stop-the-world phases (longest 0.35-1.0 ms in
// `make bench`'s sets loads, 0.03-0.12 ms with a P per loop).
//
// With fewer loops than cores, one P more than the loops lets background
// work (snapshot writing, global scripts, the GC's workers) run on an idle
// core at once instead of waiting for a loop to yield its P; the thread it
// wakes then runs on a core of its own. When loops share cores the
// runtime's default (one P per core) stays.
func schedulerProcs(loops, cpus int) int {
	if loops >= cpus {
		return cpus
	}
	return loops + 1
}

// Thresholds of procsTuner, as the share of the loops' cores the process
// used over one sample. Below sparePBelow a loop mostly waits, and without
// an idle P Go's sysmon takes a waiting loop's P after 20 µs, starts a
// thread to look for work and keeps waking every 20 µs. One loop on one
// core, paced GET at pipeline 1, µs of CPU per request with a P per loop
// vs one spare: 5k/s (8% busy) 20-23 vs 13-17; 12k/s (17%) 15.2-16.6 vs
// 13.0-14.1; 20k/s (28%) 13.4-16.7 vs 14.3-20.3; 50k/s 12.5-13.1 vs
// 14.5-14.8. The gap between the thresholds keeps a load near one of them
// from switching every sample.
const (
	sparePBelow  = 0.20
	spareOffOver = 0.30
	tunePeriod   = 250 * time.Millisecond
)

// procsTuner moves a server whose loops fill its cores between one P per
// loop (busy) and one P more (nearly idle), following the process's CPU
// use. Changing GOMAXPROCS stops the world for 7-11 µs (measured on one and
// on two cores); the hysteresis keeps that to a change of load. A quarter of
// a second per sample puts a load that starts on an idle server on a P per
// loop within half a second.
type procsTuner struct {
	loops int
	spare bool
}

// want reports the number of Ps for the share of the loops' cores the
// process used over the last sample.
func (t *procsTuner) want(busy float64) int {
	switch {
	case busy < sparePBelow:
		t.spare = true
	case busy > spareOffOver:
		t.spare = false
	}
	if t.spare {
		return t.loops + 1
	}
	return t.loops
}

// run samples the process's CPU time every tunePeriod and applies want.
func (t *procsTuner) run() {
	lastCPU, lastWall := processCPU(), time.Now()
	for now := range time.Tick(tunePeriod) {
		cpu := processCPU()
		busy := float64(cpu-lastCPU) / (float64(now.Sub(lastWall)) * float64(t.loops))
		lastCPU, lastWall = cpu, now
		if n := t.want(busy); n != runtime.GOMAXPROCS(0) {
			runtime.GOMAXPROCS(n)
		}
	}
}

// processCPU is the user and system CPU time of the whole process.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
