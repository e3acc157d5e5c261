package metacmd

import (
	"bytes"
	"slices"

	"github.com/anaxdb/anax/server/cmdmeta"
	"github.com/anaxdb/anax/server/command"
)

// keyRef is one key of a command line as COMMAND GETKEYSANDFLAGS reports
// it: its position in the arguments (the command name at 0) and its flags.
type keyRef struct {
	pos   int
	flags []string
}

// keysFromSpecs finds the keys of a command line args (args[0] the command
// name) from c's key specs, as Redis's getKeysUsingKeySpecs does: each
// spec's begin search (an index, or a keyword searched for from a start
// position) and its find-keys rule (a range, or a count of keys read from
// an argument). A spec whose keyword is absent gives no key. ok is false
// when a spec cannot say (unknown or incomplete) or the line contradicts
// it (a count that is not a number, keys past the end): with partial, the
// keys of the other specs are still returned. Specs of things that are not
// keys are skipped.
func keysFromSpecs(specs []cmdmeta.KeySpec, args [][]byte, partial bool) (keys []keyRef, ok bool) {
	argc := len(args)
	ok = true
	for i := range specs {
		sp := &specs[i]
		if slices.Contains(sp.Flags, "not_key") {
			continue
		}
		first := 0
		switch sp.Begin {
		case cmdmeta.BeginIndex:
			first = sp.Index
		case cmdmeta.BeginKeyword:
			start, end := sp.StartFrom, 1
			if sp.StartFrom > 0 {
				end = argc - 1
			} else {
				start = argc + sp.StartFrom
			}
			for j := start; j != end; {
				if j >= argc || j < 1 {
					break
				}
				if bytes.EqualFold(args[j], []byte(sp.Keyword)) {
					first = j + 1
					break
				}
				if start <= end {
					j++
				} else {
					j--
				}
			}
			if first == 0 {
				continue // keyword absent: no key from this spec
			}
		default:
			if !partial {
				return nil, false
			}
			ok = false
			continue
		}
		var last, step int
		switch sp.Find {
		case cmdmeta.FindRange:
			step = sp.KeyStep
			switch {
			case sp.LastKey >= 0:
				last = first + sp.LastKey
			case sp.Limit == 0:
				last = argc + sp.LastKey
			default:
				last = first + ((argc-first)/sp.Limit + sp.LastKey)
			}
		case cmdmeta.FindKeynum:
			step = sp.KeyStep
			if first+sp.KeyNumIdx >= argc {
				if !partial {
					return nil, false
				}
				ok = false
				continue
			}
			n, isInt := command.ParseInt(args[first+sp.KeyNumIdx])
			if !isInt || n < 0 || n > int64(argc) {
				if !partial {
					return nil, false
				}
				ok = false
				continue
			}
			first += sp.FirstKey
			last = first + int(n) - 1
		default:
			if !partial {
				return nil, false
			}
			ok = false
			continue
		}
		if last >= argc || last < first || first >= argc {
			if !partial {
				return nil, false
			}
			ok = false
			continue
		}
		if step <= 0 {
			step = 1
		}
		for j := first; j <= last; j += step {
			keys = append(keys, keyRef{pos: j, flags: sp.Flags})
		}
		if slices.Contains(sp.Flags, "incomplete") {
			ok = false
		}
		if !ok && !partial {
			return nil, false
		}
	}
	return keys, ok
}

// variableKeyFlags resolves the flags of the commands whose key specs say
// variable_flags, as Redis's setGetKeys and bitfieldGetKeys do: SET writes
// its key over unless GET reads it first; BITFIELD only reads unless it
// has a SET or INCRBY operation.
func variableKeyFlags(name string, args [][]byte) []string {
	switch name {
	case "set":
		for _, a := range args[min(3, len(args)):] {
			if command.EqFold(a, "get") {
				return []string{"RW", "access", "update"}
			}
		}
		return []string{"OW", "update"}
	case "bitfield":
		for i := 2; i < len(args); i++ {
			rem := len(args) - i - 1
			switch {
			case command.EqFold(args[i], "get") && rem >= 2:
				i += 2
			case (command.EqFold(args[i], "set") || command.EqFold(args[i], "incrby")) && rem >= 3:
				return []string{"RW", "access", "update"}
			case command.EqFold(args[i], "overflow") && rem >= 1:
				i++
			}
		}
		return []string{"RO", "access"}
	}
	return nil
}

// commandKeys finds the keys of a command line for COMMAND GETKEYS and
// GETKEYSANDFLAGS, as Redis's getKeysFromCommandWithSpecs: from the key
// specs when they are complete and their flags fixed; otherwise the
// command's own key finder gives the positions (Spec.KeyIndexes), with the
// flags of the spec that found a position, or else of the last spec that
// could not say (SORT's: its STORE key, OW and update, as Redis's
// sortGetKeys reports it; its BY and GET patterns name no key here). No key (a spec the line contradicts, a finder that finds none)
// is Redis's "Invalid arguments".
func commandKeys(c *command.Spec, args [][]byte) []keyRef {
	var specs []cmdmeta.KeySpec
	if c.Meta != nil {
		specs = c.Meta.KeySpecs
	}
	variable := false
	for i := range specs {
		variable = variable || slices.Contains(specs[i].Flags, "variable_flags")
	}
	if len(specs) > 0 && !variable {
		if keys, ok := keysFromSpecs(specs, args, false); ok {
			return keys
		}
		if !undecidable(specs) {
			return nil // the line contradicts a spec (Redis's procedures refuse it too)
		}
	}
	idx := c.KeyIndexes(args, nil)
	if len(idx) == 0 {
		return nil
	}
	if variable {
		if flags := variableKeyFlags(c.Name, args); flags != nil {
			keys := make([]keyRef, len(idx))
			for i, p := range idx {
				keys[i] = keyRef{p, flags}
			}
			return keys
		}
	}
	found, _ := keysFromSpecs(specs, args, true)
	fallback := keyFlagNames(c)
	for i := range specs {
		if undecidable(specs[i : i+1]) {
			fallback = withoutSpecOnly(specs[i].Flags) // the last such spec
		}
	}
	keys := make([]keyRef, 0, len(idx))
	for _, p := range idx {
		k := keyRef{p, fallback}
		for _, f := range found {
			if f.pos == p {
				k.flags = withoutSpecOnly(f.flags)
				break
			}
		}
		keys = append(keys, k)
	}
	return keys
}

// withoutSpecOnly drops the flags that describe a key spec rather than a
// key (incomplete, variable_flags), which Redis's getkeys procedures do
// not report for a key.
func withoutSpecOnly(flags []string) []string {
	if !slices.Contains(flags, "incomplete") && !slices.Contains(flags, "variable_flags") {
		return flags
	}
	out := make([]string, 0, len(flags))
	for _, f := range flags {
		if f != "incomplete" && f != "variable_flags" {
			out = append(out, f)
		}
	}
	return out
}

// undecidable reports whether some spec cannot find its keys alone: its
// begin search or find-keys rule is unknown, or it is incomplete.
func undecidable(specs []cmdmeta.KeySpec) bool {
	for i := range specs {
		if specs[i].Begin == cmdmeta.BeginUnknown || specs[i].Find == cmdmeta.FindUnknown || slices.Contains(specs[i].Flags, "incomplete") {
			return true
		}
	}
	return false
}
