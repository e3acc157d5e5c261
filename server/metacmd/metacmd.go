// Package metacmd is COMMAND, Redis 7's command introspection (server.c):
// COMMAND, COMMAND COUNT, LIST, INFO, DOCS, GETKEYS, GETKEYSANDFLAGS and
// HELP.
//
// Its replies are built from two sources. The command table, which the
// server owns and lends through Table, gives each command's name, arity,
// legacy key range, group and docs text. The command metadata
// (server/cmdmeta, set on each Spec as Spec.Meta when the server registers
// it) gives the flags, ACL categories and key specs COMMAND INFO shows and
// the history, doc flags and argument tree of COMMAND DOCS. The command
// tips come from redisTips (info.go). A command the metadata lacks (none
// today; a test of package server keeps it so) is described from the table
// alone, with flags, categories and a key spec derived from the Spec.
//
// Like every family, metacmd imports server/command and server/cmdmeta and
// never package server: the table reaches it as the Env a command runs
// with, which the server implements (server/env_metacmd.go).
package metacmd

import (
	"slices"
	"strings"

	"github.com/anaxdb/anax/internal/glob"
	"github.com/anaxdb/anax/server/command"
)

// Table is the command table as COMMAND reads it. The server's Env
// implements it; it is not part of command.Env because only this family
// needs it. Both methods are safe on any goroutine once the server runs:
// the table is built before the first command and never changes.
type Table interface {
	// Commands returns every top-level command, sorted by name. The caller
	// must not modify the slice.
	Commands() []*command.Spec
	// LookupCommand returns the top-level command called name
	// (case-insensitive), or nil.
	LookupCommand(name []byte) *command.Spec
}

// tableOf returns the command table of the server x runs in.
func tableOf(x *command.Exec) Table {
	t, ok := x.Env.(Table)
	if !ok {
		panic("BUG: metacmd: the command environment has no command table (metacmd.Table)")
	}
	return t
}

// Commands returns the family's command specs: COMMAND and its
// subcommands.
func Commands() []*command.Spec {
	const f = command.FlagLoading | command.FlagStale
	conn := []string{"connection"}
	sub := func(name string, arity int, run func(*command.Exec), since, summary, complexity string) *command.Spec {
		return &command.Spec{Name: "command|" + name, Arity: arity, Flags: f, Run: run, Categories: conn, Group: "server", Since: since, Summary: summary, Complexity: complexity}
	}
	return []*command.Spec{{Name: "command", Arity: -1, Flags: command.FlagLoop | f, Run: cmdCommand, Categories: conn, Group: "server", Summary: "Returns detailed information about all commands.", Since: "2.8.13", Complexity: "O(N) where N is the total number of Redis commands",
		Subcommands: []*command.Spec{
			sub("count", 2, cmdCommandCount, "2.8.13", "Returns a count of commands.", "O(1)"),
			sub("info", -2, cmdCommandInfo, "2.8.13", "Returns information about one, multiple or all commands.", "O(N) where N is the number of commands to look up"),
			sub("docs", -2, cmdCommandDocs, "7.0.0", "Returns documentary information about one, multiple or all commands.", "O(N) where N is the number of commands to look up"),
			sub("list", -2, cmdCommandList, "7.0.0", "Returns a list of command names.", "O(N) where N is the total number of Redis commands"),
			sub("getkeys", -3, cmdCommandGetKeys, "2.8.13", "Extracts the key names from an arbitrary command.", "O(N) where N is the number of arguments to the command"),
			sub("getkeysandflags", -3, cmdCommandGetKeysAndFlags, "7.0.0", "Extracts the key names and access flags for an arbitrary command.", "O(N) where N is the number of arguments to the command"),
			sub("help", 2, cmdCommandHelp, "5.0.0", "Returns helpful text about the different subcommands.", "O(1)"),
		}}}
}

// cmdCommand is COMMAND: with no argument, every command's info; else a
// subcommand.
func cmdCommand(x *command.Exec) {
	if len(x.Args) > 1 {
		command.RunSubcommand(x)
		return
	}
	all := tableOf(x).Commands()
	x.Array(len(all))
	for _, c := range all {
		commandInfo(x, c)
	}
}

