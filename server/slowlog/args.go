package slowlog

import (
	"strconv"
	"strings"

	"github.com/anaxdb/anax/config"
	"github.com/anaxdb/anax/server/command"
)

// entryArgs copies args as Redis's slowlogCreateEntry does: at most
// MaxArgs arguments (the last one saying how many more there were), each
// cut at 128 bytes, secrets redacted. argc is the command's number of
// arguments, of which args holds the first (all, or MaxArgs at least).
func entryArgs(args [][]byte, argc int) []string {
	n := min(argc, MaxArgs)
	out := make([]string, n)
	redact := redactedArgs(args)
	for i := 0; i < n; i++ {
		if i == MaxArgs-1 && argc > MaxArgs {
			out[i] = "... (" + strconv.Itoa(argc-MaxArgs+1) + " more arguments)"
			break
		}
		a := args[i]
		switch {
		case redact(i):
			out[i] = "(redacted)"
		case len(a) > maxArgBytes:
			out[i] = string(a[:maxArgBytes]) + "... (" + strconv.Itoa(len(a)-maxArgBytes) + " more bytes)"
		default:
			out[i] = string(a)
		}
	}
	return out
}

// redactedArgs returns which arguments of a command hold secrets.
func redactedArgs(args [][]byte) func(i int) bool {
	none := func(int) bool { return false }
	if len(args) == 0 {
		return none
	}
	switch {
	case command.EqFold(args[0], "auth"):
		return func(i int) bool { return i > 0 }
	case command.EqFold(args[0], "hello"):
		for j := 2; j+2 < len(args); j++ {
			if command.EqFold(args[j], "auth") {
				return func(i int) bool { return i == j+1 || i == j+2 }
			}
		}
	case command.EqFold(args[0], "config") && len(args) > 1 && command.EqFold(args[1], "set"):
		return func(i int) bool {
			return i >= 3 && i%2 == 1 && config.Sensitive(strings.ToLower(string(args[i-1])))
		}
	case command.EqFold(args[0], "migrate"):
		secret := map[int]bool{}
		for j := 6; j < len(args); j++ {
			switch {
			case command.EqFold(args[j], "auth") && j+1 < len(args):
				secret[j+1] = true
			case command.EqFold(args[j], "auth2") && j+2 < len(args):
				secret[j+1], secret[j+2] = true, true
			}
		}
		return func(i int) bool { return secret[i] }
	}
	return none
}
