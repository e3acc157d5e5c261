package scriptcmd

import (
	"github.com/anaxdb/anax/server/command"
)

// Commands returns the scripting commands, bound to e.
func (e *Engine) Commands() []*command.Spec {
	evalFlags := command.FlagNoScript | command.FlagStale
	cross := func(sha bool) *command.Cross {
		return &command.Cross{Reaches: func(args [][]byte, route func([]byte) int) bool { return e.reaches(args, route, sha) }}
	}
	sub := func(name string, arity, flags int, run func(x *command.Exec), summary, since, complexity string) *command.Spec {
		return &command.Spec{Name: "script|" + name, Arity: arity, Flags: flags, Run: run, Group: "scripting", Summary: summary, Since: since, Complexity: complexity}
	}
	return append(e.functionCommands(), []*command.Spec{
		{Name: "eval", Arity: -3, Flags: evalFlags | command.FlagMayReplicate, Keys: evalKeys, Run: func(x *command.Exec) { e.runEval(x, false) }, Cross: cross(false),
			Group: "scripting", Summary: "Executes a server-side Lua script.", Since: "2.6.0", Complexity: "Depends on the script that is executed."},
		{Name: "evalsha", Arity: -3, Flags: evalFlags | command.FlagMayReplicate, Keys: evalKeys, Run: func(x *command.Exec) { e.runEval(x, false) }, Cross: cross(true),
			Group: "scripting", Summary: "Executes a server-side Lua script by SHA1 digest.", Since: "2.6.0", Complexity: "Depends on the script that is executed."},
		{Name: "eval_ro", Arity: -3, Flags: evalFlags | command.FlagReadOnly, Keys: evalKeys, Run: func(x *command.Exec) { e.runEval(x, true) }, Cross: cross(false),
			Group: "scripting", Summary: "Executes a read-only server-side Lua script.", Since: "7.0.0", Complexity: "Depends on the script that is executed."},
		{Name: "evalsha_ro", Arity: -3, Flags: evalFlags | command.FlagReadOnly, Keys: evalKeys, Run: func(x *command.Exec) { e.runEval(x, true) }, Cross: cross(true),
			Group: "scripting", Summary: "Executes a read-only server-side Lua script by SHA1 digest.", Since: "7.0.0", Complexity: "Depends on the script that is executed."},
		{Name: "script", Arity: -2, Flags: command.FlagLoop, Run: command.RunSubcommand, Group: "scripting", Summary: "A container for Lua scripts management commands.", Since: "2.6.0", Complexity: "Depends on subcommand.",
			Subcommands: []*command.Spec{
				sub("exists", -3, command.FlagLoop|command.FlagNoScript, e.scriptExists, "Determines whether server-side Lua scripts exist in the script cache.", "2.6.0", "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation)."),
				sub("flush", -2, command.FlagLoop|command.FlagNoScript, e.scriptFlush, "Removes all server-side Lua scripts from the script cache.", "2.6.0", "O(N) with N being the number of scripts in cache"),
				sub("help", 2, command.FlagLoop|command.FlagLoading|command.FlagStale, e.scriptHelp, "Returns helpful text about the different subcommands.", "5.0.0", "O(1)"),
				sub("kill", 2, command.FlagLoop|command.FlagNoScript, e.scriptKill, "Terminates a server-side Lua script during execution.", "2.6.0", "O(1)"),
				sub("load", 3, command.FlagLoop|command.FlagNoScript|command.FlagStale, e.scriptLoad, "Loads a server-side Lua script to the script cache.", "2.6.0", "O(N) with N being the length in bytes of the script body."),
			}},
	}...)
}

// IsScript reports whether c is one of the commands that run a script.
func IsScript(c *command.Spec) bool {
	switch c.Name {
	case "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro":
		return true
	}
	return false
}

// prepare checks an EVAL's arguments and finds its script; errText is the
// reply when it cannot run.
func (e *Engine) prepare(name string, args [][]byte, readOnly bool) (sc *script, keys, argv [][]byte, errText string) {
	if name == "fcall" || name == "fcall_ro" {
		return e.prepareFunction(args, readOnly)
	}
	sha := name == "evalsha" || name == "evalsha_ro"
	keys, argv, errText = parseNumKeys(args)
	if errText != "" {
		return nil, nil, nil, errText
	}
	if sha {
		sc = e.lookup(args[1])
		if sc == nil {
			return nil, nil, nil, "NOSCRIPT No matching script. Please use EVAL."
		}
	} else {
		sc, errText = e.add(args[1], false)
		if errText != "" {
			return nil, nil, nil, errText
		}
	}
	if readOnly && sc.shebang && sc.flags&flagNoWrites == 0 {
		return nil, nil, nil, "ERR Can not execute a script with write flag using *_ro command."
	}
	return sc, keys, argv, ""
}

