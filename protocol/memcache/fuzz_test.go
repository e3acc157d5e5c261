package memcache

import (
	"runtime/metrics"
	"slices"
	"testing"
)

func FuzzParse(f *testing.F) {
	// More seeds live in testdata/fuzz/FuzzParse.
	f.Add([]byte("get a b c\r\nset k 1 0 3\r\nabc\r\n"))
	f.Add([]byte("ms k 3 T10 F5 c k Oop\r\nabc\r\nmg k v c f t s k\r\nmn\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// 1. Parsing never panics, keeps n within the buffer and never
		//    allocates in proportion to a claimed length (a set of 2 GB
		//    is swallowed, not buffered). The allocation counter is
		//    process-wide, so an excess must show up three times running.
		whole := parseAll(t, [][]byte{data})
		bound := 16*uint64(len(data)) + 64<<10
		for try := 0; ; try++ {
			allocs := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
			metrics.Read(allocs)
			before := allocs[0].Value.Uint64()
			var p Parser
			var r Request
			for in := data; len(in) > 0; {
				n, err := p.Parse(in, &r)
				if err != nil {
					break
				}
				in = in[n:]
			}
			metrics.Read(allocs)
			if alloc := allocs[0].Value.Uint64() - before; alloc <= bound {
				break
			} else if try == 2 {
				t.Fatalf("%d bytes allocated for %d bytes of input", alloc, len(data))
			}
		}

		// 2. Splitting the input into reads changes nothing.
		a, b := len(data)/3, 2*len(data)/3
		if split := parseAll(t, [][]byte{data[:a], data[a:b], data[b:]}); !slices.Equal(split, whole) {
			t.Fatalf("split at %d,%d:\n%q\nwhole:\n%q", a, b, split, whole)
		}

		// 3. A clone describes the same request and owns its bytes.
		var p Parser
		var r Request
		buf := slices.Clone(data)
		for in := buf; len(in) > 0; {
			n, err := p.Parse(in, &r)
			if err != nil {
				break
			}
			want := describe(&r)
			c := r.Clone()
			for i := range in[:n] {
				in[i] ^= 0xff
			}
			if got := describe(c); got != want {
				t.Fatalf("clone %s, parsed %s", got, want)
			}
			for i := range in[:n] {
				in[i] ^= 0xff
			}
			in = in[n:]
		}
	})
}
