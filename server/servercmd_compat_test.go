package server_test

import (
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
