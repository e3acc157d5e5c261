package server

import (
	"strings"

	"github.com/anaxdb/anax/internal/glob"
	"github.com/anaxdb/anax/server/cmdmeta"
	"github.com/anaxdb/anax/server/command"
)

// COMMAND (Redis 7's command introspection, server.c), built from the
// command table and the command metadata (server/cmdmeta): the table gives
// the name, arity, legacy key range, group and docs; the metadata the
// flags, ACL categories and key specs COMMAND INFO shows and the history,
// doc flags and argument tree of COMMAND DOCS. Tips come from redisTips
// below. A command the metadata lacks (none today; a test keeps it so) is
// described from the table alone, with key specs derived from its range.

func (s *Server) commandCommand() *command.Spec {
	const f = command.FlagLoading | command.FlagStale
	conn := []string{"connection"}
	sub := func(name string, arity int, run func(*command.Exec), since, summary, complexity string) *command.Spec {
		return &command.Spec{Name: "command|" + name, Arity: arity, Flags: f, Run: run, Categories: conn, Group: "server", Since: since, Summary: summary, Complexity: complexity}
	}
	return &command.Spec{Name: "command", Arity: -1, Flags: command.FlagLoop | f, Run: cmdCommand, Categories: conn, Group: "server", Summary: "Returns detailed information about all commands.", Since: "2.8.13", Complexity: "O(N) where N is the total number of Redis commands",
		Subcommands: []*command.Spec{
			sub("count", 2, cmdCommandCount, "2.8.13", "Returns a count of commands.", "O(1)"),
			sub("info", -2, cmdCommandInfo, "2.8.13", "Returns information about one, multiple or all commands.", "O(N) where N is the number of commands to look up"),
			sub("docs", -2, cmdCommandDocs, "7.0.0", "Returns documentary information about one, multiple or all commands.", "O(N) where N is the number of commands to look up"),
			sub("list", -2, cmdCommandList, "7.0.0", "Returns a list of command names.", "O(N) where N is the total number of Redis commands"),
			sub("getkeys", -3, cmdCommandGetKeys, "2.8.13", "Extracts the key names from an arbitrary command.", "O(N) where N is the number of arguments to the command"),
			sub("getkeysandflags", -3, cmdCommandGetKeysAndFlags, "7.0.0", "Extracts the key names and access flags for an arbitrary command.", "O(N) where N is the number of arguments to the command"),
			sub("help", 2, cmdCommandHelp, "5.0.0", "Returns helpful text about the different subcommands.", "O(1)"),
		}}
}

// cmdCommand is COMMAND: with no argument, every command's info; else a
// subcommand.
func cmdCommand(x *command.Exec) {
	if len(x.Args) > 1 {
		runSubcommand(x)
		return
	}
	x.Array(len(srv(x).cmdList))
	for _, c := range srv(x).cmdList {
		commandInfo(x, c)
	}
}

// lookupCommandFull finds a command by name, or a subcommand by its full
// name ("client|list"), case-insensitively.
func (s *Server) lookupCommandFull(name []byte) *command.Spec {
	for i, ch := range name {
		if ch == '|' {
			c := s.lookupCommand(name[:i])
			if c == nil {
				return nil
			}
			return subcommand(c, name[i+1:])
		}
	}
	return s.lookupCommand(name)
}

func cmdCommandCount(x *command.Exec) { x.Int(int64(len(srv(x).cmdList))) }

func cmdCommandInfo(x *command.Exec) {
	if len(x.Args) == 2 {
		x.Array(len(srv(x).cmdList))
		for _, c := range srv(x).cmdList {
			commandInfo(x, c)
		}
		return
	}
	x.Array(len(x.Args) - 2)
	for _, name := range x.Args[2:] {
		commandInfo(x, srv(x).lookupCommandFull(name))
	}
}

