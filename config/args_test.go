package config

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitArgs(t *testing.T) {
	f := func(line string, want ...string) {
		t.Helper()
		got, err := splitArgs(line)
		if err != nil {
			t.Fatalf("splitArgs(%q): %v", line, err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("splitArgs(%q) = %q, want %q", line, got, want)
		}
	}
	f("")
	f("   \t ")
	f("a", "a")
	f("  set  key\tvalue \r\n", "set", "key", "value")
	f("a\vb", "a\vb")   // \v and \f separate only between arguments, like C isspace
	f("\va\fb", "a\fb") //
	f(`"hello world"`, "hello world")
	f(`"" x`, "", "x")
	f(`''`, "")
	f(`"a\nb\rc\td\be\af\\g\"h\x41\x4a\xzz\q"`, "a\nb\rc\td\be\af\\g\"hAJxzzq")
	f(`'it\'s' 'a\nb'`, "it's", `a\nb`)
	f(`key"quoted part" next`, "keyquoted part", "next")
	f(`a'b c'`, "ab c")
	f("a\x00b c", "a") // NUL ends the line, as in C
	f(`"\x"`, "x")     // an incomplete \x escape is an escaped 'x'

	bad := func(line string) {
		t.Helper()
		if got, err := splitArgs(line); err == nil {
			t.Errorf("splitArgs(%q) = %q, want an error", line, got)
		}
	}
	bad(`"abc`)
	bad(`'abc`)
	bad(`"abc"def`)
	bad(`'abc'def`)
	bad(`"abc\`)
}

func TestQuote(t *testing.T) {
	f := func(s, want string) {
		t.Helper()
		if got := Quote(s); got != want {
			t.Errorf("Quote(%q) = %s, want %s", s, got, want)
		}
	}
	f("", `""`)
	f("abc", `"abc"`)
	f("a b", `"a b"`)
	f("q\"b\\", `"q\"b\\"`)
	f("\n\r\t\a\b", `"\n\r\t\a\b"`)
	f("\x00\x7f\xff", `"\x00\x7f\xff"`)
}

func FuzzQuoteSplit(f *testing.F) {
	for _, s := range []string{"", "a", "a b", `"'\`, "\x00\xff\n", "#x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := splitArgs(Quote(s))
		if err != nil || len(got) != 1 || got[0] != s {
			t.Fatalf("splitArgs(Quote(%q)) = %q, %v", s, got, err)
		}
		// splitArgs never panics on anything.
		splitArgs(s)
	})
}

func TestSplitSpaces(t *testing.T) {
	f := func(s string, want ...string) {
		t.Helper()
		if got := splitSpaces(s); !slices.Equal(got, want) {
			t.Errorf("splitSpaces(%q) = %q, want %q", s, got, want)
		}
	}
	f("")
	f("a", "a")
	f("a b", "a", "b")
	f("a  b", "a", "", "b")
	f(" a", "", "a")
}

func TestParseMemory(t *testing.T) {
	// Checked against redis-server 7.0.15 with CONFIG SET maxmemory.
	f := func(s string, want int64) {
		t.Helper()
		got, err := ParseMemory(s)
		if err != nil || got != want {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	f("0", 0)
	f("", 0)
	f("k", 0)
	f("123", 123)
	f("00012", 12)
	f("1b", 1)
	f("100B", 100)
	f("1k", 1000)
	f("1K", 1000)
	f("1kb", 1024)
	f("1KB", 1024)
	f("1kB", 1024)
	f("1m", 1000000)
	f("1mb", 1<<20)
	f("512mb", 512<<20)
	f("1g", 1000000000)
	f("1gb", 1<<30)
	f("1Gb", 1<<30)
	f("8589934591gb", 8589934591<<30)
	f("9223372036854775807", 9223372036854775807)

	bad := func(s string) {
		t.Helper()
		if got, err := ParseMemory(s); err == nil {
			t.Errorf("ParseMemory(%q) = %d, want an error", s, got)
		}
	}
	bad("abc")
	bad("-1")
	bad("+1")
	bad(" 1")
	bad("1 ")
	bad("1 k")
	bad("1.5mb")
	bad("1tb")
	bad("0x10")
	bad("1kbb")
	bad("9223372036854775808")   // Redis wraps; we refuse
	bad("8589934592gb")          // overflows int64
	bad(strings.Repeat("9", 40)) //
}

func TestFormatMemory(t *testing.T) {
	f := func(n int64, want string) {
		t.Helper()
		if got := formatMemory(n); got != want {
			t.Errorf("formatMemory(%d) = %q, want %q", n, got, want)
		}
	}
	f(0, "0")
	f(1, "1")
	f(1000, "1000")
	f(1024, "1kb")
	f(1536, "1536")
	f(2048*1024, "2mb")
	f(3<<30, "3gb")
	f(1<<40, "1024gb")
	f(1<<20+1024, "1025kb")
}
