package scriptcmd

import (
	"sync"
	"sync/atomic"
	"time"
)

// runningSet is the scripts running now, for SCRIPT KILL and the BUSY
// replies. A script on a shard's loop holds that loop; one over every
// shard runs on a goroutine of its own while every shard is locked.
type runningSet struct {
	count atomic.Int32
	mu    sync.Mutex
	// shard[i] is the run on shard i's interpreter (one at most, as a
	// shard runs one script at a time), runs those over every shard.
	shard []*run
	runs  map[*run]*state
	// since[i] is when the script running on shard i began (Unix ns, 0:
	// none); since[n] that of the oldest run over every shard.
	since []atomic.Int64
}

func (s *runningSet) init(shards int) {
	s.shard = make([]*run, shards)
	s.runs = map[*run]*state{}
	s.since = make([]atomic.Int64, shards+1)
}

func (s *runningSet) slot(r *run) *atomic.Int64 {
	if r.shard >= 0 {
		return &s.since[r.shard]
	}
	return &s.since[len(s.since)-1]
}

func (s *runningSet) add(r *run, st *state) {
	s.mu.Lock()
	if r.shard >= 0 {
		s.shard[r.shard] = r
	} else {
		s.runs[r] = st
	}
	s.mu.Unlock()
	s.slot(r).CompareAndSwap(0, r.start.UnixNano())
	s.count.Add(1)
}

func (s *runningSet) remove(r *run) {
	s.count.Add(-1)
	s.mu.Lock()
	if r.shard >= 0 {
		s.shard[r.shard] = nil
		s.slot(r).Store(0)
		s.mu.Unlock()
		return
	}
	delete(s.runs, r)
	var oldest int64
	for o := range s.runs {
		if oldest == 0 || o.start.UnixNano() < oldest {
			oldest = o.start.UnixNano()
		}
	}
	s.slot(r).Store(oldest)
	s.mu.Unlock()
}

// each calls f with every run in progress and its interpreter, under the
// set's lock (a run stays in progress while f looks at it).
func (s *runningSet) each(f func(r *run, st *state)) {
	for _, r := range s.shard {
		if r != nil {
			f(r, r.st)
		}
	}
	for r, st := range s.runs {
		f(r, st)
	}
}

// runningFunction is what FUNCTION STATS shows of a function running.
type runningFunction struct {
	name  string
	args  [][]byte
	start time.Time
}

// oldestFunction returns the function running longest; ok is false when
// none runs. It copies what it shows, as the run goes on (and its state
// is reused) once the lock is let go.
func (s *runningSet) oldestFunction() (f runningFunction, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var old *run
	s.each(func(r *run, _ *state) {
		if r.sc.fn != nil && (old == nil || r.start.Before(old.start)) {
			old = r
		}
	})
	if old == nil {
		return f, false
	}
	f = runningFunction{name: old.sc.sha, start: old.start}
	for _, a := range old.x.Args {
		f.args = append(f.args, append([]byte(nil), a...))
	}
	return f, true
}

func timeSince(t time.Time) time.Duration { return time.Since(t) }

// kill stops every running script (with functions, every function) that
// has not written, and returns
// Redis's error when there is none or when every one has written.
func (s *runningSet) kill(functions bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	found, killed := 0, 0
	s.each(func(r *run, st *state) {
		if (r.sc.fn != nil) != functions {
			return
		}
		found++
		if r.wrote.Load() {
			return
		}
		r.killed.Store(true)
		st.kill.fire()
		killed++
	})
	if found == 0 {
		return "NOTBUSY No scripts in execution right now."
	}
	if killed == 0 {
		return "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."
	}
	return ""
}

// Running reports whether any script runs now (one atomic load).
func (e *Engine) Running() bool { return e.running.count.Load() > 0 }

// InterpreterBytes is what INFO counts per Lua interpreter (used_memory_lua):
// a sandboxed gopher-lua state with its libraries took 205 KB of heap when
// measured (2026-12-02); Go does not report one state's memory.
const InterpreterBytes = 200 << 10

// Interpreters returns the number of Lua interpreters made so far.
func (e *Engine) Interpreters() int64 { return e.made.Load() }

// Busy reports whether a script that blocks shard sh (one on that shard,
// or one over every shard) has run longer than threshold: commands for
// that shard are then answered BUSY. It costs one atomic load while no
// script runs.
func (e *Engine) Busy(sh int, threshold time.Duration) bool {
	s := &e.running
	if s.count.Load() == 0 {
		return false
	}
	now := time.Now().UnixNano()
	for _, i := range [2]int{sh, len(s.since) - 1} {
		if i < 0 || i >= len(s.since) {
			continue
		}
		if t := s.since[i].Load(); t != 0 && now-t > int64(threshold) {
			return true
		}
	}
	return false
}

// BusyError is Redis's reply to a command refused while a script runs.
const BusyError = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
