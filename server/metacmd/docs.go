package metacmd

import (
	"github.com/anaxdb/anax/server/cmdmeta"
	"github.com/anaxdb/anax/server/command"
)

// COMMAND DOCS: each command's documentation map, with the history, doc
// flags and argument tree of its metadata.

// cmdCommandDocs is COMMAND DOCS [name ...]: a map from each named
// command (unknown ones left out), or every command when none is named, to
// its docs.
func cmdCommandDocs(x *command.Exec) {
	t := tableOf(x)
	var list []*command.Spec
	if len(x.Args) == 2 {
		list = t.Commands()
	} else {
		for _, name := range x.Args[2:] {
			if c := lookupFull(t, name); c != nil {
				list = append(list, c)
			}
		}
	}
	x.Map(len(list))
	for _, c := range list {
		x.BulkString(c.Name)
		commandDocs(x, c)
	}
}

// commandDocs writes c's COMMAND DOCS map in Redis's order: summary,
// since, group, complexity, doc_flags, deprecated_since, replaced_by,
// history, arguments and subcommands, each when known.
func commandDocs(x *command.Exec, c *command.Spec) {
	group := c.Group
	if group == "" {
		group = "server"
	}
	m := c.Meta
	if m == nil {
		m = &cmdmeta.Command{}
	}
	n := 1
	for _, v := range []string{c.Summary, c.Since, c.Complexity, m.DeprecatedSince, m.ReplacedBy} {
		if v != "" {
			n++
		}
	}
	for _, l := range []int{len(c.Subcommands), len(m.DocFlags), len(m.History), len(m.Args)} {
		if l > 0 {
			n++
		}
	}
	x.Map(n)
	if c.Summary != "" {
		x.BulkString("summary")
		x.BulkString(c.Summary)
	}
	if c.Since != "" {
		x.BulkString("since")
		x.BulkString(c.Since)
	}
	x.BulkString("group")
	x.BulkString(group)
	if c.Complexity != "" {
		x.BulkString("complexity")
		x.BulkString(c.Complexity)
	}
	if len(m.DocFlags) > 0 {
		x.BulkString("doc_flags")
		x.Set(len(m.DocFlags))
		for _, f := range m.DocFlags {
			x.Simple(f)
		}
	}
	if m.DeprecatedSince != "" {
		x.BulkString("deprecated_since")
		x.BulkString(m.DeprecatedSince)
	}
	if m.ReplacedBy != "" {
		x.BulkString("replaced_by")
		x.BulkString(m.ReplacedBy)
	}
	if len(m.History) > 0 {
		x.BulkString("history")
		x.Set(len(m.History)) // a set in RESP3, as Redis writes it
		for _, h := range m.History {
			x.Array(2)
			x.BulkString(h.Version)
			x.BulkString(h.Text)
		}
	}
	if len(m.Args) > 0 {
		x.BulkString("arguments")
		commandArgs(x, m.Args)
	}
	if len(c.Subcommands) > 0 {
		x.BulkString("subcommands")
		x.Map(len(c.Subcommands))
		for _, sub := range c.Subcommands {
			x.BulkString(sub.Name)
			commandDocs(x, sub)
		}
	}
}

// commandArgs writes an argument tree as Redis's addReplyCommandArgList.
func commandArgs(x *command.Exec, args []cmdmeta.Arg) {
	x.Array(len(args))
	for i := range args {
		a := &args[i]
		n := 2
		for _, v := range []string{a.DisplayText, a.Token, a.Summary, a.Since, a.DeprecatedSince} {
			if v != "" {
				n++
			}
		}
		hasFlags := a.Optional || a.Multiple || a.MultipleToken
		for _, ok := range []bool{a.KeySpecIndex >= 0, hasFlags, a.HasArgs()} {
			if ok {
				n++
			}
		}
		x.Map(n)
		x.BulkString("name")
		x.BulkString(a.Name)
		x.BulkString("type")
		x.BulkString(a.Type)
		str := func(k, v string) {
			if v != "" {
				x.BulkString(k)
				x.BulkString(v)
			}
		}
		str("display_text", a.DisplayText)
		if a.KeySpecIndex >= 0 {
			x.BulkString("key_spec_index")
			x.Int(int64(a.KeySpecIndex))
		}
		str("token", a.Token)
		str("summary", a.Summary)
		str("since", a.Since)
		str("deprecated_since", a.DeprecatedSince)
		if hasFlags {
			x.BulkString("flags")
			flags := [3]string{}
			k := 0
			for _, f := range []struct {
				on   bool
				name string
			}{{a.Optional, "optional"}, {a.Multiple, "multiple"}, {a.MultipleToken, "multiple_token"}} {
				if f.on {
					flags[k] = f.name
					k++
				}
			}
			x.Set(k)
			for _, f := range flags[:k] {
				x.Simple(f)
			}
		}
		if a.HasArgs() {
			x.BulkString("arguments")
			commandArgs(x, a.Args)
		}
	}
}