// runEval is the Run of EVAL and its kin: the fast path, on the shard of
// its keys (or the connection's, with none), calling commands there.
func (e *Engine) runEval(x *command.Exec, readOnly bool) {
	sc, keys, argv, errText := e.prepare(x.Cmd.Name, x.Args, readOnly)
	if errText != "" {
		x.Err(errText)
		return
	}
	h, ok := x.Env.(Host)
	if !ok {
		x.Err("ERR scripting is not available")
		return
	}
	oom, ok := startOOM(x, h, sc, true)
	if !ok {
		return
	}
	sh := x.Home.ID
	st := e.take(sh)
	if r := e.execute(x, st, sh, h.LocalCaller(x, keys), sc, keys, argv, readOnly, oom); r.undeclared {
		sc.mode.Store(modeGlobal)
	}
}

// RunGlobal runs EVAL x over every shard, which the server has locked,
// calling commands through caller; it runs on a goroutine of its own.
func (e *Engine) RunGlobal(x *command.Exec, caller Caller) {
	sc, keys, argv, errText := e.prepare(x.Cmd.Name, x.Args, x.Cmd.Flags&command.FlagReadOnly != 0)
	if errText != "" {
		x.Err(errText)
		return
	}
	h, _ := x.Env.(Host)
	oom, ok := startOOM(x, h, sc, false)
	if !ok {
		return
	}
	st := e.take(-1)
	// r is the interpreter's own run: read it before the interpreter goes
	// back to the spares, where another global script may take it.
	undeclared := e.execute(x, st, -1, caller, sc, keys, argv, x.Cmd.Flags&command.FlagReadOnly != 0, oom).undeclared
	e.give(-1, st)
	switch {
	case undeclared:
		sc.mode.Store(modeGlobal)
	case !x.Failed:
		sc.mode.CompareAndSwap(modeUnknown, modeLocal)
	}
}

// startOOM is the memory check of script sc as it starts to run x, as
// Redis 7.0 makes it (processCommand, scriptPrepareForRun): over
// maxmemory, a script whose flags deny it (a shebang or a function that
// declares neither allow-oom nor no-writes) is refused (ok false, the
// reply written); an allow-oom script runs and may write; a no-writes one
// runs; a script without a shebang runs with oom set: its first deny-oom
// command fails, unless it has written before (redisCall).
func startOOM(x *command.Exec, h Host, sc *script, local bool) (oom, ok bool) {
	if h == nil {
		return false, true
	}
	state := h.ScriptOOM(x, local)
	if state == OOMNone {
		return false, true
	}
	if sc.shebang || sc.fn != nil { // flags declared
		switch {
		case sc.flags&(flagAllowOOM|flagNoWrites) != 0:
			return false, true
		case state == OOMShard:
			x.Err(oomError)
		default:
			x.Err(allowOOMError)
		}
		return false, false
	}
	return true, true
}

func (e *Engine) scriptLoad(x *command.Exec) {
	sc, errText := e.add(x.Args[2], true)
	if errText != "" {
		x.Err(errText)
		return
	}
	x.BulkString(sc.sha)
}

func (e *Engine) scriptExists(x *command.Exec) {
	x.Array(len(x.Args) - 2)
	for _, a := range x.Args[2:] {
		if e.lookup(a) != nil {
			x.Int(1)
		} else {
			x.Int(0)
		}
	}
}

func (e *Engine) scriptFlush(x *command.Exec) {
	if len(x.Args) > 3 || (len(x.Args) == 3 && !command.EqFold(x.Args[2], "sync") && !command.EqFold(x.Args[2], "async")) {
		x.Err("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
		return
	}
	e.flush()
	x.OK()
}

func (e *Engine) scriptKill(x *command.Exec) {
	if msg := e.running.kill(false); msg != "" {
		x.Err(msg)
		return
	}
	x.OK()
}

var scriptHelpLines = []string{
	"SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"DEBUG (YES|SYNC|NO)",
	"    Set the debug mode for subsequent scripts executed.",
	"EXISTS <sha1> [<sha1> ...]",
	"    Return information about the existence of the scripts in the script cache.",
	"FLUSH [ASYNC|SYNC]",
	"    Flush the Lua scripts cache. Very dangerous on replicas.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the scripts cache.",
	"    * SYNC: Synchronously flush the scripts cache.",
	"KILL",
	"    Kill the currently executing Lua script.",
	"LOAD <script>",
	"    Load a script into the scripts cache without executing it.",
	"HELP",
	"    Prints this help.",
}

func (e *Engine) scriptHelp(x *command.Exec) {
	x.Array(len(scriptHelpLines))
	for _, l := range scriptHelpLines {
		x.Simple(l)
	}
}
