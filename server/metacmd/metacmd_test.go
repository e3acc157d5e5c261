package metacmd

import (
	"slices"
	"strings"
	"testing"

	"github.com/anaxdb/anax/server/cmdmeta"
	"github.com/anaxdb/anax/server/command"
)

// Unit tests of COMMAND over a made-up command table. The replies of the
// server's real table, and their agreement with redis-server, are tested
// in package server (command_cmd_test.go, command_meta_test.go).

// fakeEnv is a command environment with a command table of its own.
type fakeEnv struct {
	table []*command.Spec // sorted by name
}

func (e *fakeEnv) ConfigInt(string) int64                                    { return 0 }
func (e *fakeEnv) Limits() *command.Limits                                   { return &command.Limits{} }
func (e *fakeEnv) ConfigString(string) string                                { return "" }
func (e *fakeEnv) Rand() uint64                                              { return 0 }
func (e *fakeEnv) ShardCount() int                                           { return 1 }
func (e *fakeEnv) Route([]byte) int                                          { return 0 }
func (e *fakeEnv) CountError(*command.Exec, string)                          {}
func (e *fakeEnv) Commands() []*command.Spec                                 { return e.table }
func (e *fakeEnv) RunSubcommand(x *command.Exec)                             { x.Cmd.Subcommand(x.Args[1]).Run(x) }
func (e *fakeEnv) Notify(*command.Exec, command.NotifyClass, string, []byte) {}
func (e *fakeEnv) LookupCommand(name []byte) *command.Spec {
	for _, c := range e.table {
		if command.EqFold(name, c.Name) {
			return c
		}
	}
	return nil
}

// newFakeEnv returns an environment whose table is COMMAND plus specs,
// none with metadata unless withMeta.
func newFakeEnv(withMeta bool, specs ...*command.Spec) *fakeEnv {
	e := &fakeEnv{table: append(Commands(), specs...)}
	slices.SortFunc(e.table, func(a, b *command.Spec) int { return strings.Compare(a.Name, b.Name) })
	for _, c := range e.table {
		c.Meta = nil
		if withMeta {
			c.Meta = cmdmeta.Lookup(c.Name)
		}
	}
	return e
}

// run runs args (COMMAND ...) in e over RESP proto and returns the reply.
func run(e *fakeEnv, proto int, args ...string) string {
	var x command.Exec
	bargs := make([][]byte, len(args))
	for i, a := range args {
		bargs[i] = []byte(a)
	}
	x.Reset(e.LookupCommand(bargs[0]), bargs, 0, proto, false, 0)
	x.Env = e
	x.Cmd.Run(&x)
	return string(x.Out)
}

// plainSpecs are commands whose table entries say all that COMMAND INFO
// shows of them: keyless, one key, keys to the end; readonly, fast,
// loading and stale; categories from the group.
func plainSpecs() []*command.Spec {
	const k = command.FlagReadOnly | command.FlagFast
	return []*command.Spec{
		{Name: "get", Arity: 2, Flags: k, FirstKey: 1, LastKey: 1, Step: 1, Group: "string"},
		{Name: "mget", Arity: -2, Flags: k, FirstKey: 1, LastKey: -1, Step: 1, Group: "string"},
		{Name: "ping", Arity: -1, Flags: command.FlagFast, Group: "connection"},
		{Name: "echo", Arity: 2, Flags: command.FlagFast | command.FlagLoading | command.FlagStale, Group: "connection"},
	}
}

// TestInfoWithoutMetadata checks that COMMAND INFO of a command the
// metadata lacks, described from its Spec alone, is what the metadata (and
// so Redis) says of it, for commands whose Spec says enough.
func TestInfoWithoutMetadata(t *testing.T) {
	bare, meta := newFakeEnv(false, plainSpecs()...), newFakeEnv(true, plainSpecs()...)
	for _, c := range meta.table {
		if c.Meta == nil {
			t.Fatalf("%s: no metadata to compare with", c.Name)
		}
	}
	for _, proto := range []int{2, 3} {
		for _, c := range plainSpecs() {
			got := run(bare, proto, "COMMAND", "INFO", c.Name)
			want := run(meta, proto, "COMMAND", "INFO", c.Name)
			if got != want {
				t.Errorf("RESP%d COMMAND INFO %s without metadata:\n%q\nwith:\n%q", proto, c.Name, got, want)
			}
		}
	}
}

