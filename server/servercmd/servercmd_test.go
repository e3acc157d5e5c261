package servercmd

import (
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/anaxdb/anax/config"
	"github.com/anaxdb/anax/server/command"
)

// fakeHost is a server for the commands: a real configuration, fixed
// figures, and a record of what the commands asked of it. The embedded
// command.Env is nil, so a command that reaches further panics.
type fakeHost struct {
	command.Env
	cfg      *config.Config
	log      *zap.SugaredLogger
	logs     *observer.ObservedLogs
	local    bool
	used     int64
	mem      MemoryStats
	lastSave int64

	resets, closes, shutdowns int
}

func newFakeHost(t *testing.T, args ...string) *fakeHost {
	t.Helper()
	cfg := config.New()
	if err := cfg.Load(args, nil); err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zap.InfoLevel)
	return &fakeHost{cfg: cfg, log: zap.New(core).Sugar(), logs: logs}
}

func (h *fakeHost) Config() *config.Config           { return h.cfg }
func (h *fakeHost) Log() *zap.SugaredLogger          { return h.log }
func (h *fakeHost) ResetStats()                      { h.resets++ }
func (h *fakeHost) LastSave() int64                  { return h.lastSave }
func (h *fakeHost) UsedMemory() int64                { return h.used }
func (h *fakeHost) MemoryStats() MemoryStats         { return h.mem }
func (h *fakeHost) IsLocalClient(*command.Exec) bool { return h.local }
func (h *fakeHost) CloseAfterReply(*command.Exec)    { h.closes++ }
func (h *fakeHost) Shutdown()                        { h.shutdowns++ }
func (h *fakeHost) CountError(*command.Exec, string) {}

// run runs cmd with the space-separated args on h, over RESP2, and
// returns its reply.
func run(h *fakeHost, cmd func(*command.Exec), args string) string {
	x := &command.Exec{Env: h}
	x.Reset(&command.Spec{Name: strings.Fields(args)[0]}, words(args), 0, 2, false, 0)
	cmd(x)
	return string(x.Out)
}

func words(s string) [][]byte {
	var out [][]byte
	for _, w := range strings.Fields(s) {
		out = append(out, []byte(w))
	}
	return out
}

func TestConfig(t *testing.T) {
	h := newFakeHost(t, "--enable-protected-configs", "local")
	f := func(cmd func(*command.Exec), args, want string) {
		t.Helper()
		if got := run(h, cmd, args); got != want {
			t.Errorf("%s = %q, want %q", args, got, want)
		}
	}
	f(cmdConfigGet, "config get maxmemory", "*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n")
	f(cmdConfigSet, "config set maxmemory 1mb", "+OK\r\n")
	f(cmdConfigGet, "config get maxmemory", "*2\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n")
	f(cmdConfigSet, "config set maxmemory", "-ERR syntax error\r\n")
	// A protected parameter changes only from a local client.
	f(cmdConfigSet, "config set dbfilename x.rdb", "-ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config\r\n")
	h.local = true
	f(cmdConfigSet, "config set dbfilename x.rdb", "+OK\r\n")
	f(cmdConfigRewrite, "config rewrite", "-ERR The server is running without a config file\r\n")
	f(cmdConfigResetStat, "config resetstat", "+OK\r\n")
	if h.resets != 1 {
		t.Errorf("CONFIG RESETSTAT reset the statistics %d times, want 1", h.resets)
	}
}

func TestConfigErrorReply(t *testing.T) {
	f := func(msg, want string) {
		t.Helper()
		if got := configErrorReply(msg); got != want {
			t.Errorf("configErrorReply(%q) = %q, want %q", msg, got, want)
		}
	}
	f("Unknown option", "ERR Unknown option")
	f("ERR already coded", "ERR already coded")
	f("WRONGTYPE x", "WRONGTYPE x")
	f("CONFIG SET failed", "CONFIG SET failed") // an upper-case first word is a code
	f("Mixed1 word", "ERR Mixed1 word")
	f("bad\r\nline", "ERR bad  line")
}

func TestTimeLastSaveWait(t *testing.T) {
	h := newFakeHost(t)
	h.lastSave = 1700000000
	if got := run(h, cmdLastSave, "lastsave"); got != ":1700000000\r\n" {
		t.Errorf("LASTSAVE = %q", got)
	}
	if got := run(h, cmdTime, "time"); !strings.HasPrefix(got, "*2\r\n$10\r\n") || strings.Count(got, "\r\n") != 5 {
		t.Errorf("TIME = %q, want two bulk strings, seconds first", got)
	}
	f := func(args, want string) {
		t.Helper()
		if got := run(h, cmdWait, args); got != want {
			t.Errorf("%s = %q, want %q", args, got, want)
		}
	}
	f("wait 1 0", ":0\r\n")
	f("wait x 0", "-ERR value is not an integer or out of range\r\n")
	f("wait 1 x", "-ERR timeout is not an integer or out of range\r\n")
	f("wait 1 -1", "-ERR timeout is negative\r\n")
}

