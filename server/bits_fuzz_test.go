package server

import (
	"testing"

	"github.com/anaxdb/anax/protocol"
)

// FuzzHostileHLL stores arbitrary bytes as a string and runs every
// HyperLogLog command on it, on an in-process server of one shard: each must answer
// (a reply or Redis's error), never panic or write out of bounds; a value
// with the HLL header is mostly what the input holds.
func FuzzHostileHLL(f *testing.F) {
	f.Add([]byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"), uint8(0))
	f.Add([]byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x40"), uint8(1))
	f.Add([]byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe\xff"), uint8(2))
	f.Add([]byte("HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), uint8(3))
	f.Add([]byte("x"), uint8(4))
	s := newBareServer(f, "1")
	c := protocol.NewTestConn(1, 0)
	s.Open(c)
	f.Cleanup(func() { s.Close(c) })
	run := func(args ...string) string {
		bs := make([][]byte, len(args))
		for i, a := range args {
			bs[i] = []byte(a)
		}
		s.BeginBatch(c)
		if r := s.Command(c, bs); r != protocol.Done {
			f.Fatalf("%s: result %v", args[0], r)
		}
		s.EndBatch(c)
		return string(c.TakeTestOutput())
	}
	f.Fuzz(func(t *testing.T, val []byte, n uint8) {
		if len(val) > 20000 {
			return
		}
		if n&1 == 0 && len(val) >= 5 {
			val = append([]byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"), val[5:]...)
		}
		if n&2 != 0 {
			// The size of a dense HLL, so the header check passes.
			val = append([]byte("HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"), val...)
			for len(val) < 16+12288 {
				val = append(val, byte(len(val)))
			}
			val = val[:16+12288]
		}
		for _, k := range []string{"h", "{h}2", "other"} {
			run("SET", k, string(val))
		}
		for _, cmd := range [][]string{
			{"PFCOUNT", "h"}, {"PFCOUNT", "h", "{h}2"}, {"PFCOUNT", "h", "other"},
			{"PFADD", "h", "a", "b", "c"}, {"PFCOUNT", "h"},
			{"PFMERGE", "d", "h", "other"}, {"PFMERGE", "{h}d", "h", "{h}2"}, {"PFCOUNT", "d", "{h}d"},
			{"PFDEBUG", "DECODE", "{h}2"}, {"PFDEBUG", "GETREG", "other"}, {"PFDEBUG", "TODENSE", "{h}2"},
			{"PFADD", "{h}2", "x"}, {"GET", "{h}2"},
		} {
			if out := run(cmd...); out == "" || (out[0] == '-' && !validHLLError(out)) {
				t.Fatalf("%q: %q", cmd, out)
			}
		}
	})
}

func validHLLError(out string) bool {
	for _, e := range []string{
		"-INVALIDOBJ Corrupted HLL object detected\r\n",
		"-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n",
		"-ERR HLL encoding is not sparse\r\n",
	} {
		if out == e {
			return true
		}
	}
	return false
}
