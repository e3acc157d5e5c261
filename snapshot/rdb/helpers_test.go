package rdb

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
)

// parseValue reads a byte string as testdata writes it: hex, "-" (empty) or
// rep:<hex>*<n> (hex repeated, cut to n bytes).
func parseValue(t testing.TB, s string) []byte {
	t.Helper()
	if s == "-" {
		return []byte{}
	}
	if r, ok := strings.CutPrefix(s, "rep:"); ok {
		pat, n, ok := strings.Cut(r, "*")
		if !ok {
			t.Fatalf("bad value %q", s)
		}
		count, err := strconv.Atoi(n)
		if err != nil {
			t.Fatal(err)
		}
		p := mustHex(t, pat)
		return bytes.Repeat(p, count/len(p)+1)[:count]
	}
	return mustHex(t, s)
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %.40q: %v", s, err)
	}
	return b
}

type stringVector struct {
	name        string
	value, dump []byte
}

// loadStringVectors reads testdata/strings.txt (DUMPs by a real redis-server).
func loadStringVectors(t testing.TB) []stringVector {
	t.Helper()
	f, err := os.Open("testdata/strings.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var vs []stringVector
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 {
			t.Fatalf("bad line %.60q", line)
		}
		vs = append(vs, stringVector{fields[0], parseValue(t, fields[1]), mustHex(t, fields[2])})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(vs) < 10 {
		t.Fatalf("only %d vectors", len(vs))
	}
	return vs
}

// valueVector mirrors testdata/gen's values.json entries.
type valueVector struct {
	Name   string      `json:"name"`
	Origin string      `json:"origin"`
	Type   int         `json:"type"`
	Dump   string      `json:"dump"`
	Str    string      `json:"str,omitempty"`
	List   []string    `json:"list,omitempty"`
	Set    []string    `json:"set,omitempty"`
	Hash   [][2]string `json:"hash,omitempty"`
	ZSet   [][2]string `json:"zset,omitempty"`
}

func loadValueVectors(t testing.TB) []valueVector {
	t.Helper()
	b, err := os.ReadFile("testdata/values.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []valueVector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

// withFooter completes body (type byte and value) into a DUMP payload with
// the given RDB version and a correct CRC.
func withFooter(body []byte, version uint16) []byte {
	p := append([]byte(nil), body...)
	return appendDumpFooter(p, 0, version)
}

// footerVersion returns a payload's RDB version.
func footerVersion(p []byte) uint16 {
	return binary.LittleEndian.Uint16(p[len(p)-10:])
}
