// Package config is Anax's configuration registry: every server parameter
// with its Redis name, aliases, type, default and runtime rules, the startup
// sources that set it, and CONFIG GET / SET / REWRITE.
//
// # Parameters
//
// Names are Redis's (lower case, dashed: maxmemory, proto-max-bulk-len) plus
// a few of Anax's own (threads, pin-threads). Everywhere a user types a name
// (file, environment, flags, CONFIG GET without wildcards, CONFIG SET), case
// does not matter and '_' equals '-', so Dragonfly-style --proto_max_bulk_len
// works. Aliases are full names too: dbnum is databases, and Redis's old
// hash-max-ziplist-entries is hash-max-listpack-entries. Params lists them
// all with types, defaults and one-line help.
//
// Values are typed: bool (yes/no), int (decimal, range-checked, no '+' or
// leading zeros, like Redis's string2ll), memory (bytes with optional units
// 1k=1000, 1kb=1024, m, mb, g, gb; see ParseMemory), enum, flags (several
// enum names), string, list (bind) and a few special ones (save,
// client-output-buffer-limit, notify-keyspace-events). CONFIG GET shows them
// as redis-server does: memory as plain bytes, bools as yes/no, save as
// "3600 1 300 100 60 10000", lists space-separated.
//
// # Sources and precedence
//
// New returns the defaults. Load then applies, each overriding the previous:
//
//  1. a redis.conf-style file, the first argument when it does not start with
//     "--". Lines are "name arg..." split like Redis's sdssplitargs ("double
//     quotes" with \n \xHH escapes, 'single quotes'); a line starting with '#'
//     is a comment. include reads another file in place. rename-command,
//     user, aclfile and loadmodule are refused with a clear error: ignoring
//     them would weaken what the file asks for.
//  2. environment variables ANAX_<NAME>: ANAX_PORT=7000,
//     ANAX_PROTO_MAX_BULK_LEN=1gb, ANAX_SAVE="900 1 300 10". Any other
//     ANAX_ variable is an error, so a typo never goes unnoticed.
//  3. flags: --port 7000, --port=7000, --save 900 1 300 10, --save "" and a
//     bool alone (--appendonly means yes).
//
// A value of several words (save, bind, client-output-buffer-limit) may be
// given as several arguments or as one quoted argument. Within one source,
// several "save" lines add up, as in redis.conf; a later source replaces the
// save points of an earlier one (Redis would add the flags' points to the
// file's). Errors name the source and stop the load, leaving the Config
// unchanged: "config file /etc/anax.conf line 3: unknown directive "foo"",
// "flag --port: value "abc" is not an integer", "environment variable
// ANAX_HZ: ...".
//
// # Settings without effect
//
// Every parameter redis-server 7.0 or 7.2 has is a parameter here too, so a
// stock redis.conf loads. Those Anax has no counterpart for (replication,
// cluster, TLS, the append-only file, allocator and process tuning...) are
// marked with the reason (inert.go): CONFIG GET shows them with Redis's
// defaults, CONFIG SET refuses the immutable ones as Redis does, and the
// server names those the startup sources gave in one warning line
// (StartupWarning) and logs a CONFIG SET of one (NoEffect). Redis's hidden
// test knobs are left out of CONFIG GET patterns; the deprecated
// list-max-ziplist-entries/value and lua-replicate-commands are ignored.
//
// # Runtime
//
// Get, Set/SetLocal and Rewrite implement CONFIG GET, SET and REWRITE with
// redis-server 7's semantics and exact error replies (the error texts start
// with "ERR "). Set is all-or-nothing over several parameters. Immutable
// parameters (port, bind, databases, threads, ...) refuse CONFIG SET;
// protected ones (dir, dbfilename) refuse it unless enable-protected-configs
// allows. Rewrite keeps the file's comments and order. OnChange registers a
// hook that runs when a value changes; Validate registers a veto, for values
// Anax cannot honour yet.
//
// # Concurrency
//
// Reads are lock-free: the values are an immutable snapshot behind an atomic
// pointer, so Int, Bool, String, Strings and Get are safe on every goroutine
// and a multi-parameter Set becomes visible at once. Writes (Load, Set,
// Rewrite, hook registration) are rare and serialized by a mutex. Int costs a
// map lookup; IntFunc returns a reader without it for hot paths.
//
// # Differences from redis-server 7
//
//   - port and bind cannot be changed at runtime (Redis re-binds).
//   - dir is stored as an absolute path and validated, but the process does
//     not chdir into it; use String("dir") to build file paths.
//   - Memory values that do not fit in an int64 are refused (Redis wraps).
//   - CONFIG SET of a name and its alias in one call is a duplicate (Redis
//     7.0 accepts it and the last one wins).
//   - CONFIG GET replies are sorted by name (Redis's order is arbitrary).
//   - loglevel accepts "nothing" and set-max-listpack-* exist, as in Redis
//     7.2.
//   - requirepass is a plain parameter; Redis 7 also writes it as an ACL
//     "user default" line on CONFIG REWRITE.
//   - CONFIG REWRITE writes only the client-output-buffer-limit classes that
//     differ from their defaults (Redis also rewrites default classes into
//     existing lines, so its second rewrite moves lines around).
//   - Flags --name=value and a bool flag alone are extensions; a value that
//     starts with "--" is taken only by string parameters.
package config
