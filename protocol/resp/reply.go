package resp

// ReplyLen returns the length in bytes of the first complete RESP2/RESP3
// value in b, or -1 when b does not start with one. It is meant for replies
// the server wrote itself (to cut a reply captured from one shard into
// items), not for untrusted input: lengths are trusted as written.
func ReplyLen(b []byte) int {
	if len(b) < 3 {
		return -1
	}
	line := -1
	for i := 1; i+1 < len(b); i++ {
		if b[i] == '\r' && b[i+1] == '\n' {
			line = i
			break
		}
	}
	if line < 0 {
		return -1
	}
	head := line + 2
	switch b[0] {
	case '+', '-', ':', '_', '#', ',', '(':
		return head
	case '$', '=', '!':
		n, ok := parseLen(b[1:line])
		if !ok {
			return -1
		}
		if n < 0 {
			return head
		}
		end := head + int(n) + 2
		if end > len(b) {
			return -1
		}
		return end
	case '*', '~', '>', '%', '|':
		n, ok := parseLen(b[1:line])
		if !ok {
			return -1
		}
		if n < 0 {
			return head
		}
		if b[0] == '%' || b[0] == '|' {
			n *= 2
		}
		off := head
		for i := int64(0); i < n; i++ {
			l := ReplyLen(b[off:])
			if l < 0 {
				return -1
			}
			off += l
		}
		return off
	}
	return -1
}
