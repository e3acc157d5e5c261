package server

import (
	"strconv"
	"testing"
	"time"
)

// BenchmarkCommandZRange is ZRANGE key 0 9 on a sorted set of 1M members
// (the bench's row), through the same path as BenchmarkCommandGet.
func BenchmarkCommandZRange(b *testing.B) {
	s := newBareServer(b, "1")
	cl := &Client{}
	cl.proto.Store(2)
	now := time.Now()
	for base := 0; base < 1_000_000; base += 1000 {
		args := benchArgs("ZADD", "zset")
		for i := base; i < base+1000; i++ {
			args = append(args, []byte(strconv.Itoa(i)), []byte("member:"+strconv.Itoa(i)))
		}
		s.runLocalCommand(cl, args, now)
	}
	zrange := benchArgs("ZRANGE", "zset", "0", "9")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.runLocalCommand(cl, zrange, now)
	}
}

// BenchmarkCommandSIsMember is SISMEMBER on a set of 1M members.
func BenchmarkCommandSIsMember(b *testing.B) {
	s, cl, now := newBigSetServer(b)
	sis := benchArgs("SISMEMBER", "set", "member:4242")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.runLocalCommand(cl, sis, now)
	}
}

// BenchmarkCommandSAddExisting is SADD of members a 1M-member set holds,
// drawn across the set as the bench's load draws them: the write path of a
// command that changes nothing, beside BenchmarkCommandSIsMemberSpread.
func BenchmarkCommandSAddExisting(b *testing.B) {
	benchSetSpread(b, "SADD")
}

// BenchmarkCommandSIsMemberSpread is SISMEMBER of members drawn across a
// 1M-member set.
func BenchmarkCommandSIsMemberSpread(b *testing.B) {
	benchSetSpread(b, "SISMEMBER")
}

func benchSetSpread(b *testing.B, cmd string) {
	s, cl, now := newBigSetServer(b)
	const draws = 4096
	var reqs [draws][][]byte
	for i := range reqs {
		reqs[i] = benchArgs(cmd, "set", "member:"+strconv.Itoa(i*7919%1_000_000))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.runLocalCommand(cl, reqs[i%draws], now)
	}
}

// newBigSetServer is a one-shard server holding "set", 1M members
// "member:0".."member:999999".
func newBigSetServer(b *testing.B) (*Server, *Client, time.Time) {
	s := newBareServer(b, "1")
	cl := &Client{}
	cl.proto.Store(2)
	now := time.Now()
	for base := 0; base < 1_000_000; base += 1000 {
		args := benchArgs("SADD", "set")
		for i := base; i < base+1000; i++ {
			args = append(args, []byte("member:"+strconv.Itoa(i)))
		}
		s.runLocalCommand(cl, args, now)
	}
	return s, cl, now
}
