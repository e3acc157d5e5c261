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
	sis := benchArgs("SISMEMBER", "set", "member:4242")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.runLocalCommand(cl, sis, now)
	}
}
