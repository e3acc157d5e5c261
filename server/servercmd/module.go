package servercmd

import (
	"github.com/anaxdb/anax/server/command"
)

// MODULE answers as a Redis server with no module loaded: LIST is empty,
// and LOAD, LOADEX and UNLOAD fail as Redis's fail. Anax has no module
// API (a Redis module is C code against Redis's own structures), so a
// load can never succeed; refusing it with Redis's replies lets tools that
// probe for modules (MODULE LIST) carry on, and says why in the log.

// ErrModuleNotAllowed is the reply to MODULE LOAD, LOADEX and UNLOAD when
// enable-module-command refuses them, run or queued inside MULTI: Redis's
// check on its protected commands.
const ErrModuleNotAllowed = `ERR MODULE command not allowed. If the enable-module-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`

const errModuleLoad = "ERR Error loading the extension. Please check the server logs."

// ModuleSubcommandProtected reports whether MODULE's subcommand sub is one
// enable-module-command guards (LOAD, LOADEX, UNLOAD).
func ModuleSubcommandProtected(sub []byte) bool {
	return command.EqFold(sub, "load") || command.EqFold(sub, "loadex") || command.EqFold(sub, "unload")
}

func moduleCommand() *command.Spec {
	const (
		adm = command.FlagLoop | command.FlagAdmin | command.FlagNoScript
		ls  = command.FlagLoop | command.FlagLoading | command.FlagStale
	)
	return &command.Spec{Name: "module", Arity: -2, Flags: command.FlagLoop, Run: command.RunSubcommand, Group: "server", Summary: "A container for module commands.", Since: "4.0.0", Complexity: "Depends on subcommand.",
		Subcommands: []*command.Spec{
			{Name: "module|list", Arity: 2, Flags: adm, Run: cmdModuleList, Group: "server", Summary: "Returns all loaded modules.", Since: "4.0.0", Complexity: "O(N) where N is the number of loaded modules."},
			{Name: "module|load", Arity: -3, Flags: adm, Run: cmdModuleLoad, Group: "server", Summary: "Loads a module.", Since: "4.0.0", Complexity: "O(1)"},
			{Name: "module|loadex", Arity: -3, Flags: adm, Run: cmdModuleLoad, Group: "server", Summary: "Loads a module using extended parameters.", Since: "7.0.0", Complexity: "O(1)"},
			{Name: "module|unload", Arity: 3, Flags: adm, Run: cmdModuleUnload, Group: "server", Summary: "Unloads a module.", Since: "4.0.0", Complexity: "O(1)"},
			{Name: "module|help", Arity: 2, Flags: ls, Run: cmdModuleHelp, Group: "server", Summary: "Returns helpful text about the different subcommands.", Since: "5.0.0", Complexity: "O(1)"},
		}}
}

// moduleGuard applies enable-module-command to x; it answers the refusal
// and reports false when the client may not run x.
func moduleGuard(x *command.Exec) bool {
	if command.ProtectedAllowed(x.Env.ConfigString("enable-module-command"), hostOf(x).IsLocalClient(x)) {
		return true
	}
	x.Err(ErrModuleNotAllowed)
	return false
}

func cmdModuleList(x *command.Exec) { x.Array(0) }

// cmdModuleLoad is MODULE LOAD and LOADEX: Redis's reply to a module that
// failed to load, with the reason in the log as Redis writes its own.
func cmdModuleLoad(x *command.Exec) {
	if !moduleGuard(x) {
		return
	}
	hostOf(x).Log().Warnf("Module %s failed to load: Anax has no module API and loads no modules", x.Args[2])
	x.Err(errModuleLoad)
}

func cmdModuleUnload(x *command.Exec) {
	if !moduleGuard(x) {
		return
	}
	x.Err("ERR Error unloading module: no such module with that name")
}

func cmdModuleHelp(x *command.Exec) {
	x.ReplyHelp([]string{
		"LIST",
		"    Return a list of loaded modules.",
		"LOAD <path> [<arg> ...]",
		"    Load a module library from <path>, passing to it any optional arguments.",
		"LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
		"    Load a module library from <path>, while passing it module configurations and optional arguments.",
		"UNLOAD <name>",
		"    Unload a module.",
	})
}
