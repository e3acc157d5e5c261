// Package metrics serves Anax's figures in the Prometheus text format.
//
// Names follow redis_exporter's (redis_up, redis_memory_used_bytes,
// redis_commands_total{cmd}, redis_db_keys{db="db0"}, ...) so that the
// Grafana dashboards and alert rules written for redis_exporter work against
// Anax's own /metrics with no exporter in between; figures only Anax has
// (shards, hops, transactions, the Go runtime) use the prefix anax_.
//
// The package does not know the server: it reads a Snapshot through the
// Stats interface, which the server implements from counters it already
// publishes (atomics, per-shard published sizes). Collecting must never
// wait on a shard: no hop, no transaction, no lock a shard holds while it runs
// commands. The Go runtime figures come from runtime/metrics, which does
// not stop the world.
package metrics
