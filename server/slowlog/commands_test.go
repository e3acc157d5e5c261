package slowlog

import (
	"strconv"
	"testing"
	"time"

	"github.com/anaxdb/anax/server/command"
)

// testEnv is a server for the commands: a Monitor, and no-ops for the rest
// of command.Env (a nil embedded Env panics if a command reaches it).
type testEnv struct {
	command.Env
	m *Monitor
}

func (e testEnv) SlowLog() *Monitor                { return e.m }
func (e testEnv) CountError(*command.Exec, string) {}

func run(m *Monitor, cmd func(*command.Exec), args string) string {
	x := &command.Exec{Env: testEnv{m: m}}
	x.Reset(&command.Spec{Name: "test"}, words(args), 0, 2, false, 0)
	cmd(x)
	return string(x.Out)
}

func TestCommands(t *testing.T) {
	m, _ := newMonitor(t, [2]string{"slowlog-log-slower-than", "0"}, [2]string{"latency-monitor-threshold", "1"})
	set := &command.Spec{Name: "set"}
	m.Note(set, words("set k v"), 3, 2*time.Millisecond, "1.2.3.4:5", "app")
	m.Note(set, words("set k w"), 3, 3*time.Millisecond, "", "")
	f := func(cmd func(*command.Exec), args, want string) {
		t.Helper()
		if got := run(m, cmd, args); got != want {
			t.Errorf("%s = %q, want %q", args, got, want)
		}
	}
	f(cmdSlowlogLen, "slowlog len", ":2\r\n")
	es := m.Entries(1)
	f(cmdSlowlogGet, "slowlog get 1", "*1\r\n*6\r\n:1\r\n:"+itoa(es[0].Time)+"\r\n:3000\r\n*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nw\r\n$0\r\n\r\n$0\r\n\r\n")
	f(cmdSlowlogGet, "slowlog get -2", "-ERR count should be greater than or equal to -1\r\n")
	if got := run(m, cmdSlowlogGet, "slowlog get -1"); got[:4] != "*2\r\n" {
		t.Errorf("SLOWLOG GET -1 = %q, want both entries", got)
	}
	f(cmdLatencyReset, "latency reset nosuch", ":0\r\n")
	f(cmdLatencyReset, "latency reset", ":1\r\n") // "command"
	f(cmdLatencyLatest, "latency latest", "*0\r\n")
	f(cmdSlowlogReset, "slowlog reset", "+OK\r\n")
	f(cmdSlowlogLen, "slowlog len", ":0\r\n")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
