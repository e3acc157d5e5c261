package memcache

import (
	"strings"
	"testing"
)

func benchParse(b *testing.B, in string, cmds int) {
	var p Parser
	var r Request
	buf := []byte(in)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		rest := buf
		for range cmds {
			n, err := p.Parse(rest, &r)
			if err != nil {
				b.Fatal(err)
			}
			rest = rest[n:]
		}
	}
}

func BenchmarkParseGet(b *testing.B) { benchParse(b, "get key:000000000001\r\n", 1) }

func BenchmarkParseGetMulti10(b *testing.B) {
	benchParse(b, "get"+strings.Repeat(" key:000000000001", 10)+"\r\n", 1)
}

func BenchmarkParseSet100(b *testing.B) {
	benchParse(b, "set key:000000000001 0 0 100\r\n"+strings.Repeat("v", 100)+"\r\n", 1)
}

func BenchmarkParseMetaGet(b *testing.B) { benchParse(b, "mg key:000000000001 v c f t k\r\n", 1) }

func BenchmarkParseMetaSet100(b *testing.B) {
	benchParse(b, "ms key:000000000001 100 T60 F5 c\r\n"+strings.Repeat("v", 100)+"\r\n", 1)
}

func BenchmarkParsePipeline16(b *testing.B) {
	var in strings.Builder
	for i := range 16 {
		if i%2 == 0 {
			in.WriteString("set key:000000000001 0 0 100\r\n" + strings.Repeat("v", 100) + "\r\n")
		} else {
			in.WriteString("get key:000000000001\r\n")
		}
	}
	benchParse(b, in.String(), 16)
}

func BenchmarkAppendValue(b *testing.B) {
	key, val := []byte("key:000000000001"), []byte(strings.Repeat("v", 100))
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendValue(buf[:0], key, 5, val, 123456, true)
		buf = AppendEnd(buf)
	}
}
