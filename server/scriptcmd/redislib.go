package scriptcmd

import (
	"bytes"

	lua "github.com/yuin/gopher-lua"

	"github.com/anaxdb/anax/server/command"
)

// The redis library (Redis 7.0's script_lua.c).

func (st *state) openRedis(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	fns := map[string]lua.LGFunction{
		"call":               func(L *lua.LState) int { return st.redisCall(L, true) },
		"pcall":              func(L *lua.LState) int { return st.redisCall(L, false) },
		"sha1hex":            redisSHA1Hex,
		"error_reply":        func(L *lua.LState) int { return replyTable(L, "err") },
		"status_reply":       func(L *lua.LState) int { return replyTable(L, "ok") },
		"log":                st.redisLog,
		"setresp":            st.redisSetResp,
		"set_repl":           st.redisSetRepl,
		"replicate_commands": func(L *lua.LState) int { L.Push(lua.LTrue); return 1 },
		"breakpoint":         func(L *lua.LState) int { L.Push(lua.LFalse); return 1 },
		"acl_check_cmd":      st.redisACLCheckCmd,
		"debug":              func(L *lua.LState) int { return 0 },
	}
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	for name, v := range map[string]int{
		"LOG_DEBUG": 0, "LOG_VERBOSE": 1, "LOG_NOTICE": 2, "LOG_WARNING": 3,
		"REPL_NONE": 0, "REPL_AOF": 1, "REPL_SLAVE": 2, "REPL_REPLICA": 2, "REPL_ALL": 3,
	} {
		t.RawSetString(name, lua.LNumber(v))
	}
	t.RawSetString("REDIS_VERSION", lua.LString("7.0.15"))
	t.RawSetString("REDIS_VERSION_NUM", lua.LNumber(0x07000f))
	return t
}

func redisSHA1Hex(L *lua.LState) int {
	if L.GetTop() != 1 {
		L.Error(lua.LString("wrong number of arguments"), 0)
	}
	b, _ := luaArg(L.Get(1))
	if s, ok := L.Get(1).(lua.LString); ok {
		b = []byte(s)
	}
	L.Push(lua.LString(SHA1Hex(b)))
	return 1
}

// replyTable is redis.error_reply and redis.status_reply.
func replyTable(L *lua.LState, field string) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		L.Push(errorTable(L, "ERR wrong number or type of arguments"))
		return 1
	}
	msg := string(s)
	if field == "err" {
		msg = errorText("-" + msg)
		if len(s) > 0 && s[0] == '-' {
			msg = errorText(string(s))
		}
	}
	t := L.CreateTable(0, 1)
	t.RawSetString(field, lua.LString(msg))
	L.Push(t)
	return 1
}

// errorText is Redis's luaPushErrorBuff: "-CODE msg" keeps its code, a
// text without a space gets "ERR", and trailing CR LF go.
func errorText(s string) string {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
		if i := bytes.IndexByte([]byte(s), ' '); i >= 0 {
			return s[:i] + " " + trimCRLF(s[i+1:])
		}
		return "ERR " + trimCRLF(s)
	}
	return "ERR " + trimCRLF(s)
}

func trimCRLF(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\r' || s[len(s)-1] == '\n') {
		s = s[:len(s)-1]
	}
	for len(s) > 0 && (s[0] == '\r' || s[0] == '\n') {
		s = s[1:]
	}
	return s
}

func (st *state) redisLog(L *lua.LState) int {
	if L.GetTop() < 2 {
		return st.raise(L, "ERR redis.log() requires two arguments or more.")
	}
	level, ok := L.Get(1).(lua.LNumber)
	if !ok {
		return st.raise(L, "ERR First argument must be a number (log level).")
	}
	if level < 0 || level > 3 {
		return st.raise(L, "ERR Invalid debug level.")
	}
	var msg []byte
	for i := 2; i <= L.GetTop(); i++ {
		if i > 2 {
			msg = append(msg, ' ')
		}
		if b, ok := luaArg(L.Get(i)); ok {
			msg = append(msg, b...)
		}
	}
	if h, ok := st.hostOf(); ok {
		h.ScriptLog(int(level), string(msg))
	}
	return 0
}

