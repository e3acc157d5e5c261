package resp

import (
	"bytes"
	"runtime/metrics"
	"testing"
)

// outcome is everything a connection would observe from parsing a stream:
// the commands in order, then how it ended.
type outcome struct {
	cmds []cmd
	end  string // "incomplete" or a protocol error message
}

// parseStream parses chunks as a connection does (append, parse all,
// discard), skipping calls while Need says they cannot progress. It checks
// the per-call invariants on the way.
func parseStream(t *testing.T, chunks [][]byte) outcome {
	var p Parser
	var pending []byte
	var out outcome
	argv := make([][]byte, 0, 4)
	for _, c := range chunks {
		pending = append(pending, c...)
		for p.Need() <= len(pending) {
			args, n, err := p.Parse(pending, argv, nil)
			// The parser's own buffers grow with bytes received, never
			// with lengths claimed.
			if cap(p.arena) > max(arenaChunk, len(pending)) || cap(args) > 2*len(pending)+8 {
				t.Fatalf("buffers outgrew the input: arena %d, args %d for %d bytes",
					cap(p.arena), cap(args), len(pending))
			}
			if err == ErrIncomplete {
				if n != 0 {
					t.Fatalf("n = %d with ErrIncomplete", n)
				}
				break
			}
			if err != nil {
				out.end = errMsg(err)
				if n != 0 {
					t.Fatalf("n = %d with an error", n)
				}
				return out
			}
			if n <= 0 || n > len(pending) {
				t.Fatalf("n = %d for %d buffered bytes", n, len(pending))
			}
			out.cmds = append(out.cmds, cmd{argStrings(args), n})
			pending = pending[n:]
		}
	}
	out.end = "incomplete"
	return out
}

func sameOutcome(a, b outcome) bool { return a.end == b.end && sameCmds(a.cmds, b.cmds) }

// encodeInline writes args as one inline line with every argument quoted
// and every byte that needs it escaped as \xHH.
func encodeInline(args [][]byte) []byte {
	var b []byte
	for i, a := range args {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, '"')
		for _, c := range a {
			if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
				b = append(b, '\\', 'x', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
			} else {
				b = append(b, c)
			}
		}
		b = append(b, '"')
	}
	return append(b, '\r', '\n')
}

func FuzzParse(f *testing.F) {
	// More seeds live in testdata/fuzz/FuzzParse.
	f.Add([]byte("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"))
	f.Add([]byte("SET k \"v\\x00\" 'x'\r\nPING\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// 1. Parsing never panics, keeps n within the buffer and never
		//    allocates in proportion to a claimed length. The allocation
		//    counter is process-wide (the fuzzing engine allocates too), so
		//    an excess must show up three times running. It is exact for
		//    large objects, the ones a claimed length would produce.
		whole := parseStream(t, [][]byte{data})
		bound := 16*uint64(len(data)) + 64<<10
		argv := make([][]byte, 0, 16)
		for try := 0; ; try++ {
			allocs := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
			metrics.Read(allocs)
			before := allocs[0].Value.Uint64()
			var p Parser
			for in := data; ; {
				args, n, err := p.Parse(in, argv, nil)
				if err != nil {
					break
				}
				in, argv = in[n:], args
			}
			metrics.Read(allocs)
			alloc := allocs[0].Value.Uint64() - before
			if alloc <= bound {
				break
			}
			if try == 2 {
				t.Fatalf("%d bytes allocated for %d bytes of input", alloc, len(data))
			}
		}

		// 2. Splitting the input into reads changes nothing.
		a, b := len(data)/3, 2*len(data)/3
		split := parseStream(t, [][]byte{data[:a], data[a:b], data[b:]})
		if !sameOutcome(whole, split) {
			t.Fatalf("split at %d,%d: %+v vs %+v", a, b, split, whole)
		}

		// 3. Round trip: arguments encoded as multibulk, and as a quoted
		//    inline line, parse back to themselves.
		if len(data) == 0 {
			return
		}
		args := bytes.Split(data[1:], data[:1])
		if len(args) > 1000 {
			args = args[:1000]
		}
		enc := AppendArrayLen(nil, len(args))
		for _, a := range args {
			enc = AppendBulk(enc, a)
		}
		var p Parser
		got, n, err := p.Parse(enc, nil, nil)
		if err != nil || n != len(enc) || !equalArgs(got, args) {
			t.Fatalf("multibulk round trip: n=%d/%d err=%v", n, len(enc), err)
		}
		line := encodeInline(args)
		if len(line) <= DefaultMaxInlineLen {
			got, n, err = p.Parse(line, nil, nil)
			if err != nil || n != len(line) || !equalArgs(got, args) {
				t.Fatalf("inline round trip of %q: got %q n=%d err=%v", line, got, n, err)
			}
		}
	})
}

func equalArgs(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}
