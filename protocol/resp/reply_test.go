package resp

import "testing"

func TestReplyLen(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"+OK\r\nrest", 5},
		{"$3\r\nfoo\r\n:1\r\n", 9},
		{"$-1\r\n", 5},
		{"_\r\n", 3},
		{"*2\r\n$1\r\na\r\n:5\r\nX", 15},
		{"*-1\r\n", 5},
		{"%1\r\n+a\r\n+b\r\n", 12},
		{"*1\r\n*1\r\n+x\r\n", 12},
		{"$5\r\nab", -1},
		{"*2\r\n+a\r\n", -1},
		{"", -1},
	} {
		if got := ReplyLen([]byte(tc.in)); got != tc.want {
			t.Errorf("ReplyLen(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
