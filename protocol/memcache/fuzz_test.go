package memcache

import (
	"runtime/metrics"
	"slices"
	"testing"
)

// The fuzz target parses with small limits so that every branch (a line
// too long, a multiget too long, an item too large) is reached by inputs
// of a few hundred bytes. With the real limits the fuzzer grew inputs past
// 2 KB to reach the line limit, and the Go fuzzer's minimization, which is
// quadratic in the input's length, then stalled the run for up to a minute
// per new input. Inputs are cut at fuzzMaxInput for the same reason: a
// longer one behaves as its prefix, so it is never kept as interesting.
const (
	fuzzLineMax    = 64
	fuzzMaxGetLine = 256
	fuzzMaxItem    = 160 // a value of about 100 bytes with a short key
	fuzzMaxInput   = 1024
)

func fuzzParser() *Parser {
	return &Parser{lineMax: fuzzLineMax, MaxGetLine: fuzzMaxGetLine, MaxItemSize: fuzzMaxItem}
}

// parseFuncs are the two ways a connection reads requests.
var parseFuncs = []func(*Parser, []byte, *Request) (int, error){(*Parser).Parse, (*Parser).ParseAuth}

func FuzzParse(f *testing.F) {
	// More seeds live in testdata/fuzz/FuzzParse.
	f.Add([]byte("get a b c\r\nset k 1 0 3\r\nabc\r\n"))
	f.Add([]byte("ms k 3 T10 F5 c k Oop\r\nabc\r\nmg k v c f t s k\r\nmn\r\n"))
	f.Add([]byte("set k 0 0 200\r\nget " + "a b c d e f g h i j k l m n o p q r s t u v w x y z" + "\r\n"))
	f.Add([]byte("set k 0 0 9\r\nuser pass\r\nset k 0 0 2\r\nab\r\nPOST / HTTP/1.1\r\nHost: x\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		data = data[:min(len(data), fuzzMaxInput)]
		for _, parse := range parseFuncs {
			fuzzCheck(t, data, parse)
		}
	})
}

func fuzzCheck(t *testing.T, data []byte, parse func(*Parser, []byte, *Request) (int, error)) {
	// 1. Parsing never panics, keeps n within the buffer and never
	//    allocates in proportion to a claimed length (a set of 2 GB is
	//    swallowed, not buffered; one of 1 MB waits for its data without
	//    buffering it). This parser has the real limits, so that a claimed
	//    length up to 1 MB is accepted. The allocation counter is
	//    process-wide, so an excess must show up three times running.
	bound := 16*uint64(len(data)) + 64<<10
	allocs := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	var r Request
	for try := 0; ; try++ {
		metrics.Read(allocs)
		before := allocs[0].Value.Uint64()
		var p Parser
		for in := data; len(in) > 0; {
			n, err := parse(&p, in, &r)
			if err != nil {
				break
			}
			if n <= 0 || n > len(in) {
				t.Fatalf("n = %d for %d bytes", n, len(in))
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
	whole := parseWith(t, fuzzParser(), parse, [][]byte{data})
	a, b := len(data)/3, 2*len(data)/3
	if split := parseWith(t, fuzzParser(), parse, [][]byte{data[:a], data[a:b], data[b:]}); !slices.Equal(split, whole) {
		t.Fatalf("split at %d,%d:\n%q\nwhole:\n%q", a, b, split, whole)
	}

	// 3. A clone describes the same request and owns its bytes.
	p := fuzzParser()
	buf := slices.Clone(data)
	for in := buf; len(in) > 0; {
		n, err := parse(p, in, &r)
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
}
