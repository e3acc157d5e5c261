package server

import (
	"sort"

	"github.com/anaxdb/anax/server/bitcmd"
	"github.com/anaxdb/anax/server/clientcmd"
	"github.com/anaxdb/anax/server/cmdmeta"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/server/debugcmd"
	"github.com/anaxdb/anax/server/geocmd"
	"github.com/anaxdb/anax/server/hashcmd"
	"github.com/anaxdb/anax/server/infocmd"
	"github.com/anaxdb/anax/server/keycmd"
	"github.com/anaxdb/anax/server/listcmd"
	"github.com/anaxdb/anax/server/metacmd"
	"github.com/anaxdb/anax/server/pubsubcmd"
	"github.com/anaxdb/anax/server/servercmd"
	"github.com/anaxdb/anax/server/setcmd"
	"github.com/anaxdb/anax/server/slowlog"
	"github.com/anaxdb/anax/server/sortcmd"
	"github.com/anaxdb/anax/server/strcmd"
	"github.com/anaxdb/anax/server/streamcmd"
	"github.com/anaxdb/anax/server/zsetcmd"
)

// The registry: every command family, listed once. A family is a package
// that returns its command specs (server/command is their contract); the
// server's own commands (connection, transactions, server, monitoring) are
// methods of Server.

// registerAll builds the command table from every family's list.
func (s *Server) registerAll(loops int) {
	s.commands = map[string]*command.Spec{}
	var all []*command.Spec
	all = append(all, s.connectionCommands()...)
	all = append(all, strcmd.Commands()...)
	all = append(all, keycmd.Commands()...)
	all = append(all, hashcmd.Commands()...)
	all = append(all, listcmd.Commands()...)
	all = append(all, sortcmd.Commands()...)
	all = append(all, setcmd.Commands()...)
	all = append(all, zsetcmd.Commands()...)
	all = append(all, streamcmd.Commands()...)
	all = append(all, geocmd.Commands()...)
	all = append(all, bitcmd.Commands()...)
	all = append(all, s.multiCommands()...)
	all = append(all, s.persistSpecs()...)
	all = append(all, clientcmd.Commands()...)
	all = append(all, metacmd.Commands()...)
	all = append(all, slowlog.Commands()...)
	all = append(all, infocmd.Commands()...)
	all = append(all, servercmd.Commands()...)
	all = append(all, debugcmd.Commands()...)
	all = append(all, s.scriptCommands(loops)...)
	all = append(all, pubsubcmd.Commands()...)
	all = append(all, s.monitorCommands()...)
	s.pubsub = pubsubcmd.NewHub(loops)
	for _, c := range all {
		s.addCommand(c, loops)
	}
	sort.Slice(s.cmdList, func(i, j int) bool { return s.cmdList[i].Name < s.cmdList[j].Name })
}

func (s *Server) addCommand(c *command.Spec, loops int) {
	if _, dup := s.commands[c.Name]; dup {
		panic("BUG: command registered twice: " + c.Name)
	}
	c.Stats = make([]command.Stat, loops)
	c.Meta = cmdmeta.Lookup(c.Name)
	for _, sub := range c.Subcommands {
		sub.Stats = make([]command.Stat, loops)
		sub.Meta = cmdmeta.Lookup(sub.Name)
	}
	s.commands[c.Name] = c
	s.cmdList = append(s.cmdList, c)
	if n := len(c.Name); n <= maxCommandName && c.Name[0] >= 'a' && c.Name[0] <= 'z' {
		s.cmdIndex[n][c.Name[0]-'a'] = append(s.cmdIndex[n][c.Name[0]-'a'], c)
	}
}

// maxCommandName is the longest command name the fast index holds.
const maxCommandName = 32
