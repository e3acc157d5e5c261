package server

import (
	"sort"

	"github.com/anaxdb/anax/server/cmdmeta"
)

// registerAll builds the command table from every family's list.
func (s *Server) registerAll(loops int) {
	s.commands = map[string]*Command{}
	var all []*Command
	all = append(all, s.connectionCommands()...)
	all = append(all, s.stringCommands()...)
	all = append(all, s.keyCommands()...)
	all = append(all, s.multiCommands()...)
	all = append(all, s.serverCommands()...)
	all = append(all, s.monitorCommands()...)
	for _, c := range all {
		s.addCommand(c, loops)
	}
	sort.Slice(s.cmdList, func(i, j int) bool { return s.cmdList[i].Name < s.cmdList[j].Name })
}

func (s *Server) addCommand(c *Command, loops int) {
	if _, dup := s.commands[c.Name]; dup {
		panic("BUG: command registered twice: " + c.Name)
	}
	c.stats = make([]cmdStat, loops)
	c.meta = cmdmeta.Lookup(c.Name)
	for _, sub := range c.Subcommands {
		sub.stats = make([]cmdStat, loops)
		sub.meta = cmdmeta.Lookup(sub.Name)
	}
	s.commands[c.Name] = c
	s.cmdList = append(s.cmdList, c)
	if n := len(c.Name); n <= maxCommandName && c.Name[0] >= 'a' && c.Name[0] <= 'z' {
		s.cmdIndex[n][c.Name[0]-'a'] = append(s.cmdIndex[n][c.Name[0]-'a'], c)
	}
}

// maxCommandName is the longest command name the fast index holds.
const maxCommandName = 32
