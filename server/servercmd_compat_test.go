package server_test

import (
	"strings"
	"testing"

	"github.com/anaxdb/anax/internal/servertest"
)

// TestModuleMatchesRedis compares MODULE with a redis-server that has no
// module loaded, with enable-module-command at its default ("no") and at
// "yes": LIST is empty, LOAD, LOADEX and UNLOAD fail with Redis's replies
// (refused outright while the setting says no, in MULTI too), HELP and the
// errors of bad subcommands and arities are Redis's.
func TestModuleMatchesRedis(t *testing.T) {
	lines := [][]string{
		{"MODULE", "LIST"},
		{"MODULE", "LOAD", "/nonexistent/module.so"},
		{"MODULE", "LOAD", "/nonexistent/module.so", "arg1", "arg2"},
		{"MODULE", "LOADEX", "/nonexistent/module.so", "CONFIG", "name", "value", "ARGS", "a"},
		{"MODULE", "UNLOAD", "nosuch"},
		{"MODULE", "HELP"},
		{"MODULE", "help"},
		{"MODULE", "NOSUCH"},
		{"MODULE", "LOAD"},
		{"MODULE", "UNLOAD"},
		{"MODULE", "LIST", "extra"},
		{"MODULE"},
		{"MULTI"}, {"MODULE", "LOAD", "/x.so"}, {"MODULE", "LIST"}, {"EXEC"},
		{"MULTI"}, {"MODULE", "UNLOAD", "x"}, {"EXEC"},
		{"EVAL", "return redis.call('module', 'list')", "0"},
	}
	for _, setting := range []string{"no", "yes"} {
		o := servertest.StartOracle(t, "--enable-module-command", setting)
		for _, threads := range []string{"1", "4"} {
			a := servertest.Dial(t, servertest.Start(t, "--threads", threads, "--enable-module-command", setting))
			r := servertest.Dial(t, o.Addr)
			for _, line := range lines {
				ga, gr := a.Do(line...), r.Do(line...)
				if ga != gr {
					t.Errorf("enable-module-command %s, threads %s: %q:\n anax:  %q\n redis: %q", setting, threads, line, ga, gr)
				}
			}
		}
	}
}

// TestRoleAndClusterCommandsMatchRedis: ROLE answers as a master without
// replicas; READONLY, READWRITE and ASKING as a server without cluster
// mode; in MULTI and in scripts too.
func TestRoleAndClusterCommandsMatchRedis(t *testing.T) {
	lines := [][]string{
		{"ROLE"}, {"role"}, {"ROLE", "x"},
		{"READONLY"}, {"READWRITE"}, {"ASKING"}, {"READONLY", "x"},
		{"MULTI"}, {"ROLE"}, {"READONLY"}, {"EXEC"},
		{"EVAL", "return redis.pcall('readonly')", "0"},
		{"EVAL", "return redis.pcall('role')", "0"},
	}
	o := servertest.StartOracle(t)
	for _, threads := range []string{"1", "4"} {
		a := servertest.Dial(t, servertest.Start(t, "--threads", threads))
		r := servertest.Dial(t, o.Addr)
		for _, proto := range []string{"2", "3"} {
			a.Do("HELLO", proto)
			r.Do("HELLO", proto)
			for _, line := range lines {
				if ga, gr := a.Do(line...), r.Do(line...); ga != gr {
					t.Errorf("threads %s, RESP%s: %q:\n anax:  %q\n redis: %q", threads, proto, line, ga, gr)
				}
			}
		}
	}
}

// TestConfigMaxmemoryClientsMatchesRedis: maxmemory-clients (accepted
// without effect) takes what Redis takes, a memory size or a percentage up
// to 100, with Redis's errors, and CONFIG GET shows it as Redis does; an
// error in it fails a CONFIG SET of several parameters as Redis's.
func TestConfigMaxmemoryClientsMatchesRedis(t *testing.T) {
	o := servertest.StartOracle(t)
	a, r := servertest.Dial(t, servertest.Start(t)), servertest.Dial(t, o.Addr)
	for _, v := range []string{"200%", "100%", "0%", "101%", "-1%", "5", "abc%", "1.5%", "", "10mb", "%", "+5%", "05%", "1k", "1KB", " 5", "-5", "7%"} {
		for _, line := range [][]string{{"CONFIG", "SET", "maxmemory-clients", v}, {"CONFIG", "GET", "maxmemory-clients"}} {
			if ga, gr := a.Do(line...), r.Do(line...); ga != gr {
				t.Errorf("%q:\n anax:  %q\n redis: %q", line, ga, gr)
			}
		}
	}
	line := []string{"CONFIG", "SET", "maxmemory", "10000001", "maxmemory-clients", "200%", "client-query-buffer-limit", "invalid"}
	if ga, gr := a.Do(line...), r.Do(line...); ga != gr {
		t.Errorf("%q:\n anax:  %q\n redis: %q", line, ga, gr)
	}
}

// TestConfigValidationMatchesRedis: parameters accepted without effect
// still take only what Redis takes, with its errors, and CONFIG GET shows
// what Redis shows (oom-score-adj-values, proc-title-template,
// cluster-announce-hostname, repl-backlog-size's least size), and a byte
// count beyond 64 bits fails on the parameter's range, as Redis's.
func TestConfigValidationMatchesRedis(t *testing.T) {
	o := servertest.StartOracle(t)
	a, r := servertest.Dial(t, servertest.Start(t)), servertest.Dial(t, o.Addr)
	values := map[string][]string{
		"oom-score-adj-values":      {"1 2", "0 2000 800", "a b c", "+5 -5 0", "+-5 1 1", "0 200 800 9", "", "1  2", "-2001 0 0", "007 1 1", "0 200 800"},
		"proc-title-template":       {"", "{title}", "{title} {port}", "{nosuch}", "{{", "{port", "x}", " {server-mode} ", "{config-file}", "{unixsocket}", "a{{b}", "{title} {listen-addr} {server-mode}"},
		"cluster-announce-hostname": {"a.b-c", "a_b", "x y", strings.Repeat("h", 256), ""},
		"repl-backlog-size":         {"100", "16384", "20000", "1mb"},
		"client-query-buffer-limit": {"99999999999999999999", "99999999999999999999kb", "1gb"},
		"hll-sparse-max-bytes":      {"99999999999999999999", "3000"},
	}
	for _, name := range []string{"oom-score-adj-values", "proc-title-template", "cluster-announce-hostname", "repl-backlog-size", "client-query-buffer-limit", "hll-sparse-max-bytes"} {
		for _, v := range values[name] {
			for _, line := range [][]string{{"CONFIG", "SET", name, v}, {"CONFIG", "GET", name}} {
				if ga, gr := a.Do(line...), r.Do(line...); ga != gr {
					t.Errorf("%q:\n anax:  %q\n redis: %q", line, ga, gr)
				}
			}
		}
	}
}