// TestKeySpecOfKeysFunction checks the key spec derived for a command that
// finds its keys with a function: a function has no range to describe, so
// both begin_search and find_keys are of type "unknown".
func TestKeySpecOfKeysFunction(t *testing.T) {
	keys := func(args [][]byte, dst []int) []int { return append(dst, len(args)-1) }
	e := newFakeEnv(false, &command.Spec{Name: "lastkey", Arity: -2, Flags: command.FlagWrite, Keys: keys, Group: "generic"})
	want := "*1\r\n*10\r\n$7\r\nlastkey\r\n:-2\r\n*2\r\n+write\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n" +
		"*3\r\n+@keyspace\r\n+@write\r\n+@slow\r\n*0\r\n" +
		"*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RW\r\n+update\r\n" +
		"$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\nspec\r\n*0\r\n" +
		"$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\nspec\r\n*0\r\n*0\r\n"
	if got := run(e, 2, "COMMAND", "INFO", "lastkey"); got != want {
		t.Errorf("COMMAND INFO lastkey:\n got %q\nwant %q", got, want)
	}
	if got, want := run(e, 2, "COMMAND", "GETKEYSANDFLAGS", "lastkey", "a", "b"), "*1\r\n*2\r\n$1\r\nb\r\n*2\r\n+RW\r\n+update\r\n"; got != want {
		t.Errorf("COMMAND GETKEYSANDFLAGS lastkey a b: got %q, want %q", got, want)
	}
}

// TestTableReplies checks the replies that list the table: COUNT, LIST
// and its filters, INFO and DOCS of unknown names and of subcommands by
// full name.
func TestTableReplies(t *testing.T) {
	e := newFakeEnv(true, plainSpecs()...)
	f := func(want string, args ...string) {
		t.Helper()
		if got := run(e, 2, args...); got != want {
			t.Errorf("%s: got %q, want %q", strings.Join(args, " "), got, want)
		}
	}
	f(":5\r\n", "COMMAND", "COUNT")
	f("*2\r\n$4\r\nmget\r\n$4\r\nping\r\n", "COMMAND", "LIST", "FILTERBY", "PATTERN", "[mp]*")
	f("*2\r\n$3\r\nget\r\n$4\r\nmget\r\n", "COMMAND", "LIST", "FILTERBY", "ACLCAT", "STRING")
	f("*0\r\n", "COMMAND", "LIST", "FILTERBY", "MODULE", "x")
	f("-ERR syntax error\r\n", "COMMAND", "LIST", "FILTERBY", "PATTERN")
	f("*2\r\n$-1\r\n$-1\r\n", "COMMAND", "INFO", "nosuch", "command|nosuch")
	f("*0\r\n", "COMMAND", "DOCS", "nosuch")
	if got := run(e, 2, "COMMAND", "INFO", "COMMAND|Count"); !strings.HasPrefix(got, "*1\r\n*10\r\n$13\r\ncommand|count\r\n") {
		t.Errorf("COMMAND INFO COMMAND|Count: got %q", got)
	}
	f("*2\r\n$1\r\na\r\n$1\r\nb\r\n", "COMMAND", "GETKEYS", "MGET", "a", "b")
	f("-ERR Invalid command specified\r\n", "COMMAND", "GETKEYS", "nosuch", "a")
	f("-ERR The command has no key arguments\r\n", "COMMAND", "GETKEYS", "ping", "a")
	f("-ERR Invalid number of arguments specified for command\r\n", "COMMAND", "GETKEYS", "get", "a", "b")
}
