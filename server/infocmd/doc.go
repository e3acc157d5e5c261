// Package infocmd is the INFO command: which sections a request names, and
// each section's fields, in Redis 7.2's order and format
// (genRedisInfoString), so that redis-cli, redis_exporter and the
// dashboards built on them read Anax unchanged.
//
// The server owns the figures and this package owns the text. INFO reaches
// the server only through Source, which the server implements
// (server/env_info.go) and which the command finds by a type assertion on
// its command.Env; like every command family, this package imports no
// server package but server/command. What it measures itself is process
// wide and needs no server: the Go runtime's memory classes
// (ReadMemFigures), the resident set from /proc (ProcessRSS), the host's
// memory and name, CPU times.
//
// Figures Anax does not have (forks, replication, Lua) are reported as an
// idle Redis reports them. Anax adds anax_version to the server section
// and an "anax" section (shards, hops, the transaction scheduler, Go
// runtime figures) to "all" and "everything".
//
// Rendering reads only atomics and figures the shards publish, never a
// shard's own state, so it may run on any goroutine: a connection's event
// loop (the INFO command) or an HTTP handler (the console).
package infocmd
