package server

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/anaxdb/anax/server/cmdmeta"
	"github.com/anaxdb/anax/server/command"
)

// TestCommandTableAgreesWithMetadata checks that every command and
// subcommand has an entry in the command metadata, that every entry is a
// command Anax implements, and that the table's arity, group, since and
// flags (those it models) agree with the entry's.
func TestCommandTableAgreesWithMetadata(t *testing.T) {
	s := newBareServer(t, "1")
	var errs []string
	table := map[string]bool{}
	check := func(c *command.Spec) {
		table[c.Name] = true
		m := c.Meta
		if m == nil {
			errs = append(errs, c.Name+": no metadata")
			return
		}
		group := c.Group
		if group == "" {
			group = "server"
		}
		if c.Arity != m.Arity || group != m.Group || c.Since != m.Since {
			errs = append(errs, fmt.Sprintf("%s: table arity %d group %s since %s, metadata %d %s %s",
				c.Name, c.Arity, group, c.Since, m.Arity, m.Group, m.Since))
		}
		for _, f := range []struct {
			bit  int
			name string
		}{
			{command.FlagWrite, "write"}, {command.FlagReadOnly, "readonly"}, {command.FlagDenyOOM, "denyoom"}, {command.FlagAdmin, "admin"},
			{command.FlagNoScript, "noscript"}, {command.FlagBlocking, "blocking"}, {command.FlagLoading, "loading"},
			{command.FlagStale, "stale"}, {command.FlagFast, "fast"}, {command.FlagNoAuth, "no_auth"}, {command.FlagNoMulti, "no_multi"},
		} {
			if table, data := c.Flags&f.bit != 0, slices.Contains(m.Flags, f.name); table != data {
				errs = append(errs, fmt.Sprintf("%s: flag %s: table %v, metadata %v", c.Name, f.name, table, data))
			}
		}
	}
	for _, c := range s.cmdList {
		check(c)
		for _, sub := range c.Subcommands {
			check(sub)
		}
	}
	for _, m := range cmdmeta.All() {
		if !table[m.Name] {
			errs = append(errs, m.Name+": in the metadata, not in the command table")
		}
	}
	if len(errs) > 0 {
		t.Errorf("%d disagreements:\n%s", len(errs), strings.Join(errs, "\n"))
	}
}
