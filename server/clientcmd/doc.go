// Package clientcmd is CLIENT (Redis's clientCommand in networking.c): ID,
// INFO, LIST, KILL, SETNAME, GETNAME, SETINFO, REPLY, NO-EVICT, NO-TOUCH,
// GETREDIR, TRACKINGINFO and HELP; the CLIENT LIST line and the KILL
// filters.
//
// What CLIENT reads and sets is a connection's state, which stays the
// server's (its Client, the registry of clients, the reply modes dispatch
// applies). The commands see one connection as a Session and the server as
// a Host (session.go); the server implements both (server/env_clientcmd.go)
// and lends Host by a type assertion on Exec.Env. Neither is part of
// command.Env because no other family needs them.
//
// Where they run. CLIENT is command.FlagLoop: it runs on the caller's
// connection loop, so the caller's own Session may be read and changed
// freely. LIST and KILL also look at other connections, which other loops
// own; what they may read of those is stated on Session (immutable,
// atomic, or guarded by the client's lock), and buffer sizes are exact only
// for connections of the caller's own loop (Host.OnCallersLoop).
//
// CLIENT is a container: its Run is command.RunSubcommand, which the server
// answers with the subcommand's arity checks, Redis's errors and
// per-subcommand statistics.
//
// Like every family, clientcmd imports server/command and never package
// server or another family.
package clientcmd
