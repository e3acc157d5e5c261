package main_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anaxdb/anax/config"
	"github.com/anaxdb/anax/internal/servertest"
	"github.com/anaxdb/anax/server"
	"golang.org/x/sys/unix"
)

// startAnaxLog is startAnax that also returns the log lines read so far
// (safe to call at any time).
func startAnaxLog(t *testing.T, bin string, env []string, args ...string) func() []string {
	t.Helper()
	var mu sync.Mutex
	var lines []string
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
	waitReady(t, stdout, func(l string) { mu.Lock(); lines = append(lines, l); mu.Unlock() }, 10*time.Second)
	return func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), lines...) }
}

// stockConf is the stock redis.conf of Redis 7.0 when installed, else the
// directives of 7.2's.
func stockConf(t *testing.T) string {
	if _, err := os.Stat("/etc/redis/redis.conf"); err == nil {
		if _, err := os.Stat("/var/lib/redis"); err == nil {
			return "/etc/redis/redis.conf"
		}
	}
	abs, _ := filepath.Abs("../../config/testdata/redis-7.2-stock.conf")
	return abs
}

// TestStockRedisConfStarts starts the binary with a stock redis.conf (its
// daemonize, pidfile, logfile, dir and port overridden by flags): it
// serves, and names the directives without effect in one warning line.
func TestStockRedisConfStarts(t *testing.T) {
	bin := buildAnax(t)
	dir := t.TempDir()
	port := servertest.FreePort(t)
	lines := startAnaxLog(t, bin, nil, stockConf(t), "--port", fmt.Sprint(port), "--daemonize", "no",
		"--logfile", "", "--pidfile", "", "--dir", dir, "--threads", "2")
	if got := ping(t, fmt.Sprintf("127.0.0.1:%d", port)); got != "+PONG\r\n" {
		t.Fatalf("PING = %q", got)
	}
	var warn []string
	for _, l := range lines() {
		if strings.Contains(l, "have no effect in Anax") {
			warn = append(warn, l)
		}
		if strings.Contains(l, "ERROR") {
			t.Errorf("error logged: %s", l)
		}
	}
	if len(warn) != 1 || !strings.Contains(warn[0], "WARN") || !strings.Contains(warn[0], "activerehashing") {
		t.Fatalf("want one warning line naming the directives, got %q", warn)
	}
}

// TestDaemonizePidfile: daemonize yes returns once the detached server
// listens, the pidfile names it, and a clean exit removes the pidfile.
func TestDaemonizePidfile(t *testing.T) {
	bin := buildAnax(t)
	dir := t.TempDir()
	port := servertest.FreePort(t)
	pidfile, logfile := filepath.Join(dir, "anax.pid"), filepath.Join(dir, "anax.log")
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--daemonize", "yes", "--pidfile", pidfile,
		"--logfile", logfile, "--threads", "1", "--save", "")
	cmd.Dir = t.TempDir() // where a snapshot saved on exit goes
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("anax --daemonize yes: %v\n%s", err, out)
	}
	b, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatalf("pidfile: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid == cmd.Process.Pid {
		t.Fatalf("pidfile holds %q (parent was %d)", b, cmd.Process.Pid)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	if got := ping(t, fmt.Sprintf("127.0.0.1:%d", port)); got != "+PONG\r\n" {
		t.Fatalf("PING = %q", got)
	}
	if sid, _ := unix.Getsid(pid); sid != pid {
		t.Errorf("the daemon is not a session leader: sid %d, pid %d", sid, pid)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(pidfile); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("pidfile still there after SIGTERM")
		}
	}
	// The pidfile goes just before the last log line, as in Redis.
	var log []byte
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		log, _ = os.ReadFile(logfile)
		if strings.Contains(string(log), "bye bye") || time.Now().After(deadline) {
			break
		}
	}
	if !strings.Contains(string(log), "Ready to accept connections") || !strings.Contains(string(log), "bye bye") {
		t.Errorf("log file:\n%s", log)
	}
	t.Logf("daemonized in %v", time.Since(start))

	// A daemon that cannot start makes the parent fail, with the reason.
	cmd = exec.Command(bin, "--port", fmt.Sprint(port), "--daemonize", "yes", "--logfile", "/nonexistent/dir/x.log")
	cmd.Dir = t.TempDir() // where a snapshot saved on exit goes
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "log file") {
		t.Errorf("daemonize with a bad logfile: %v %q", err, out)
	}
}

