package servercmd

import (
	"strings"

	"github.com/anaxdb/anax/server/command"
)

// CONFIG: the server's configuration (package config) through Host.Config.

// cmdConfigGet is CONFIG GET pattern...: a map of every parameter that
// matches a pattern to its value.
func cmdConfigGet(x *command.Exec) {
	pats := make([]string, len(x.Args)-2)
	for i, a := range x.Args[2:] {
		pats[i] = string(a)
	}
	kvs := hostOf(x).Config().Get(pats...)
	x.Map(len(kvs))
	for _, kv := range kvs {
		x.BulkString(kv[0])
		x.BulkString(kv[1])
	}
}

// cmdConfigSet is CONFIG SET name value [name value...]: all the pairs
// are set, or none (the config package checks them all first).
func cmdConfigSet(x *command.Exec) {
	if len(x.Args)%2 != 0 {
		x.Fail(command.ErrSyntax)
		return
	}
	pairs := make([][2]string, 0, (len(x.Args)-2)/2)
	for i := 2; i+1 < len(x.Args); i += 2 {
		pairs = append(pairs, [2]string{string(x.Args[i]), string(x.Args[i+1])})
	}
	h := hostOf(x)
	set := h.Config().Set
	if h.IsLocalClient(x) {
		// Protected parameters may change from a local client when
		// enable-protected-configs is "local".
		set = h.Config().SetLocal
	}
	if err := set(pairs); err != nil {
		x.Err(configErrorReply(err.Error()))
		return
	}
	x.OK()
}

// configErrorReply gives msg Redis's "ERR " prefix unless it already starts with
// an error code (an upper-case word).
func configErrorReply(msg string) string {
	code := msg
	if i := strings.IndexByte(msg, ' '); i >= 0 {
		code = msg[:i]
	}
	if code != "" && strings.ToUpper(code) == code && strings.IndexFunc(code, func(r rune) bool { return r < 'A' || r > 'Z' }) < 0 {
		return command.SanitizeError(msg)
	}
	return command.SanitizeError("ERR " + msg)
}

// cmdConfigRewrite is CONFIG REWRITE: the file the server was started
// with gets the current values; logged as Redis logs it.
func cmdConfigRewrite(x *command.Exec) {
	h := hostOf(x)
	cfg := h.Config()
	if cfg.ConfigFile() == "" {
		x.Err("ERR The server is running without a config file")
		return
	}
	if err := cfg.Rewrite(); err != nil {
		h.Log().Warnf("CONFIG REWRITE failed: %v", err)
		x.Err(command.SanitizeError("ERR Rewriting config file: " + err.Error()))
		return
	}
	h.Log().Infof("CONFIG REWRITE executed with success.")
	x.OK()
}

// cmdConfigResetStat clears what INFO counts: command and error statistics,
// the shards' keyspace counters, the router's and the listener's totals.
func cmdConfigResetStat(x *command.Exec) {
	hostOf(x).ResetStats()
	x.OK()
}

func cmdConfigHelp(x *command.Exec) {
	x.ReplyHelp([]string{
		"GET <pattern>",
		"    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>",
		"    Set the configuration <directive> to <value>.",
		"RESETSTAT",
		"    Reset statistics reported by the INFO command.",
		"REWRITE",
		"    Rewrite the configuration file.",
	})
}