// lookupFull finds a command by name, or a subcommand by its full name
// ("client|list"), case-insensitively; nil when there is none.
func lookupFull(t Table, name []byte) *command.Spec {
	for i, ch := range name {
		if ch == '|' {
			c := t.LookupCommand(name[:i])
			if c == nil {
				return nil
			}
			return c.Subcommand(name[i+1:])
		}
	}
	return t.LookupCommand(name)
}

func cmdCommandCount(x *command.Exec) { x.Int(int64(len(tableOf(x).Commands()))) }

// cmdCommandList is COMMAND LIST [FILTERBY MODULE name | ACLCAT cat |
// PATTERN pattern]: every command and subcommand name that passes.
func cmdCommandList(x *command.Exec) {
	var keep func(c *command.Spec) bool
	for i := 2; i < len(x.Args); i++ {
		if !command.EqFold(x.Args[i], "filterby") || len(x.Args)-1-i != 2 {
			x.Fail(command.ErrSyntax)
			return
		}
		arg := string(x.Args[i+2])
		switch kind := x.Args[i+1]; {
		case command.EqFold(kind, "module"):
			keep = func(*command.Spec) bool { return false } // no modules
		case command.EqFold(kind, "aclcat"):
			keep = func(c *command.Spec) bool {
				for _, cat := range categories(c) {
					if strings.EqualFold(cat, arg) {
						return true
					}
				}
				return false
			}
		case command.EqFold(kind, "pattern"):
			keep = func(c *command.Spec) bool {
				return glob.MatchString(arg, c.Name, true)
			}
		default:
			x.Fail(command.ErrSyntax)
			return
		}
		i += 2
	}
	var names []string
	for _, c := range tableOf(x).Commands() {
		if keep == nil || keep(c) {
			names = append(names, c.Name)
		}
		for _, sub := range c.Subcommands {
			if keep == nil || keep(sub) {
				names = append(names, sub.Name)
			}
		}
	}
	x.Array(len(names))
	for _, n := range names {
		x.BulkString(n)
	}
}

func cmdCommandGetKeys(x *command.Exec)         { getKeys(x, false) }
func cmdCommandGetKeysAndFlags(x *command.Exec) { getKeys(x, true) }

// getKeys implements COMMAND GETKEYS / GETKEYSANDFLAGS <command> [arg ...].
func getKeys(x *command.Exec, withFlags bool) {
	args := x.Args[2:]
	c := tableOf(x).LookupCommand(args[0])
	if c != nil && len(c.Subcommands) > 0 && len(args) >= 2 {
		c = c.Subcommand(args[1])
	}
	switch {
	case c == nil:
		x.Err("ERR Invalid command specified")
		return
	case c.FirstKey == 0 && (c.Keys == nil || len(c.Subcommands) > 0):
		x.Err("ERR The command has no key arguments")
		return
	case !c.ArityOK(len(args)):
		x.Err("ERR Invalid number of arguments specified for command")
		return
	}
	keys := commandKeys(c, args)
	if len(keys) == 0 {
		if c.Meta != nil && slices.Contains(c.Meta.Flags, "no_mandatory_keys") {
			x.Array(0) // EVAL with no key, say
			return
		}
		x.Err("ERR Invalid arguments specified for command")
		return
	}
	x.Array(len(keys))
	for _, k := range keys {
		if !withFlags {
			x.Bulk(args[k.pos])
			continue
		}
		x.Array(2)
		x.Bulk(args[k.pos])
		x.Set(len(k.flags))
		for _, f := range k.flags {
			x.Simple(f)
		}
	}
}

func cmdCommandHelp(x *command.Exec) {
	x.ReplyHelp([]string{
		"(no subcommand)",
		"    Return details about all Redis commands.",
		"COUNT",
		"    Return the total number of commands in this Redis server.",
		"LIST",
		"    Return a list of all commands in this Redis server.",
		"INFO [<command-name> ...]",
		"    Return details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"DOCS [<command-name> ...]",
		"    Return documentation details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"GETKEYS <full-command>",
		"    Return the keys from a full Redis command.",
		"GETKEYSANDFLAGS <full-command>",
		"    Return the keys and the access flags from a full Redis command.",
	})
}