// TestLogfileReopen: the log goes to logfile, and SIGHUP reopens it by name
// after logrotate moved it.
func TestLogfileReopen(t *testing.T) {
	bin := buildAnax(t)
	dir := t.TempDir()
	port := servertest.FreePort(t)
	logfile := filepath.Join(dir, "anax.log")
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--logfile", logfile, "--threads", "1")
	cmd.Dir = t.TempDir() // where a snapshot saved on exit goes
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitFile(t, logfile, "Ready to accept connections")
	if err := os.Rename(logfile, logfile+".1"); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFile(t, logfile, "Log file reopened")
	r := servertest.Dial(t, fmt.Sprintf("127.0.0.1:%d", port))
	if got := r.Do("CONFIG", "SET", "activerehashing", "no"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET = %q", got)
	}
	waitFile(t, logfile, `activerehashing set to "no" has no effect`)
	old, _ := os.ReadFile(logfile + ".1")
	if strings.Contains(string(old), "reopened") {
		t.Errorf("the old file got lines after SIGHUP:\n%s", old)
	}
}

func waitFile(t *testing.T, path, want string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never got %q:\n%s", path, want, b)
		}
	}
}

// TestSupervisedSystemd: READY=1 reaches $NOTIFY_SOCKET once the server
// listens, STOPPING=1 at exit.
func TestSupervisedSystemd(t *testing.T) {
	bin := buildAnax(t)
	sock := filepath.Join(t.TempDir(), "notify.sock")
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := servertest.FreePort(t)
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--supervised", "systemd", "--threads", "1")
	cmd.Dir = t.TempDir() // where a snapshot saved on exit goes
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	buf := make([]byte, 512)
	_ = ln.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := ln.Read(buf)
	if err != nil || !strings.HasPrefix(string(buf[:n]), "READY=1\n") || !strings.Contains(string(buf[:n]), "STATUS=") {
		t.Fatalf("notification %q, %v", buf[:n], err)
	}
	if got := ping(t, fmt.Sprintf("127.0.0.1:%d", port)); got != "+PONG\r\n" {
		t.Fatalf("PING = %q", got)
	}
	// SIGHUP without a log file (systemctl reload) leaves the server be.
	_ = cmd.Process.Signal(syscall.SIGHUP)
	time.Sleep(100 * time.Millisecond)
	if got := ping(t, fmt.Sprintf("127.0.0.1:%d", port)); got != "+PONG\r\n" {
		t.Fatalf("PING after SIGHUP = %q", got)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	n, err = ln.Read(buf)
	if err != nil || string(buf[:n]) != "STOPPING=1\n" {
		t.Fatalf("notification at exit %q, %v", buf[:n], err)
	}
}

// TestIdleTimeout: timeout closes an idle client, not one blocked in BLPOP.
func TestIdleTimeout(t *testing.T) {
	bin := buildAnax(t)
	port := servertest.FreePort(t)
	startAnax(t, bin, nil, "--port", fmt.Sprint(port), "--timeout", "1", "--threads", "2")
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	blocked := servertest.Dial(t, addr)
	blocked.SendArgs("BLPOP", "nokey", "0")
	_ = idle.SetReadDeadline(time.Now().Add(8 * time.Second))
	start := time.Now()
	if _, err := bufio.NewReader(idle).ReadByte(); err == nil || time.Since(start) > 7*time.Second {
		t.Fatalf("idle client not closed: %v after %v", err, time.Since(start))
	}
	if got := servertest.Dial(t, addr).Do("LPUSH", "nokey", "v"); got != ":1\r\n" {
		t.Fatalf("LPUSH = %q", got)
	}
	if got := blocked.Read(); got != "*2\r\n$5\r\nnokey\r\n$1\r\nv\r\n" {
		t.Fatalf("the blocked client got %q", got)
	}
}

// TestHelpAndVersion: --help lists every setting of the table CONFIG uses,
// with its default; --version prints the version.
func TestHelpAndVersion(t *testing.T) {
	bin := buildAnax(t)
	out, err := exec.Command(bin, "--help").Output()
	if err != nil {
		t.Fatal(err)
	}
	help := string(out)
	for _, p := range config.Params() {
		if p.Hidden {
			continue
		}
		def := p.Default
		if def == "" {
			def = `""`
		}
		if p.Name == "dir" {
			def = "" // the working directory of the run
		}
		if !strings.Contains(help, "  --"+p.Name+" "+p.Type+" (default "+def) {
			t.Errorf("--help does not list %s with default %q", p.Name, def)
		}
	}
	if !strings.Contains(help, "without effect in Anax") || !strings.Contains(help, "--tls-port int (default 0)\n      Anax has no TLS") {
		t.Errorf("--help does not separate the settings without effect")
	}
	out, err = exec.Command(bin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "Anax v="+server.AnaxVersion+" (redis compatible "+server.Version+")") {
		t.Errorf("--version: %q %v", out, err)
	}
}
