package metacmd

import (
	"strings"

	"github.com/anaxdb/anax/server/cmdmeta"
	"github.com/anaxdb/anax/server/command"
)

// COMMAND INFO: Redis 7's 10-element description of a command, and the
// flags, ACL categories, key specs and tips it is made of.

// cmdCommandInfo is COMMAND INFO [name ...]: the named commands (a null
// for an unknown one), or every command when none is named.
func cmdCommandInfo(x *command.Exec) {
	t := tableOf(x)
	if len(x.Args) == 2 {
		all := t.Commands()
		x.Array(len(all))
		for _, c := range all {
			commandInfo(x, c)
		}
		return
	}
	x.Array(len(x.Args) - 2)
	for _, name := range x.Args[2:] {
		commandInfo(x, lookupFull(t, name))
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
