package slowlog

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/config"
	"github.com/anaxdb/anax/server/command"
)

// newMonitor returns a Monitor following a fresh configuration with the
// given settings.
func newMonitor(t *testing.T, settings ...[2]string) (*Monitor, *config.Config) {
	t.Helper()
	cfg := config.New()
	if err := cfg.Set(settings); err != nil {
		t.Fatal(err)
	}
	m := &Monitor{}
	m.Init(cfg)
	return m, cfg
}

func words(s string) [][]byte {
	var out [][]byte
	for _, w := range strings.Fields(s) {
		out = append(out, []byte(w))
	}
	return out
}

func TestEntryArgs(t *testing.T) {
	f := func(args [][]byte, argc int, want []string) {
		t.Helper()
		if got := entryArgs(args, argc); !reflect.DeepEqual(got, want) {
			t.Errorf("entryArgs(%q, %d) = %q, want %q", args, argc, got, want)
		}
	}
	f(words("get k"), 2, []string{"get", "k"})
	f(words("auth user pass"), 3, []string{"auth", "(redacted)", "(redacted)"})
	f(words("hello 3 auth user pass setname n"), 7, []string{"hello", "3", "auth", "(redacted)", "(redacted)", "setname", "n"})
	f(words("config set maxmemory 1 requirepass p"), 6, []string{"config", "set", "maxmemory", "1", "requirepass", "(redacted)"})
	f(words("migrate h 1 k 0 5 auth2 u p keys a"), 11, []string{"migrate", "h", "1", "k", "0", "5", "auth2", "(redacted)", "(redacted)", "keys", "a"})
	f(words("migrate h 1 k 0 5 auth"), 7, []string{"migrate", "h", "1", "k", "0", "5", "auth"}) // AUTH with no password

	// A long argument is cut at maxArgBytes and says how much is left.
	long := strings.Repeat("x", maxArgBytes+5)
	f([][]byte{[]byte("set"), []byte("k"), []byte(long)}, 3, []string{"set", "k", long[:maxArgBytes] + "... (5 more bytes)"})

	// Beyond MaxArgs arguments the last one kept counts the others; the
	// caller may hand in only the first MaxArgs.
	var many [][]byte
	for range MaxArgs {
		many = append(many, []byte("a"))
	}
	got := entryArgs(many, 100)
	if len(got) != MaxArgs || got[MaxArgs-1] != "... (69 more arguments)" || got[MaxArgs-2] != "a" {
		t.Errorf("entryArgs of 100 arguments: %d kept, last %q", len(got), got[len(got)-1])
	}
}

func TestThresholds(t *testing.T) {
	f := func(slowUsec, latMs int64, wantSlow, wantLat time.Duration) {
		t.Helper()
		var m Monitor
		m.setThresholds(slowUsec, latMs)
		if m.slowNs.Load() != int64(wantSlow) || m.latNs.Load() != int64(wantLat) || m.minNs.Load() != int64(min(wantSlow, wantLat)) {
			t.Errorf("setThresholds(%d, %d): slow %d lat %d min %d", slowUsec, latMs, m.slowNs.Load(), m.latNs.Load(), m.minNs.Load())
		}
	}
	const off = time.Duration(1<<63 - 1)
	f(10_000, 0, 10*time.Millisecond, off)
	f(-1, 0, off, off)
	f(0, 5, 0, 5*time.Millisecond)
	f(-1, 1, off, time.Millisecond)
	f(1<<62, 1<<62, off, off) // would overflow in nanoseconds
}

func TestNoteAndTrim(t *testing.T) {
	m, cfg := newMonitor(t, [2]string{"slowlog-log-slower-than", "1000"}, [2]string{"slowlog-max-len", "2"})
	get := &command.Spec{Name: "get", Flags: command.FlagFast}
	exec := &command.Spec{Name: "exec"}
	if m.Notable(999 * time.Microsecond) {
		t.Fatal("a command under the threshold is notable")
	}
	for i, d := range []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond} {
		m.Note(get, words("get k"), 2, d, "1.2.3.4:5", "n"+string(rune('0'+i)))
	}
	m.Note(exec, words("exec"), 1, time.Second, "", "") // EXEC is logged through its commands
	es := m.Entries(10)
	if len(es) != 2 || es[0].ID != 2 || es[0].Usec != 3000 || es[0].Name != "n2" || es[1].ID != 1 || es[0].Peer != "1.2.3.4:5" {
		t.Fatalf("entries after trimming to 2: %+v", es)
	}
	if n, last := m.Figures(); n != 2 || last != 2 {
		t.Errorf("Figures() = %d, %d; want 2, 2", n, last)
	}
	if err := cfg.Set([][2]string{{"slowlog-max-len", "1"}}); err != nil {
		t.Fatal(err)
	}
	if es := m.Entries(10); len(es) != 1 || es[0].ID != 2 {
		t.Errorf("entries after CONFIG SET slowlog-max-len 1: %+v", es)
	}
}

func TestNoteBatchSharesTime(t *testing.T) {
	m, _ := newMonitor(t, [2]string{"slowlog-log-slower-than", "10000"})
	get := &command.Spec{Name: "get", Flags: command.FlagFast}
	keys := &command.Spec{Name: "keys"}
	// Two slow commands share 30 ms; the fast one beside them gets none.
	m.NoteBatch([]*command.Spec{keys, get, keys}, words("keys a get k keys b"), []int32{2, 2, 2}, 30*time.Millisecond, "p", "n")
	es := m.Entries(10)
	if len(es) != 2 || es[0].Args[1] != "b" || es[1].Args[1] != "a" || es[0].Usec != 15000 {
		t.Fatalf("entries: %+v", es)
	}
	// Fast commands alone share the batch's time among them all.
	m.NoteBatch([]*command.Spec{get, get}, words("get x get y"), []int32{2, 2}, 30*time.Millisecond, "p", "n")
	if es := m.Entries(1); es[0].Args[1] != "y" || es[0].Usec != 15000 {
		t.Errorf("newest entry: %+v", es[0])
	}
}

func TestAddLatency(t *testing.T) {
	m, _ := newMonitor(t)
	m.addLatency("command", 5, 100)
	m.addLatency("command", 9, 100) // same second: the largest is kept
	m.addLatency("command", 3, 100)
	m.addLatency("command", 7, 101)
	ev := m.mu.events["command"]
	if ev.max != 9 || ev.idx != 2 || ev.samples[0] != (latencySample{100, 9}) || ev.samples[1] != (latencySample{101, 7}) {
		t.Fatalf("event: max %d idx %d samples %v", ev.max, ev.idx, ev.samples[:2])
	}
	for s := int64(0); s < latencyTSLen; s++ {
		m.addLatency("command", 1, 200+s)
	}
	if ev.idx != 2 || ev.samples[1] != (latencySample{200 + latencyTSLen - 1, 1}) || ev.max != 9 {
		t.Errorf("after a full turn of the ring: idx %d, slot 1 %v, max %d", ev.idx, ev.samples[1], ev.max)
	}
}
