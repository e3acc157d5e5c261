package console

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestAppendCommand(t *testing.T) {
	got := string(AppendCommand([]byte("x"), "SET", "k", ""))
	if got != "x*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n" {
		t.Fatalf("AppendCommand = %q", got)
	}
}

func TestReplyReader(t *testing.T) {
	// f reads in as one reply and compares it with want.
	f := func(in string, want Reply) {
		t.Helper()
		rr := NewReplyReader(strings.NewReader(in + "+next\r\n"))
		got, err := rr.Read()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("Read(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if next, err := rr.Read(); err != nil || next.Str != "next" {
			t.Fatalf("Read(%q) read past its reply: then %+v, %v", in, next, err)
		}
	}
	f("+OK\r\n", Reply{Kind: Simple, Str: "OK"})
	f("+OK\n", Reply{Kind: Simple, Str: "OK"})
	f("-ERR no\r\n", Reply{Kind: Error, Str: "ERR no"})
	f(":-42\r\n", Reply{Kind: Integer, Int: -42})
	f("_\r\n", Reply{Kind: Null})
	f("$-1\r\n", Reply{Kind: Null})
	f("*-1\r\n", Reply{Kind: Null})
	f(",3.5\r\n", Reply{Kind: Double, Str: "3.5"})
	f("#t\r\n", Reply{Kind: Bool, Int: 1})
	f("#f\r\n", Reply{Kind: Bool})
	f("(123456789012345678901234567890\r\n", Reply{Kind: BigNum, Str: "123456789012345678901234567890"})
	f("$4\r\na\r\nb\r\n", Reply{Kind: Bulk, Str: "a\r\nb"}) // a payload is read by its length
	f("$0\r\n\r\n", Reply{Kind: Bulk, Str: ""})
	f("=8\r\ntxt:abcd\r\n", Reply{Kind: Verbatim, Str: "abcd"})
	f("!5\r\nERR x\r\n", Reply{Kind: Error, Str: "ERR x"})
	f("*0\r\n", Reply{Kind: Array, Elems: []Reply{}})
	f("*2\r\n:1\r\n*1\r\n$1\r\na\r\n", Reply{Kind: Array, Elems: []Reply{{Kind: Integer, Int: 1},
		{Kind: Array, Elems: []Reply{{Kind: Bulk, Str: "a"}}}}})
	f("~1\r\n+a\r\n", Reply{Kind: Set, Elems: []Reply{{Kind: Simple, Str: "a"}}})
	f(">1\r\n+a\r\n", Reply{Kind: Push, Elems: []Reply{{Kind: Simple, Str: "a"}}})
	f("%1\r\n+k\r\n:1\r\n", Reply{Kind: Map, Elems: []Reply{{Kind: Simple, Str: "k"}, {Kind: Integer, Int: 1}}})
	f("|1\r\n+ttl\r\n:3\r\n+OK\r\n", Reply{Kind: Simple, Str: "OK"}) // attributes are dropped
}

func TestReplyReaderErrors(t *testing.T) {
	// f reads in and wants an error containing want.
	f := func(in, want string) {
		t.Helper()
		_, err := NewReplyReader(strings.NewReader(in)).Read()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("Read(%q) = %v; want an error with %q", in, err, want)
		}
	}
	f("", "cannot read the reply")
	f("\r\n", "empty reply line")
	f("?x\r\n", "unexpected reply")
	f(":x\r\n", "bad integer")
	f("$x\r\n", "bad length")
	f("*x\r\n", "bad length")
	f(strings.Repeat("*1\r\n", maxReplyDepth+2)+":1\r\n", "nested too deeply")

	tooLarge := func(in string) {
		t.Helper()
		if _, err := NewReplyReader(strings.NewReader(in)).Read(); !errors.Is(err, ErrReplyTooLarge) {
			t.Fatalf("Read(%q...) = %v; want ErrReplyTooLarge", in[:min(len(in), 20)], err)
		}
	}
	tooLarge("+unterminated")
	tooLarge("$5\r\nab")                                      // the connection ends inside the payload
	tooLarge("$16777217\r\n")                                 // over MaxReply
	tooLarge("*4611686018427387904\r\n")                      // over MaxReply elements
	tooLarge("%4611686018427387904\r\n")                      // would overflow when doubled
	tooLarge("$16777210\r\n" + strings.Repeat("a", MaxReply)) // the reader stops at MaxReply bytes
}
