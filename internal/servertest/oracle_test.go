package servertest

import (
	"slices"
	"testing"
)

func TestSortedElements(t *testing.T) {
	for _, tc := range []struct {
		reply string
		scan  bool
		want  string
	}{
		{"*3\r\n$1\r\nz\r\n$1\r\n3\r\n$1\r\na\r\n", false, "*3\r\n$1\r\n3\r\n$1\r\na\r\n$1\r\nz\r\n"},
		{"~2\r\n$1\r\nb\r\n$1\r\na\r\n", false, "~2\r\n$1\r\na\r\n$1\r\nb\r\n"},
		{"*2\r\n$1\r\n0\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n", true, "*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$1\r\nx\r\n"},
		{"*0\r\n", false, "*0\r\n"},
		{":3\r\n", false, ":3\r\n"},
		{"-ERR x\r\n", true, "-ERR x\r\n"},
	} {
		if got := SortedElements(t, tc.reply, tc.scan); got != tc.want {
			t.Errorf("SortedElements(%q, %v) = %q, want %q", tc.reply, tc.scan, got, tc.want)
		}
	}
}

func TestUnmark(t *testing.T) {
	for _, tc := range []struct {
		line   []string
		cmd    []string
		marker string
	}{
		{[]string{"SADD", "k", "a"}, []string{"SADD", "k", "a"}, ""},
		{Only72("OBJECT", "ENCODING", "k"), []string{"OBJECT", "ENCODING", "k"}, only72},
		{Unordered70("SMEMBERS", "k"), []string{"SMEMBERS", "k"}, unordered70},
		{AnaxOnly70("CONFIG", "SET", "x", "1"), []string{"CONFIG", "SET", "x", "1"}, anaxOnly70},
	} {
		if cmd, m := Unmark(tc.line); !slices.Equal(cmd, tc.cmd) || m != tc.marker {
			t.Errorf("Unmark(%q) = %q, %q", tc.line, cmd, m)
		}
	}
	if !is70("7.0.15") || is70("7.2.4") || is70("8.0.0") {
		t.Error("is70")
	}
}