// commandInfo writes Redis 7's 10-element command description: name,
// arity, flags, first key, last key, key step, ACL categories, tips, key
// specs and subcommands; a null for an unknown command.
func commandInfo(x *command.Exec, c *command.Spec) {
	if c == nil {
		x.Null()
		return
	}
	x.Array(10)
	x.BulkString(c.Name)
	x.Int(int64(c.Arity))
	flags := commandFlagNames(c)
	if c.Meta != nil {
		flags = c.Meta.Flags
	}
	x.Set(len(flags))
	for _, f := range flags {
		x.Simple(f)
	}
	first, last, step := c.FirstKey, c.LastKey, c.Step
	if first == 0 {
		last, step = 0, 0
	}
	x.Int(int64(first))
	x.Int(int64(last))
	x.Int(int64(step))
	cats := categories(c)
	x.Set(len(cats))
	for _, cat := range cats {
		x.Simple("@" + cat)
	}
	tips := redisTips[c.Name]
	x.Set(len(tips))
	for _, t := range tips {
		x.BulkString(t)
	}
	keySpecs(x, c)
	if len(c.Subcommands) == 0 {
		x.Set(0)
		return
	}
	x.Array(len(c.Subcommands))
	for _, sub := range c.Subcommands {
		commandInfo(x, sub)
	}
}

// commandFlagNames returns the flags COMMAND INFO shows, in Redis's order.
func commandFlagNames(c *command.Spec) []string {
	var out []string
	add := func(ok bool, name string) {
		if ok {
			out = append(out, name)
		}
	}
	f := c.Flags
	add(f&command.FlagWrite != 0, "write")
	add(f&command.FlagReadOnly != 0, "readonly")
	add(f&command.FlagDenyOOM != 0, "denyoom")
	add(f&command.FlagAdmin != 0, "admin")
	add(c.Group == "pubsub", "pubsub")
	add(f&command.FlagNoScript != 0, "noscript")
	add(f&command.FlagBlocking != 0, "blocking")
	add(f&command.FlagLoading != 0, "loading")
	add(f&command.FlagStale != 0, "stale")
	add(f&command.FlagFast != 0, "fast")
	add(f&command.FlagNoAuth != 0, "no_auth")
	add(c.Keys != nil && len(c.Subcommands) == 0, "movablekeys")
	return out
}

// aclCategories lists Redis's ACL categories in the order it reports them.
var aclCategories = []string{"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
	"bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
	"dangerous", "connection", "transaction", "scripting"}

// groupCategory is the ACL category of each command group, for commands
// whose table entry lists none.
var groupCategory = map[string]string{
	"generic": "keyspace", "string": "string", "list": "list", "set": "set", "sorted-set": "sortedset",
	"hash": "hash", "pubsub": "pubsub", "transactions": "transaction", "connection": "connection",
	"scripting": "scripting", "stream": "stream", "bitmap": "bitmap", "hyperloglog": "hyperloglog",
	"geo": "geo",
}

// categories returns c's ACL categories (without '@'), from the metadata.
func categories(c *command.Spec) []string {
	if c.Meta != nil {
		return c.Meta.ACL
	}
	return commandCategories(c)
}

// commandCategories returns c's ACL categories: the explicit ones (or its
// group's) plus those its flags imply, as Redis's setImplicitACLCategories
// does, in Redis's order. Containers with subcommands have only their own.
func commandCategories(c *command.Spec) []string {
	has := map[string]bool{}
	for _, cat := range c.Categories {
		has[strings.ToLower(strings.TrimPrefix(cat, "@"))] = true
	}
	if len(c.Categories) == 0 && len(c.Subcommands) == 0 {
		if cat := groupCategory[c.Group]; cat != "" {
			has[cat] = true
		}
	}
	f := c.Flags
	if f&command.FlagWrite != 0 {
		has["write"] = true
	}
	if f&command.FlagReadOnly != 0 && !has["scripting"] {
		has["read"] = true
	}
	if f&command.FlagAdmin != 0 {
		has["admin"] = true
		has["dangerous"] = true
	}
	if c.Group == "pubsub" {
		has["pubsub"] = true
	}
	if f&command.FlagFast != 0 {
		has["fast"] = true
	}
	if f&command.FlagBlocking != 0 {
		has["blocking"] = true
	}
	if !has["fast"] {
		has["slow"] = true
	}
	var out []string
	for _, cat := range aclCategories {
		if has[cat] {
			out = append(out, cat)
		}
	}
	return out
}

