package command

import (
	"testing"
)

func TestValuesKeepsOrderAndMissing(t *testing.T) {
	var vs Values
	in := []struct {
		v     string
		found bool
	}{{"a", true}, {"", false}, {"", true}, {"bcd", true}, {"", false}}
	for _, e := range in {
		vs.Append([]byte(e.v), e.found)
	}
	if vs.Len() != len(in) || vs.Size() != 4 {
		t.Fatalf("Len %d Size %d", vs.Len(), vs.Size())
	}
	for i, e := range in {
		v, found := vs.At(i)
		if found != e.found || string(v) != e.v {
			t.Errorf("At(%d) = %q, %v; want %q, %v", i, v, found, e.v, e.found)
		}
	}
}

// fakeEnv is the least Env that Merge needs.
type fakeEnv struct{ errors []string }

func (e *fakeEnv) ConfigInt(string) int64                    { return 0 }
func (e *fakeEnv) Limits() *Limits                           { return &Limits{} }
func (e *fakeEnv) ConfigString(string) string                { return "" }
func (e *fakeEnv) Rand() uint64                              { return 7 }
func (e *fakeEnv) ShardCount() int                           { return 3 }
func (e *fakeEnv) Route([]byte) int                          { return 0 }
func (e *fakeEnv) CountError(_ *Exec, msg string)            { e.errors = append(e.errors, msg) }
func (e *fakeEnv) RunSubcommand(*Exec)                       {}
func (e *fakeEnv) Notify(*Exec, NotifyClass, string, []byte) {}

func TestMergeCombinesPieces(t *testing.T) {
	env := &fakeEnv{}
	piece := func(sh int) *Exec {
		p := NewPiece(&Exec{Env: env, Proto: 2}, nil, sh)
		return p
	}
	// MGET over three keys: key 0 and 2 on shard 2, key 1 on shard 0.
	x := &Exec{Env: env, Proto: 2, Part: -1, Cmd: &Spec{Multi: MultiValues}}
	p0, p2 := piece(0), piece(2)
	p2.Value([]byte("v0"), true)
	p0.Value(nil, false)
	p2.Value([]byte("v2"), true)
	Merge(x, []*Exec{p0, nil, p2}, []uint16{2, 0, 2})
	if got, want := string(x.Out), "*3\r\n$2\r\nv0\r\n$-1\r\n$2\r\nv2\r\n"; got != want {
		t.Errorf("MGET reply %q, want %q", got, want)
	}

	// DEL: counts add up.
	x = &Exec{Env: env, Part: -1, Cmd: &Spec{Multi: MultiSum}}
	p0, p2 = piece(0), piece(2)
	p0.Count(2)
	p2.Count(1)
	p2.Count(1)
	Merge(x, []*Exec{p0, nil, p2}, nil)
	if string(x.Out) != ":4\r\n" {
		t.Errorf("sum reply %q", x.Out)
	}

	// An error of a piece is the reply, counted once.
	x = &Exec{Env: env, Part: -1, Cmd: &Spec{Multi: MultiOK}}
	p0, p2 = piece(0), piece(2)
	p2.Fail(ErrSyntax)
	Merge(x, []*Exec{p0, nil, p2}, nil)
	if string(x.Out) != "-ERR syntax error\r\n" || len(env.errors) != 1 || !x.Failed {
		t.Errorf("error reply %q, counted %v", x.Out, env.errors)
	}
}
