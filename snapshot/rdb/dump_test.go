package rdb

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// TestDumpStringVectors checks DUMP payloads written by a real redis-server
// (testdata/strings.txt): DecodeDump returns the value, and DumpString writes
// the same bytes (with the server's RDB version in the footer; DumpString
// itself writes DumpRDBVersion).
func TestDumpStringVectors(t *testing.T) {
	for _, v := range loadStringVectors(t) {
		t.Run(v.name, func(t *testing.T) {
			typ, got, err := DecodeDump(v.dump)
			if err != nil || typ != TypeString || !bytes.Equal(got, v.value) {
				t.Fatalf("DecodeDump = %d, %.40q, %v; want %.40q", typ, got, err, v.value)
			}
			ours := DumpString(nil, v.value)
			if footerVersion(ours) != DumpRDBVersion {
				t.Fatalf("DumpString wrote version %d", footerVersion(ours))
			}
			body := ours[:len(ours)-dumpFooterLen]
			if again := withFooter(body, footerVersion(v.dump)); !bytes.Equal(again, v.dump) {
				t.Fatalf("DumpString differs from Redis:\n ours  %x\n redis %x", again, v.dump)
			}
			typ, back, err := DecodeDump(ours)
			if err != nil || typ != TypeString || !bytes.Equal(back, v.value) {
				t.Fatalf("round trip: %v", err)
			}
			val, err := DecodeDumpValue(v.dump)
			if err != nil || val.Type != TypeString || val.Kind() != TypeString || !bytes.Equal(val.Str, v.value) {
				t.Fatalf("DecodeDumpValue: %v", err)
			}
		})
	}
}

// TestRedisLZFVectors: the vectors include strings Redis compressed; make
// sure they are there, so the byte-equality above covers LZF.
func TestRedisLZFVectors(t *testing.T) {
	n := 0
	for _, v := range loadStringVectors(t) {
		if v.dump[1] == 0xC0|EncLZF {
			n++
		}
	}
	if n < 5 {
		t.Fatalf("only %d LZF vectors", n)
	}
}

func TestDumpStringRoundTrip(t *testing.T) {
	for _, in := range lzfInputs() {
		p := DumpString([]byte("junk"), in)
		if string(p[:4]) != "junk" {
			t.Fatal("DumpString did not append")
		}
		p = p[4:]
		typ, out, err := DecodeDump(p)
		if err != nil || typ != TypeString || !bytes.Equal(out, in) {
			t.Fatalf("%d bytes: %v", len(in), err)
		}
	}
}

func TestVerifyDump(t *testing.T) {
	good := DumpString(nil, []byte("hello"))
	if err := VerifyDump(good); err != nil {
		t.Fatal(err)
	}
	f := func(name string, p []byte, want error) {
		t.Helper()
		if err := VerifyDump(p); err != want {
			t.Errorf("VerifyDump(%s) = %v, want %v", name, err, want)
		}
		if _, _, err := DecodeDump(p); err != want {
			t.Errorf("DecodeDump(%s) = %v, want %v", name, err, want)
		}
		if _, err := DecodeDumpValue(p); err != want {
			t.Errorf("DecodeDumpValue(%s) = %v, want %v", name, err, want)
		}
	}
	body := good[:len(good)-dumpFooterLen]
	f("nil", nil, ErrBadChecksum)
	f("9 bytes", good[len(good)-9:], ErrBadChecksum)
	for i := range good {
		bad := bytes.Clone(good)
		bad[i] ^= 0x10
		f("flipped byte", bad, ErrBadChecksum)
	}
	f("version 13", withFooter(body, 13), ErrBadChecksum)
	f("version 12", withFooter(body, 12), nil) // Redis 7.4's
	f("version 0xffff", withFooter(body, 0xffff), ErrBadChecksum)
	f("version 11", withFooter(body, 11), nil)
	f("version 10", withFooter(body, 10), nil)
	f("version 0", withFooter(body, 0), nil)

	// A zero CRC is not "no checksum" for DUMP payloads (Redis refuses it).
	zero := bytes.Clone(good)
	binary.LittleEndian.PutUint64(zero[len(zero)-8:], 0)
	f("zero CRC", zero, ErrBadChecksum)

	// A footer alone passes the check but holds no value.
	only := withFooter(nil, DumpRDBVersion)
	if err := VerifyDump(only); err != nil {
		t.Errorf("VerifyDump(footer only) = %v", err)
	}
	if _, _, err := DecodeDump(only); err != ErrBadFormat {
		t.Errorf("DecodeDump(footer only) = %v", err)
	}
	if _, err := DecodeDumpValue(only); err != ErrBadFormat {
		t.Errorf("DecodeDumpValue(footer only) = %v", err)
	}
}

func TestDecodeDumpTypes(t *testing.T) {
	f := func(name string, body []byte, wantType byte, want error) {
		t.Helper()
		typ, v, err := DecodeDump(withFooter(body, DumpRDBVersion))
		if typ != wantType || err != want || (err != nil && v != nil) {
			t.Errorf("%s: DecodeDump = %d, %q, %v; want type %d, %v", name, typ, v, err, wantType, want)
		}
	}
	f("set", []byte{TypeSet, 1, 1, 'a'}, TypeSet, ErrUnsupportedType)
	f("quicklist 2", []byte{TypeListQuicklist2}, TypeListQuicklist2, ErrUnsupportedType)
	f("stream 3", []byte{TypeStreamListpacks3}, TypeStreamListpacks3, ErrUnsupportedType)
	f("type 8", []byte{8, 0}, 8, ErrBadFormat)
	f("type 22 (RDB 12)", []byte{TypeHashMetadataPreGA, 0}, 22, ErrBadFormat)
	f("type 200", []byte{200, 0}, 200, ErrBadFormat)
	f("truncated string", []byte{TypeString, 5, 'a'}, TypeString, ErrBadFormat)
	// The value may not run on into the footer, even though the bytes are
	// there and Redis would read them.
	f("string into footer", []byte{TypeString, 4, 'a'}, TypeString, ErrBadFormat)
	// Bytes between the value and the footer are ignored, as RESTORE does.
	typ, v, err := DecodeDump(withFooter([]byte{TypeString, 1, 'a', 'x', 'y'}, DumpRDBVersion))
	if typ != TypeString || string(v) != "a" || err != nil {
		t.Errorf("trailing bytes: %d %q %v", typ, v, err)
	}
}

func BenchmarkDumpString(b *testing.B) {
	for _, n := range []int{16, 100, 4096} {
		val := bytes.Repeat([]byte("value-"), n/6+1)[:n]
		b.Run("", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(n))
			dst := make([]byte, 0, 2*n+32)
			for b.Loop() {
				DumpString(dst, val)
			}
		})
	}
}

func BenchmarkDecodeDump(b *testing.B) {
	p := DumpString(nil, bytes.Repeat([]byte("value-"), 100))
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		DecodeDump(p)
	}
}