// keyFlagNames returns the key-spec flags shown for c's keys.
func keyFlagNames(c *command.Spec) []string {
	switch {
	case c.Flags&command.FlagWrite != 0:
		return []string{"RW", "update"}
	case c.Flags&command.FlagReadOnly != 0:
		return []string{"RO", "access"}
	}
	return []string{"RW", "access"}
}

// keySpecs writes c's key specs from the metadata; for a command it lacks,
// one key spec derived from the key range (a range from the first key), an
// "unknown" one for commands that find their keys with a function, and
// none for keyless commands.
func keySpecs(x *command.Exec, c *command.Spec) {
	if c.Meta != nil {
		x.Set(len(c.Meta.KeySpecs))
		for i := range c.Meta.KeySpecs {
			keySpec(x, &c.Meta.KeySpecs[i])
		}
		return
	}
	if c.FirstKey == 0 && (c.Keys == nil || len(c.Subcommands) > 0) {
		x.Set(0)
		return
	}
	x.Set(1)
	x.Map(3)
	x.BulkString("flags")
	kf := keyFlagNames(c)
	x.Set(len(kf))
	for _, f := range kf {
		x.Simple(f)
	}
	if c.FirstKey == 0 {
		for _, k := range []string{"begin_search", "find_keys"} {
			x.BulkString(k)
			x.Map(2)
			x.BulkString("type")
			x.BulkString("unknown")
			x.BulkString("spec")
			x.Map(0)
		}
		return
	}
	x.BulkString("begin_search")
	x.Map(2)
	x.BulkString("type")
	x.BulkString("index")
	x.BulkString("spec")
	x.Map(1)
	x.BulkString("index")
	x.Int(int64(c.FirstKey))
	last := c.LastKey
	if last >= 0 {
		last -= c.FirstKey
	}
	step := c.Step
	if step <= 0 {
		step = 1
	}
	x.BulkString("find_keys")
	x.Map(2)
	x.BulkString("type")
	x.BulkString("range")
	x.BulkString("spec")
	x.Map(3)
	x.BulkString("lastkey")
	x.Int(int64(last))
	x.BulkString("keystep")
	x.Int(int64(step))
	x.BulkString("limit")
	x.Int(0)
}

// keySpec writes one key spec as Redis's addReplyCommandKeySpecs does.
func keySpec(x *command.Exec, ks *cmdmeta.KeySpec) {
	n := 3
	if ks.Notes != "" {
		n++
	}
	x.Map(n)
	if ks.Notes != "" {
		x.BulkString("notes")
		x.BulkString(ks.Notes)
	}
	x.BulkString("flags")
	x.Set(len(ks.Flags))
	for _, f := range ks.Flags {
		x.Simple(f)
	}
	x.BulkString("begin_search")
	x.Map(2)
	x.BulkString("type")
	x.BulkString(ks.Begin)
	x.BulkString("spec")
	switch ks.Begin {
	case cmdmeta.BeginIndex:
		x.Map(1)
		x.BulkString("index")
		x.Int(int64(ks.Index))
	case cmdmeta.BeginKeyword:
		x.Map(2)
		x.BulkString("keyword")
		x.BulkString(ks.Keyword)
		x.BulkString("startfrom")
		x.Int(int64(ks.StartFrom))
	default:
		x.Map(0)
	}
	x.BulkString("find_keys")
	x.Map(2)
	x.BulkString("type")
	x.BulkString(ks.Find)
	x.BulkString("spec")
	switch ks.Find {
	case cmdmeta.FindRange:
		x.Map(3)
		x.BulkString("lastkey")
		x.Int(int64(ks.LastKey))
		x.BulkString("keystep")
		x.Int(int64(ks.KeyStep))
		x.BulkString("limit")
		x.Int(int64(ks.Limit))
	case cmdmeta.FindKeynum:
		x.Map(3)
		x.BulkString("keynumidx")
		x.Int(int64(ks.KeyNumIdx))
		x.BulkString("firstkey")
		x.Int(int64(ks.FirstKey))
		x.BulkString("keystep")
		x.Int(int64(ks.KeyStep))
	default:
		x.Map(0)
	}
}

