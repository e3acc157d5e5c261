// Package slowlog is the slow log and the latency monitor of a server
// (Redis's slowlog.c and latency.c): the Monitor that records slow
// commands, and the SLOWLOG and LATENCY commands that read it.
//
// Recording. A command's duration is compared once with the smaller of the
// two thresholds (slowlog-log-slower-than in µs, latency-monitor-threshold
// in ms; math.MaxInt64 when both are off), kept in an atomic that CONFIG
// SET refreshes: Monitor.Notable. That single comparison is all a command
// pays when it is not slow; a slow one takes the monitor's mutex.
//
//   - Commands that hopped or ran in a transaction are timed one by one and
//     recorded with their own duration (Monitor.Note).
//   - Commands run inline on the connection's loop are not timed one by
//     one: the batch they were parsed from is (Monitor.NoteBatch). When a
//     batch is slow, its time is given to its commands that are not
//     command.FlagFast (to all of them when every one is fast), shared
//     equally, and those whose share reaches a threshold are recorded. A
//     lone slow command (the usual case: DEBUG SLEEP, KEYS *) is thus
//     recorded with its own time; a slow command pipelined with other slow
//     ones shares the batch's time. Their arguments are the batch's slices
//     into the read buffer, valid for the call, and copied only when
//     recorded.
//
// Entries keep at most MaxArgs arguments of at most 128 bytes each, as
// Redis does, and secrets are replaced by "(redacted)" (AUTH, HELLO ...
// AUTH, CONFIG SET of a sensitive parameter, MIGRATE ... AUTH/AUTH2). An
// entry is never changed once recorded, so readers may share its Args.
//
// The server knows the connections: it passes the client's address and
// name as strings. The commands reach the Monitor through Host, which the
// server implements beside command.Env.
package slowlog
