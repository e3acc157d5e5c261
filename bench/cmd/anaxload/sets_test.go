package main

import (
	"math/rand/v2"
	"testing"
)

// TestSetRequests checks the set and zset loads' pipelines, with keys from
// a fixed sequence and members from a fixed seed.
func TestSetRequests(t *testing.T) {
	f := func(cmd string, intMembers bool, want string) {
		t.Helper()
		o := &options{cmd: cmd, pipeline: 1, prefix: "k", proto: protoRESP, members: 1000, zrange: 10,
			intMembers: intMembers}
		g := newGen(o, &seqGen{i: 7}, rand.New(rand.NewPCG(1, 1)), []byte("vv"))
		if got := g.batch(nil); string(got) != want {
			t.Errorf("%s: got\n%q, want\n%q", cmd, got, want)
		}
	}
	// The member the seed draws first: index 997 of 1000; its score,
	// 53447867, was computed apart from this code (SplitMix64 by hand).
	m := "$16\r\nm000000000000997\r\n"
	f("sadd", false, "*3\r\n$4\r\nSADD\r\n$2\r\nk7\r\n"+m)
	f("sadd", true, "*3\r\n$4\r\nSADD\r\n$2\r\nk7\r\n$3\r\n997\r\n")
	f("sismember", false, "*3\r\n$9\r\nSISMEMBER\r\n$2\r\nk7\r\n"+m)
	f("spop", false, "*2\r\n$4\r\nSPOP\r\n$2\r\nk7\r\n")
	f("zadd", false, "*4\r\n$4\r\nZADD\r\n$2\r\nk7\r\n$8\r\n53447867\r\n"+m)
	f("zincrby", false, "*4\r\n$7\r\nZINCRBY\r\n$2\r\nk7\r\n$1\r\n1\r\n"+m)
	f("zscore", false, "*3\r\n$6\r\nZSCORE\r\n$2\r\nk7\r\n"+m)
	f("zrank", false, "*3\r\n$5\r\nZRANK\r\n$2\r\nk7\r\n"+m)
	f("zrange", false, "*4\r\n$6\r\nZRANGE\r\n$2\r\nk7\r\n$1\r\n0\r\n$1\r\n9\r\n")
	f("zpopmin", false, "*2\r\n$7\r\nZPOPMIN\r\n$2\r\nk7\r\n")
}

// TestSetFillCommands: members are numbered from 0 in every key, so the
// loads find them whatever key they draw; a zset member's score is the one
// zadd sends for it.
func TestSetFillCommands(t *testing.T) {
	o := &options{cmd: "fill-set", elems: 5}
	want := "*4\r\n$4\r\nSADD\r\n$1\r\nk\r\n$16\r\nm000000000000003\r\n$16\r\nm000000000000004\r\n"
	if got := o.fillCommand(nil, []byte("k"), 2, 3, 2); string(got) != want {
		t.Errorf("fill-set: got %q, want %q", got, want)
	}
	o.intMembers = true
	want = "*4\r\n$4\r\nSADD\r\n$1\r\nk\r\n$1\r\n3\r\n$1\r\n4\r\n"
	if got := o.fillCommand(nil, []byte("k"), 2, 3, 2); string(got) != want {
		t.Errorf("fill-set -int-members: got %q, want %q", got, want)
	}
	o.cmd, o.intMembers = "fill-zset", false
	want = "*4\r\n$4\r\nZADD\r\n$1\r\nk\r\n$9\r\n143593387\r\n$16\r\nm000000000000620\r\n"
	if got := o.fillCommand(nil, []byte("k"), 9, 620, 1); string(got) != want {
		t.Errorf("fill-zset: got %q, want %q", got, want)
	}
	// Scores are below 2^30 and spread: no two of the first 1000 alike,
	// and not in index order.
	seen, ordered := map[uint64]bool{}, true
	for i := range uint64(1000) {
		s := memberScore(i)
		if s >= 1<<30 || seen[s] {
			t.Fatalf("score of %d: %d (seen: %v)", i, s, seen[s])
		}
		seen[s] = true
		ordered = ordered && (i == 0 || s > memberScore(i-1))
	}
	if ordered {
		t.Error("scores follow the member order")
	}
}

// TestIntReply: SISMEMBER's ":0" is a miss, ":1" a value, an error an
// error.
func TestIntReply(t *testing.T) {
	in := ":1\r\n:0\r\n-ERR unknown command 'SISMEMBER'\r\n"
	rd := &reader{buf: []byte(in), w: len(in)}
	for range 3 {
		if err := rd.intReply(); err != nil {
			t.Fatal(err)
		}
	}
	if rd.values != 1 || rd.nils != 1 || rd.errs != 1 || rd.r != rd.w {
		t.Fatalf("values %d nils %d errs %d, %d bytes left", rd.values, rd.nils, rd.errs, rd.w-rd.r)
	}
	rd = &reader{buf: []byte(":1\r"), w: 3}
	if err := rd.intReply(); err != errNeedMore {
		t.Fatalf("a partial reply: %v, want errNeedMore", err)
	}
}