func (st *state) hostOf() (Host, bool) {
	if st.r == nil || st.r.x == nil {
		return nil, false
	}
	h, ok := st.r.x.Env.(Host)
	return h, ok
}

func (st *state) redisSetResp(L *lua.LState) int {
	if L.GetTop() != 1 {
		return st.raise(L, "ERR redis.setresp() requires one argument.")
	}
	n, ok := L.Get(1).(lua.LNumber)
	if !ok || (n != 2 && n != 3) {
		return st.raise(L, "ERR RESP version must be 2 or 3.")
	}
	st.r.proto = int(n)
	return 0
}

func (st *state) redisSetRepl(L *lua.LState) int {
	if L.GetTop() != 1 {
		return st.raise(L, "ERR redis.set_repl() requires one argument.")
	}
	n, ok := L.Get(1).(lua.LNumber)
	if !ok || n < 0 || n > 3 {
		return st.raise(L, "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
	}
	return 0
}

// scriptLoopCommands are the connection commands a script may call: they
// need no connection (SELECT is the engine's own).
var scriptLoopCommands = map[string]bool{"ping": true, "echo": true, "time": true, "lastsave": true, "info": true, "command": true, "slowlog": true, "latency": true, "publish": true, "spublish": true, "pubsub": true, "readonly": true, "readwrite": true, "asking": true}

// redisCall is redis.call (raise) and redis.pcall.
func (st *state) redisCall(L *lua.LState, raise bool) int {
	return st.call(L, raise, false)
}

// redisCallDiscard is redis.call where the script drops its reply
// (bindGlobals): an error reply raises as it does, any other reply is not
// converted to a Lua value.
func (st *state) redisCallDiscard(L *lua.LState) int {
	return st.call(L, true, true)
}

// call runs redis.call or redis.pcall; discard (with raise) skips the
// conversion of a reply that is not an error.
func (st *state) call(L *lua.LState, raise, discard bool) int {
	r := st.r
	if r.retry {
		L.Error(lua.LString("retry"), 0)
	}
	fail := func(msg string) int {
		if raise {
			return st.raise(L, msg)
		}
		L.Push(errorTable(L, msg))
		return 1
	}
	n := L.GetTop()
	if n == 0 {
		return fail("ERR Please specify at least one argument for this redis lib call")
	}
	// The arguments are copied into one buffer the interpreter keeps, each
	// capped at its end (a command that appends to one cannot reach the
	// next).
	buf, ends := st.argBuf[:0], st.argEnds[:0]
	for i := 1; i <= n; i++ {
		var ok bool
		if buf, ok = appendLuaArg(buf, L.Get(i)); !ok {
			return fail("ERR Lua redis lib command arguments must be strings or integers")
		}
		ends = append(ends, len(buf))
	}
	args, from := st.args[:0], 0
	for _, end := range ends {
		args = append(args, buf[from:end:end])
		from = end
	}
	st.argBuf, st.argEnds, st.args = buf, ends, args
	h, _ := st.hostOf()
	var cmd *command.Spec
	if h != nil {
		cmd = h.LookupCommand(args[0])
	}
	if cmd == nil {
		return fail("ERR Unknown Redis command called from script")
	}
	if !cmd.ArityOK(len(args)) {
		return fail("ERR Wrong number of args calling Redis command from script")
	}
	if cmd.Flags&command.FlagNoScript != 0 || (cmd.Flags&command.FlagLoop != 0 && !scriptLoopCommands[cmd.Name] && cmd.Name != "select") {
		return fail("ERR This Redis command is not allowed from script")
	}
	// The checks below read the flags of the subcommand called, as Redis's
	// (XGROUP CREATE is a deny-oom write, XGROUP the container is neither).
	flags := cmd.Flags
	if len(cmd.Subcommands) > 0 && len(args) > 1 {
		if sub := cmd.Subcommand(args[1]); sub != nil {
			if sub.Flags&command.FlagNoScript != 0 {
				return fail("ERR This Redis command is not allowed from script")
			}
			flags = sub.Flags
		}
	}
	if flags&(command.FlagWrite|command.FlagMayReplicate) != 0 && r.readOnly {
		// Redis counts may-replicate commands (PUBLISH, PFCOUNT) as writes
		// here, so that read-only scripts may run under CLIENT PAUSE WRITE.
		return fail("ERR Write commands are not allowed from read-only scripts.")
	}
	if flags&command.FlagWrite != 0 && h != nil {
		if msg := h.WritesRefused(); msg != "" {
			return fail(msg) // -MISCONF, as Redis's scriptCall answers
		}
	}
	if r.oom && flags&command.FlagDenyOOM != 0 && !r.wrote.Load() {
		// Over maxmemory as the script started, and nothing written yet:
		// Redis's scriptVerifyOOM. Once the script has written it cannot
		// be stopped halfway, and its writes go on.
		return fail(oomError)
	}
	var out []byte
	if cmd.Name == "select" {
		idx, ok := command.ParseInt(args[1])
		switch {
		case !ok:
			out = append(st.out[:0], "-ERR value is not an integer or out of range\r\n"...)
		case idx < 0 || idx >= r.x.Env.ConfigInt("databases"):
			out = append(st.out[:0], "-ERR DB index is out of range\r\n"...)
		default:
			r.db = int(idx)
			out = append(st.out[:0], "+OK\r\n"...)
		}
	} else {
		undeclared := r.x.Env.ShardCount() > 1 && cmd.Flags&command.FlagAllShards != 0
		if !undeclared {
			st.keyIdx = cmd.KeyIndexes(args, st.keyIdx[:0])
			for _, ki := range st.keyIdx {
				if !declared(r.keys, args[ki]) {
					undeclared = true
					break
				}
			}
		}
		if undeclared {
			r.undeclared = true
		}
		var refused string
		out, refused = r.caller.Call(st.out[:0], cmd, args, r.db, r.proto, undeclared)
		if refused != "" {
			if !r.wrote.Load() && r.x.Result != nil {
				// Nothing written yet: the server runs the script again
				// over every shard (Retry); this run stops here, and no
				// command runs in it from now on.
				r.retry = true
				st.kill.fire()
				L.Error(lua.LString(refused), 0)
			}
			return fail(refused)
		}
		if flags&command.FlagWrite != 0 {
			r.wrote.Store(true)
		}
	}
	st.out = out[:0]
	if raise {
		if msg := replyError(out); msg != "" {
			return st.raise(L, errorText("-"+msg))
		}
		if discard {
			L.Push(lua.LNil)
			return 1
		}
	}
	v, _ := replyToLua(L, out)
	if t, ok := v.(*lua.LTable); ok && !raise {
		if e, ok := t.RawGetString("err").(lua.LString); ok {
			t.RawSetString("err", lua.LString(errorText("-"+string(e))))
		}
	}
	L.Push(v)
	return 1
}

func declared(keys [][]byte, k []byte) bool {
	for _, d := range keys {
		if bytes.Equal(d, k) {
			return true
		}
	}
	return false
}

// redisACLCheckCmd is redis.acl_check_cmd: Anax has no ACL users, so any
// known command is allowed.
func (st *state) redisACLCheckCmd(L *lua.LState) int {
	if L.GetTop() < 1 {
		return st.raise(L, "ERR Please specify at least one argument for this redis lib call")
	}
	name, ok := luaArg(L.Get(1))
	h, _ := st.hostOf()
	if !ok || h == nil || h.LookupCommand(name) == nil {
		return st.raise(L, "ERR Invalid command passed to redis.acl_check_cmd()")
	}
	L.Push(lua.LTrue)
	return 1
}
