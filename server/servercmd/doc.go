// Package servercmd is the server-administration commands (Redis's
// config.c, object.c's MEMORY and server.c's TIME, LASTSAVE, WAIT and
// SHUTDOWN): CONFIG GET, SET, RESETSTAT, REWRITE and HELP; MEMORY USAGE,
// STATS, DOCTOR, MALLOC-STATS, PURGE and HELP; TIME; LASTSAVE; WAIT;
// SHUTDOWN.
//
// What these commands read or change is the server's, not a shard's: its
// configuration, its statistics, its memory figures, its life. They reach
// it through Host, which the server implements beside command.Env
// (server/env_servercmd.go) and which they find by a type assertion on
// Exec.Env. Host is not part of command.Env because no other family needs
// it. The server keeps what is its own state: the statistics that CONFIG
// RESETSTAT clears, the peak that MEMORY STATS reports, the connections.
//
// Where they run. Every command here but MEMORY is command.FlagLoop: it
// runs on the connection's loop, so Exec.Client is at hand (CONFIG SET
// asks whether the client is local; SHUTDOWN closes its connection).
// MEMORY is routed by its key (memoryKeys): MEMORY USAGE runs on the key's
// shard and reads the entry there; the keyless subcommands run on the
// connection's own shard and read only figures every shard publishes.
//
// CONFIG and MEMORY are containers: their Run is command.RunSubcommand,
// which the server answers with the subcommand's arity checks, Redis's
// errors and per-subcommand statistics.
//
// Like every family, servercmd imports server/command and never package
// server or another family.
package servercmd
