package main_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// buildAnax builds the binary once per test run, as a user's `make build`
// would.
func buildAnax(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "anax")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startAnax runs the binary and waits for its ready line.
func startAnax(t *testing.T, bin string, env []string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = t.TempDir() // where a snapshot saved on exit goes
	cmd.Env = append(os.Environ(), env...)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	waitReady(t, stdout, func(string) {}, 10*time.Second)
}

// waitReady reads the server's log lines from out, handing each to keep,
// until the ready line; it fails the test if the server exits first or
// takes longer than d. It goes on reading (and keeping) in the background.
func waitReady(t *testing.T, out io.Reader, keep func(line string), d time.Duration) {
	t.Helper()
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			keep(sc.Text())
			if strings.Contains(sc.Text(), "Ready to accept connections") {
				ready <- true
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("anax exited before it was ready")
		}
	case <-time.After(d):
		t.Fatal("anax did not log 'Ready to accept connections'")
	}
}

func ping(t *testing.T, addr string) string {
	t.Helper()
	r := servertest.Dial(t, addr)
	return r.Do("PING")
}

func TestStartupSources(t *testing.T) {
	bin := buildAnax(t)

	t.Run("flags", func(t *testing.T) {
		port := servertest.FreePort(t)
		startAnax(t, bin, nil, "--port", fmt.Sprint(port), "--threads=2")
		if got := ping(t, fmt.Sprintf("127.0.0.1:%d", port)); got != "+PONG\r\n" {
			t.Fatalf("PING = %q", got)
		}
	})
	t.Run("env", func(t *testing.T) {
		port := servertest.FreePort(t)
		startAnax(t, bin, []string{fmt.Sprintf("ANAX_PORT=%d", port), "ANAX_REQUIREPASS=s3cret"})
		r := servertest.Dial(t, fmt.Sprintf("127.0.0.1:%d", port))
		if got := r.Do("GET", "k"); got != "-NOAUTH Authentication required.\r\n" {
			t.Fatalf("GET before AUTH = %q", got)
		}
		if got := r.Do("AUTH", "wrong"); !strings.HasPrefix(got, "-WRONGPASS") {
			t.Fatalf("AUTH wrong = %q", got)
		}
		if got := r.Do("AUTH", "s3cret"); got != "+OK\r\n" {
			t.Fatalf("AUTH = %q", got)
		}
	})
	t.Run("file", func(t *testing.T) {
		port := servertest.FreePort(t)
		conf := filepath.Join(t.TempDir(), "anax.conf")
		os.WriteFile(conf, []byte(fmt.Sprintf("# test\nport %d\ndatabases 4\n", port)), 0o600)
		startAnax(t, bin, nil, conf)
		r := servertest.Dial(t, fmt.Sprintf("127.0.0.1:%d", port))
		if got := r.Do("SELECT", "4"); got != "-ERR DB index is out of range\r\n" {
			t.Fatalf("SELECT 4 = %q", got)
		}
		if got := r.Do("SELECT", "3"); got != "+OK\r\n" {
			t.Fatalf("SELECT 3 = %q", got)
		}
	})
}

func TestStartupErrors(t *testing.T) {
	bin := buildAnax(t)
	conf := filepath.Join(t.TempDir(), "bad.conf")
	os.WriteFile(conf, []byte("port 7000\nno-such-directive yes\n"), 0o600)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--no-such-flag", "1"}, "no-such-flag"},
		{[]string{"--port", "abc"}, "port"},
		{[]string{conf}, "line 2"},
	}
	for _, c := range cases {
		out, err := exec.Command(bin, c.args...).CombinedOutput()
		if err == nil {
			t.Errorf("%v: started, want an error", c.args)
			continue
		}
		if !strings.Contains(string(out), c.want) {
			t.Errorf("%v: output %q does not mention %q", c.args, out, c.want)
		}
	}
}

// TestPortInUse reports a clear error instead of hanging.
func TestPortInUse(t *testing.T) {
	bin := buildAnax(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1")
	cmd.Dir = t.TempDir() // where a snapshot saved on exit goes
	done := make(chan error, 1)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatalf("exit 0 with the port in use: %s", out.String())
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("anax kept running with its port in use: %s", out.String())
	}
}

// TestSchedulerProcs: the binary runs one Go P more than it has event loops
// while there are fewer loops than cores, unless GOMAXPROCS is set in the
// environment (INFO anax shows it).
func TestSchedulerProcs(t *testing.T) {
	bin := buildAnax(t)
	cases := []struct {
		env  []string
		want string
	}{
		{[]string{"GOMAXPROCS="}, "gomaxprocs:2"},
		{[]string{"GOMAXPROCS=5"}, "gomaxprocs:5"},
	}
	for _, c := range cases {
		port := servertest.FreePort(t)
		startAnax(t, bin, c.env, "--port", fmt.Sprint(port), "--threads", "1")
		info := servertest.Dial(t, fmt.Sprintf("127.0.0.1:%d", port)).Do("INFO", "anax")
		if !strings.Contains(info, c.want+"\r\n") {
			t.Errorf("%v: INFO anax does not have %q:\n%s", c.env, c.want, info)
		}
	}
}

// TestSchedulerProcsIdleSpare: with a loop per core the binary starts with a
// P per loop, and an idle server gets one more within a few samples of
// procsTuner (the busy direction is TestProcsTunerHysteresis's).
func TestSchedulerProcsIdleSpare(t *testing.T) {
	cpus := runtime.NumCPU()
	port := servertest.FreePort(t)
	startAnax(t, buildAnax(t), []string{"GOMAXPROCS="}, "--port", fmt.Sprint(port), "--threads", fmt.Sprint(cpus), "--save", "")
	r := servertest.Dial(t, fmt.Sprintf("127.0.0.1:%d", port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := infoInt(t, r, "gomaxprocs")
		if n == int64(cpus)+1 {
			return
		}
		if n != int64(cpus) {
			t.Skipf("gomaxprocs %d with %d loops on %d CPUs: the process is allowed fewer CPUs than it sees", n, cpus, cpus)
		}
		if time.Now().After(deadline) {
			t.Fatalf("gomaxprocs still %d after 10 s idle with %d loops on %d CPUs", n, cpus, cpus)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
