// Package debugcmd is DEBUG (Redis's debug.c), the subset that tests and
// tools use: HELP, SLEEP, OBJECT, POPULATE, LOG and ERROR.
//
// Permission. Like Redis 7, DEBUG is refused unless enable-debug-command
// is "yes", or "local" and the client is local. What the setting means
// (Allowed) and the refusal (ErrNotAllowed) belong here; whether a client
// is local is the server's to say (Host.ClientIsLocal), since only it
// knows the connections and the addresses it listens on. The server also
// applies Allowed when DEBUG is queued inside MULTI, as Redis refuses it
// there before EXEC.
//
// Pieces. DEBUG runs on every shard at once (command.FlagAllShards), in
// one piece per shard when there are several:
//
//   - POPULATE writes on each shard the keys that belong to it;
//   - OBJECT looks on the key's shard only, which leaves the line in its
//     Result;
//   - SLEEP sleeps on every shard, so it stops the whole server, as it
//     stops Redis;
//   - LOG writes once, from the piece of shard 0;
//   - HELP and ERROR need no shard: the pieces do nothing and merge
//     answers.
//
// A piece never writes a reply: merge writes it from the pieces' results
// once none failed (command.Merge answers a failed piece's error).
//
// Like every family, debugcmd imports server/command and never package
// server: the server reaches it through command.Env and Host, which the
// server implements (server/env_debugcmd.go).
package debugcmd
