package main

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestPublishRequests checks PUBLISH's pipeline: the payload is the value
// with the pipeline's send time written over its first stampLen bytes.
func TestPublishRequests(t *testing.T) {
	o := &options{cmd: "publish", pipeline: 2, prefix: "chan:", proto: protoRESP}
	g := newGen(o, &seqGen{i: 3}, rand.New(rand.NewPCG(1, 1)), []byte(strings.Repeat("v", 20)))
	buf := g.batch(nil)
	g.stamp(buf, 1234567*time.Nanosecond)
	msg := "$20\r\n0000000001234567vvvv\r\n"
	want := "*3\r\n$7\r\nPUBLISH\r\n$6\r\nchan:3\r\n" + msg + "*3\r\n$7\r\nPUBLISH\r\n$6\r\nchan:4\r\n" + msg
	if string(buf) != want {
		t.Errorf("got\n%q, want\n%q", buf, want)
	}
	// The next pipeline gets its own stamps.
	buf = g.batch(buf[:0])
	g.stamp(buf, 99*time.Nanosecond)
	if !strings.Contains(string(buf), "$20\r\n0000000000000099vvvv\r\n") || strings.Count(string(buf), "0099vvvv") != 2 {
		t.Errorf("second pipeline %q", buf)
	}
}

// TestSubscriberMessages: a subscriber reads each message's stamp, across
// split reads; anything but a message is an error. PUBLISH's reply below
// the subscriber count is a miss.
func TestSubscriberMessages(t *testing.T) {
	in := "*3\r\n$7\r\nmessage\r\n$6\r\nchan:0\r\n$20\r\n0000000001234567vvvv\r\n" +
		"*3\r\n$7\r\nmessage\r\n$6\r\nchan:1\r\n$16\r\n0000000000000042\r\n" +
		"*3\r\n$8\r\npmessage\r\n"
	rd := replies(t, in, 7)
	for _, want := range []time.Duration{1234567, 42} {
		got, err := rd.message()
		if err != nil || got != want {
			t.Fatalf("message: %v, %v; want %v", got, err, want)
		}
	}
	if _, err := rd.message(); err == nil {
		t.Fatal("a pmessage read as a message")
	}
	rd = replies(t, ":3\r\n:2\r\n-ERR no\r\n", 64)
	for range 3 {
		if err := rd.publishReply(3); err != nil {
			t.Fatal(err)
		}
	}
	if rd.values != 1 || rd.nils != 1 || rd.errs != 1 {
		t.Fatalf("values %d, misses %d, errors %d", rd.values, rd.nils, rd.errs)
	}
}
