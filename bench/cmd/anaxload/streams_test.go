package main

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestStreamRequests(t *testing.T) {
	newG := func(cmd string) *gen {
		o := &options{cmd: cmd, pipeline: 1, prefix: "k", proto: protoRESP, xcount: 2, elems: 4, keys: 10, conns: 1}
		g := newGen(o, &seqGen{i: 7}, rand.New(rand.NewPCG(1, 1)), []byte("vv"))
		g.index = 3
		return g
	}
	if got, want := string(newG("xadd").batch(nil)),
		"*7\r\n$4\r\nXADD\r\n$2\r\nk7\r\n$1\r\n*\r\n$2\r\nf0\r\n$2\r\nvv\r\n$2\r\nf1\r\n$2\r\nvv\r\n"; got != want {
		t.Errorf("xadd: got\n%q, want\n%q", got, want)
	}
	if got, want := string(newG("xrange").batch(nil)),
		"*6\r\n$6\r\nXRANGE\r\n$2\r\nk7\r\n$1\r\n-\r\n$1\r\n+\r\n$5\r\nCOUNT\r\n$1\r\n2\r\n"; got != want {
		t.Errorf("xrange: got\n%q, want\n%q", got, want)
	}
	// xreadgroup reads the connection's own stream (k3, index 3): the
	// first operation and the one after the end (ids 1-4) send the group
	// back to 0.
	g := newG("xreadgroup")
	setid := "*5\r\n$6\r\nXGROUP\r\n$5\r\nSETID\r\n$2\r\nk3\r\n$1\r\ng\r\n$1\r\n0\r\n"
	read := "*9\r\n$10\r\nXREADGROUP\r\n$5\r\nGROUP\r\n$1\r\ng\r\n$1\r\nc\r\n$5\r\nCOUNT\r\n$1\r\n2\r\n$7\r\nSTREAMS\r\n$2\r\nk3\r\n$1\r\n>\r\n"
	ack := func(a, b string) string {
		return "*5\r\n$4\r\nXACK\r\n$2\r\nk3\r\n$1\r\ng\r\n$3\r\n" + a + "\r\n$3\r\n" + b + "\r\n"
	}
	for i, want := range []string{setid + read + ack("1-0", "2-0"), read + ack("3-0", "4-0"), setid + read + ack("1-0", "2-0")} {
		if got := string(g.batch(nil)); got != want {
			t.Errorf("xreadgroup %d: got\n%q, want\n%q", i, got, want)
		}
	}
}

func TestStreamFillCommands(t *testing.T) {
	o := &options{cmd: "fill-stream", elems: 3, group: "grp"}
	want := "*7\r\n$4\r\nXADD\r\n$1\r\nk\r\n$3\r\n2-0\r\n$2\r\nf0\r\n$10\r\nv000000002\r\n$2\r\nf1\r\n$10\r\nv000000003\r\n"
	if got := o.streamFillCommand(nil, []byte("k"), 1); string(got) != want {
		t.Errorf("XADD: got %q, want %q", got, want)
	}
	want = "*5\r\n$6\r\nXGROUP\r\n$6\r\nCREATE\r\n$1\r\nk\r\n$3\r\ngrp\r\n$1\r\n0\r\n"
	if got := o.streamFillCommand(nil, []byte("k"), 3); string(got) != want {
		t.Errorf("XGROUP CREATE: got %q, want %q", got, want)
	}
	if o.fillSteps() != 4 {
		t.Errorf("fillSteps with a group: %d", o.fillSteps())
	}
	o.group = ""
	if o.fillSteps() != 3 {
		t.Errorf("fillSteps: %d", o.fillSteps())
	}
}

func TestReadAckReply(t *testing.T) {
	entries := "*1\r\n*2\r\n$2\r\nk3\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"
	in := "+OK\r\n" + entries + ":2\r\n" + entries + ":2\r\n*-1\r\n:0\r\n" + entries + "-ERR no\r\n"
	o := &options{xcount: 2}
	for _, chunk := range []int{1, 5, len(in)} {
		rd := replies(t, in, chunk)
		for i := range 4 {
			if err := o.readAckReply(rd); err != nil {
				t.Fatalf("chunk %d: operation %d: %v", chunk, i, err)
			}
		}
		// The nil read is a miss and its XACK of 0 an error, as is the
		// error reply.
		if rd.values != 3 || rd.nils != 1 || rd.errs != 2 || !strings.HasPrefix(rd.firstErr, "XACK: want :2") {
			t.Fatalf("chunk %d: values %d nils %d errs %d first %q", chunk, rd.values, rd.nils, rd.errs, rd.firstErr)
		}
	}
}

func TestStreamBatchesDoNotAllocate(t *testing.T) {
	for _, cmd := range []string{"xadd", "xrange", "xreadgroup"} {
		o := &options{proto: protoRESP, cmd: cmd, pipeline: 16, keys: 1000, conns: 50, prefix: "key:", pad: 12,
			xcount: 10, elems: 5000}
		rng := rand.New(rand.NewPCG(1, 1))
		g := newGen(o, &uniformGen{rng: rng, n: o.keys}, rng, make([]byte, 10))
		buf := g.batch(nil)
		if n := testing.AllocsPerRun(100, func() { buf = g.batch(buf[:0]) }); n != 0 {
			t.Errorf("%s: %v allocations per pipeline", cmd, n)
		}
	}
}
