package infocmd

import (
	"math"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"

	"github.com/anaxdb/anax/protocol"
)

// MemFigures are the Go runtime's memory classes (runtime/metrics).
type MemFigures struct {
	Used         int64 // what the process allocated and holds: used_memory
	Total        int64 // everything the runtime mapped
	HeapObjects  int64 // live and not yet swept heap objects
	HeapUnused   int64 // heap spans' unused space (fragmentation)
	HeapReleased int64 // returned to the OS
	HeapGoal     int64
	MemLimit     int64
	GCCycles     int64
	Goroutines   int64
	// HeapObjectCount is the number of live heap objects: it must not grow
	// with the number of keys or elements (the arena's design goal).
	HeapObjectCount int64
	// GCPauseMax is an upper bound of the longest stop-the-world GC pause
	// since start, in ns (the runtime keeps pauses as a histogram).
	GCPauseMax int64
}

// memSampleNames are the runtime metrics ReadMemFigures reads, in the
// order it takes them apart.
var memSampleNames = []string{
	"/memory/classes/total:bytes",
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/released:bytes",
	"/gc/heap/goal:bytes",
	"/gc/gomemlimit:bytes",
	"/gc/cycles/total:gc-cycles",
	"/sched/goroutines:goroutines",
	"/gc/heap/objects:objects",
	"/sched/pauses/total/gc:seconds",
}

// ReadMemFigures reads the runtime's memory classes. Used is what the
// runtime holds minus free and fragmented heap space: heap objects (the
// shards' arenas included), stacks and runtime metadata; the counterpart
// of Redis's zmalloc_used_memory.
func ReadMemFigures() MemFigures {
	samples := make([]metrics.Sample, len(memSampleNames))
	for i, n := range memSampleNames {
		samples[i].Name = n
	}
	metrics.Read(samples)
	v := make([]int64, len(samples))
	for i, sm := range samples {
		if sm.Value.Kind() == metrics.KindUint64 {
			v[i] = int64(sm.Value.Uint64())
		}
	}
	m := MemFigures{
		Total:        v[0],
		HeapObjects:  v[1],
		HeapUnused:   v[2],
		HeapReleased: v[4],
		HeapGoal:     v[5],
		MemLimit:     v[6],
		GCCycles:     v[7],
		Goroutines:   v[8],
	}
	m.HeapObjectCount = v[9]
	if h := samples[10]; h.Value.Kind() == metrics.KindFloat64Histogram {
		hist := h.Value.Float64Histogram()
		for i := len(hist.Counts) - 1; i >= 0; i-- {
			if hist.Counts[i] > 0 {
				upper := hist.Buckets[i+1]
				if math.IsInf(upper, 1) {
					upper = hist.Buckets[i]
				}
				m.GCPauseMax = int64(upper * 1e9)
				break
			}
		}
	}
	// Input buffers of large requests in progress live in mappings outside
	// the Go heap (protocol.inputBuffer); Redis counts query buffers too.
	m.Used = v[0] - v[2] - v[3] - v[4] + protocol.MappedInputBytes()
	return m
}

// ProcessRSS returns the resident set size from /proc/self/statm, 0 where
// it cannot be read.
func ProcessRSS() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// TotalSystemMemory returns the host's RAM in bytes, 0 where it cannot be
// read.
func TotalSystemMemory() int64 {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		return 0
	}
	return int64(si.Totalram) * int64(si.Unit)
}

// bytesToHuman formats n as Redis does (100B, 1.50K, 2.00M, ...).
func bytesToHuman(n int64) string {
	const k = 1024
	d := float64(n)
	switch {
	case n < k:
		return strconv.FormatInt(n, 10) + "B"
	case n < k*k:
		return strconv.FormatFloat(d/k, 'f', 2, 64) + "K"
	case n < k*k*k:
		return strconv.FormatFloat(d/(k*k), 'f', 2, 64) + "M"
	case n < k*k*k*k:
		return strconv.FormatFloat(d/(k*k*k), 'f', 2, 64) + "G"
	case n < k*k*k*k*k:
		return strconv.FormatFloat(d/(k*k*k*k), 'f', 2, 64) + "T"
	case n < k*k*k*k*k*k:
		return strconv.FormatFloat(d/(k*k*k*k*k), 'f', 2, 64) + "P"
	}
	return strconv.FormatInt(n, 10) + "B"
}