func cmdCommandDocs(x *command.Exec) {
	var list []*command.Spec
	if len(x.Args) == 2 {
		list = srv(x).cmdList
	} else {
		for _, name := range x.Args[2:] {
			if c := srv(x).lookupCommandFull(name); c != nil {
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
	for _, c := range srv(x).cmdList {
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
	c := srv(x).lookupCommand(args[0])
	if c != nil && len(c.Subcommands) > 0 && len(args) >= 2 {
		c = subcommand(c, args[1])
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
	idx := c.KeyIndexes(args, nil)
	if len(idx) == 0 {
		x.Err("ERR Invalid arguments specified for command")
		return
	}
	x.Array(len(idx))
	kf := keyFlagNames(c)
	for _, i := range idx {
		if !withFlags {
			x.Bulk(args[i])
			continue
		}
		x.Array(2)
		x.Bulk(args[i])
		x.Set(len(kf))
		for _, f := range kf {
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

// redisTips returns Redis 7.2's command tips by full command name (the
// "command_tips" of its command table): cluster clients read the request
// and response policies from COMMAND.
var redisTips = func() map[string][]string {
	groups := []struct {
		tips  string
		names string
	}{
		{"nondeterministic_output", "client|info client|list cluster|bumpepoch cluster|count-failure-reports cluster|getkeysinslot cluster|info cluster|links cluster|myshardid cluster|nodes cluster|replicas cluster|shards cluster|slaves cluster|slots dump hrandfield hscan lastsave migrate object|encoding object|freq object|idletime object|refcount pttl spop srandmember sscan time ttl xadd xautoclaim xclaim xinfo|consumers xpending xtrim zrandmember zscan"},
		{"nondeterministic_output_order", "command command|docs command|info command|list function|list hgetall hkeys hvals module|list sdiff sinter smembers sunion"},
		{"request_policy:all_nodes response_policy:all_succeeded", "acl|deluser acl|save acl|setuser client|setinfo client|setname config|resetstat config|rewrite config|set script|flush script|load slowlog|reset"},
		{"request_policy:all_shards response_policy:all_succeeded", "flushall flushdb function|delete function|flush function|load function|restore memory|purge ping"},
		{"nondeterministic_output request_policy:all_shards response_policy:special", "function|stats info memory|doctor memory|malloc-stats memory|stats"},
		{"nondeterministic_output request_policy:all_nodes response_policy:special", "latency|doctor latency|graph latency|histogram latency|history latency|latest"},
		{"request_policy:multi_shard response_policy:agg_sum", "del exists touch unlink"},
		{"request_policy:all_shards response_policy:one_succeeded", "function|kill script|kill"},
		{"request_policy:all_shards response_policy:agg_min", "wait waitaof"},
		{"request_policy:all_shards response_policy:agg_sum", "dbsize"},
		{"request_policy:all_shards nondeterministic_output_order", "keys"},
		{"request_policy:all_nodes response_policy:agg_sum", "latency|reset"},
		{"request_policy:multi_shard", "mget"},
		{"request_policy:multi_shard response_policy:all_succeeded", "mset"},
		{"request_policy:all_shards response_policy:special nondeterministic_output", "randomkey"},
		{"nondeterministic_output request_policy:special response_policy:special", "scan"},
		{"request_policy:all_shards response_policy:agg_logical_and", "script|exists"},
		{"request_policy:all_nodes nondeterministic_output", "slowlog|get"},
		{"request_policy:all_nodes response_policy:agg_sum nondeterministic_output", "slowlog|len"},
	}
	m := map[string][]string{}
	for _, g := range groups {
		tips := strings.Fields(g.tips)
		for _, n := range strings.Fields(g.names) {
			m[n] = tips
		}
	}
	return m
}()
