package command

import "strings"

// EqFold reports whether b equals the lowercase word s, ignoring ASCII case.
func EqFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// SanitizeError replaces newlines, which would break the protocol.
func SanitizeError(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	}
	return s
}

// TruncArg returns b as a string of at most n bytes.
func TruncArg(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}

// ReplyHelp writes a HELP reply as Redis's addReplyHelp does: a header
// naming the command, the lines, then the HELP entry.
func (x *Exec) ReplyHelp(lines []string) {
	x.Array(len(lines) + 3)
	x.Simple(strings.ToUpper(string(x.Args[0])) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		x.Simple(l)
	}
	x.Simple("HELP")
	x.Simple("    Prints this help.")
}

// ErrSubcommandSyntax writes Redis's addReplySubcommandSyntaxError, used by
// commands that parse their own subcommands (DEBUG).
func (x *Exec) ErrSubcommandSyntax() {
	x.Err(SanitizeError("ERR unknown subcommand or wrong number of arguments for '" + TruncArg(x.Args[1], 128) + "'. Try " + strings.ToUpper(string(x.Args[0])) + " HELP."))
}