func TestMemoryKeys(t *testing.T) {
	f := func(args string, want []int) {
		t.Helper()
		got := memoryKeys(words(args), nil)
		if len(got) != len(want) || (len(want) > 0 && got[0] != want[0]) {
			t.Errorf("memoryKeys(%s) = %v, want %v", args, got, want)
		}
	}
	f("memory usage k", []int{2})
	f("MEMORY USAGE k SAMPLES 5", []int{2})
	f("memory usage", nil)
	f("memory stats", nil)
}

func TestMemoryStats(t *testing.T) {
	h := newFakeHost(t)
	h.mem = MemoryStats{
		Used: 1000, Peak: 2000, Dataset: 400, RSS: 3000,
		Total: 2500, HeapObjects: 800, HeapUnused: 200, HeapReleased: 500,
		DBs: []DBKeys{{Keys: 10}, {}, {Keys: 0, Expires: 1}},
	}
	h.mem.Tables = 300
	got := run(h, cmdMemoryStats, "memory stats")
	want := "*66\r\n" + // 33 pairs: 31 and one per database that holds keys (Redis 7.4's)
		"$14\r\npeak.allocated\r\n:2000\r\n$15\r\ntotal.allocated\r\n:1000\r\n" +
		"$17\r\nstartup.allocated\r\n:0\r\n$19\r\nreplication.backlog\r\n:0\r\n" +
		"$14\r\nclients.slaves\r\n:0\r\n$14\r\nclients.normal\r\n:0\r\n" +
		"$13\r\ncluster.links\r\n:0\r\n$10\r\naof.buffer\r\n:0\r\n" +
		"$10\r\nlua.caches\r\n:0\r\n$16\r\nfunctions.caches\r\n:0\r\n" +
		"$4\r\ndb.0\r\n*4\r\n$23\r\noverhead.hashtable.main\r\n:160\r\n$26\r\noverhead.hashtable.expires\r\n:0\r\n" +
		"$4\r\ndb.2\r\n*4\r\n$23\r\noverhead.hashtable.main\r\n:0\r\n$26\r\noverhead.hashtable.expires\r\n:0\r\n" +
		"$25\r\noverhead.db.hashtable.lut\r\n:300\r\n$31\r\noverhead.db.hashtable.rehashing\r\n:0\r\n" +
		"$14\r\noverhead.total\r\n:600\r\n$23\r\ndb.dict.rehashing.count\r\n:0\r\n$10\r\nkeys.count\r\n:10\r\n" +
		"$18\r\nkeys.bytes-per-key\r\n:100\r\n$13\r\ndataset.bytes\r\n:400\r\n" +
		"$18\r\ndataset.percentage\r\n$2\r\n40\r\n$15\r\npeak.percentage\r\n$2\r\n50\r\n" +
		"$19\r\nallocator.allocated\r\n:800\r\n$16\r\nallocator.active\r\n:1000\r\n" +
		"$18\r\nallocator.resident\r\n:2000\r\n$15\r\nallocator.muzzy\r\n:0\r\n" +
		"$29\r\nallocator-fragmentation.ratio\r\n$4\r\n1.25\r\n$29\r\nallocator-fragmentation.bytes\r\n:200\r\n" +
		"$19\r\nallocator-rss.ratio\r\n$1\r\n2\r\n$19\r\nallocator-rss.bytes\r\n:1000\r\n" +
		"$18\r\nrss-overhead.ratio\r\n$3\r\n1.5\r\n$18\r\nrss-overhead.bytes\r\n:1000\r\n" +
		"$13\r\nfragmentation\r\n$1\r\n3\r\n$19\r\nfragmentation.bytes\r\n:2000\r\n"
	if got != want {
		t.Errorf("MEMORY STATS =\n%q\nwant\n%q", got, want)
	}
}

func TestRatios(t *testing.T) {
	f := func(got, want float64) {
		t.Helper()
		if got != want {
			t.Errorf("got %v, want %v", got, want)
		}
	}
	f(command.Ratio(1, 3), 0.33)
	f(command.Ratio(2, 3), 0.67)
	f(command.Ratio(5, 0), 0)
	f(command.Percent(1, 3), 33.33)
	f(command.Percent(2, 3), 66.67)
	f(command.Percent(5, -1), 0)
}

func TestMemoryDoctor(t *testing.T) {
	h := newFakeHost(t)
	h.used = doctorMinUsed - 1
	if got := run(h, cmdMemoryDoctor, "memory doctor"); !strings.Contains(got, "empty or is using very little memory") {
		t.Errorf("MEMORY DOCTOR of a small instance = %q", got)
	}
	h.used = doctorMinUsed
	if got := run(h, cmdMemoryDoctor, "memory doctor"); !strings.Contains(got, "can't find any memory issue") {
		t.Errorf("MEMORY DOCTOR = %q", got)
	}
	if got := run(h, cmdMemoryMallocStats, "memory malloc-stats"); got != "$45\r\nStats not supported for the current allocator\r\n" {
		t.Errorf("MEMORY MALLOC-STATS = %q", got)
	}
}
