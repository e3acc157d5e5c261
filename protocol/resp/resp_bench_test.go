package resp

import (
	"bytes"
	"strings"
	"testing"
)

func benchParse(b *testing.B, in []byte, cmds int) {
	var p Parser
	argv := make([][]byte, 0, 8)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		buf := in
		for range cmds {
			_, n, err := p.Parse(buf, argv, nil)
			if err != nil {
				b.Fatal(err)
			}
			buf = buf[n:]
		}
	}
}

func BenchmarkParseGET(b *testing.B) {
	benchParse(b, appendCommand(nil, "GET", "key:000000000001"), 1)
}

func BenchmarkParseSET100(b *testing.B) {
	benchParse(b, appendCommand(nil, "SET", "key:000000000001", strings.Repeat("v", 100)), 1)
}

func BenchmarkParsePipeline16(b *testing.B) {
	var in []byte
	for i := range 16 {
		if i%2 == 0 {
			in = appendCommand(in, "SET", "key:000000000001", strings.Repeat("v", 100))
		} else {
			in = appendCommand(in, "GET", "key:000000000001")
		}
	}
	benchParse(b, in, 16)
}

func BenchmarkParseInline(b *testing.B) {
	benchParse(b, []byte("SET key:000000000001 value\r\n"), 1)
}

func BenchmarkParseInlineQuoted(b *testing.B) {
	benchParse(b, []byte("SET \"key:0001\" \"a value\\n\"\r\n"), 1)
}

// BenchmarkParseLargeBulkChunked feeds a 10 MB SET in 64 KB reads (161 of
// them), calling Parse only when Need says it can progress, as a gnet loop
// would: two Parse calls per command, whatever the value's size.
func BenchmarkParseLargeBulkChunked(b *testing.B) {
	in := AppendArrayLen(nil, 3)
	in = AppendBulkString(in, "SET")
	in = AppendBulkString(in, "k")
	in = AppendBulk(in, bytes.Repeat([]byte{'x'}, 10<<20))
	var p Parser
	argv := make([][]byte, 0, 8)
	b.ReportAllocs()
	for b.Loop() {
		for end := 64 << 10; ; end += 64 << 10 {
			end = min(end, len(in))
			if p.Need() > end {
				continue
			}
			if _, _, err := p.Parse(in[:end], argv, nil); err == nil {
				break
			} else if err != ErrIncomplete {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkAppendBulk(b *testing.B) {
	dst := make([]byte, 0, 1024)
	val := bytes.Repeat([]byte{'v'}, 100)
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendBulk(dst[:0], val)
	}
}

func BenchmarkAppendInt(b *testing.B) {
	dst := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendInt(dst[:0], 1234567)
	}
}

func BenchmarkAppendDouble(b *testing.B) {
	dst := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendDouble(dst[:0], 3.14159265, 3)
	}
}
