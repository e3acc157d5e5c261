package main_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// proc is a running anax binary: its address, pid and log.
type proc struct {
	addr string
	cmd  *exec.Cmd
	mu   sync.Mutex
	log  bytes.Buffer
}

func (p *proc) logged(sub string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Contains(p.log.String(), sub)
}

// rss returns the process's resident memory in bytes.
func (p *proc) rss(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// info returns one field of INFO.
func (p *proc) info(t *testing.T, field string) int64 {
	t.Helper()
	r := servertest.Dial(t, p.addr)
	for _, line := range strings.Split(r.Do("INFO", "everything"), "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	t.Fatalf("INFO has no %s", field)
	return 0
}

// runProc starts bin (through wrap, e.g. prlimit, when given) on a free
// port and waits until it is ready. asNobody runs it without root's
// privileges (it cannot raise its file limit past the hard one).
func runProc(t *testing.T, bin string, wrap []string, asNobody bool, args ...string) *proc {
	t.Helper()
	p := &proc{addr: fmt.Sprintf("127.0.0.1:%d", servertest.FreePort(t))}
	_, port, _ := net.SplitHostPort(p.addr)
	argv := append(append(wrap, bin, "--port", port, "--bind", "127.0.0.1"), args...)
	p.cmd = exec.Command(argv[0], argv[1:]...)
	p.cmd.Dir = t.TempDir() // where a snapshot saved on exit goes
	if asNobody {
		p.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		// A directory nobody may enter and write (the test's own is
		// private to its owner).
		dir, err := os.MkdirTemp("", "anax-nobody-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		if err := os.Chmod(dir, 0o777); err != nil {
			t.Fatal(err)
		}
		p.cmd.Dir = dir
	}
	out, _ := p.cmd.StdoutPipe()
	p.cmd.Stderr = p.cmd.Stdout
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = p.cmd.Process.Kill()
		}
		if t.Failed() {
			p.mu.Lock()
			t.Logf("anax log:\n%s", p.log.String())
			p.mu.Unlock()
		}
	})
	waitReady(t, out, func(line string) {
		p.mu.Lock()
		p.log.WriteString(line + "\n")
		p.mu.Unlock()
	}, 15*time.Second)
	return p
}

// buildShared builds the binary where any user may run it.
func buildShared(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "anax-bin-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "anax")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestLowFileLimit: with 'ulimit -n 256' and maxclients 1000 the server
// lowers maxclients to what the limit allows (warning as Redis does),
// refuses the excess with Redis's error, and keeps serving the clients it
// has; nothing stops.
func TestLowFileLimit(t *testing.T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("prlimit is not installed")
	}
	bin := buildShared(t)
	p := runProc(t, bin, []string{prlimit, "--nofile=256:256", "--"}, os.Geteuid() == 0,
		"--threads", "2", "--maxclients", "1000")
	const allowed = 256 - 32 - 2*2 // the reserve: 32 plus each loop's two
	if !p.logged(fmt.Sprintf("maxclients has been reduced to %d", allowed)) {
		t.Fatalf("no warning that maxclients was reduced to %d", allowed)
	}
	var conns []net.Conn
	var served, refused int
	for i := 0; i < 300; i++ {
		c, err := net.Dial("tcp", p.addr)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		conns = append(conns, c)
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = c.Write([]byte("PING\r\n"))
		line, _ := bufio.NewReader(c).ReadString('\n')
		switch line {
		case "+PONG\r\n":
			served++
		case "-ERR max number of clients reached\r\n":
			refused++
		default:
			t.Fatalf("connection %d read %q", i, line)
		}
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	if served != allowed || refused != 300-allowed {
		t.Errorf("served %d, refused %d; want %d and %d", served, refused, allowed, 300-allowed)
	}
	// The clients it has are still served.
	for _, c := range conns[:5] {
		_, _ = c.Write([]byte("PING\r\n"))
		if line, _ := bufio.NewReader(c).ReadString('\n'); line != "+PONG\r\n" {
			t.Fatalf("connected client after the excess was refused: %q", line)
		}
	}
	for _, c := range conns[:20] {
		c.Close()
	}
	time.Sleep(200 * time.Millisecond)
	resp, err := http.Get("http://" + p.addr + "/healthz")
	if err != nil {
		t.Fatalf("/healthz after the storm: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/healthz: %d", resp.StatusCode)
	}
	if n := p.info(t, "rejected_connections"); n != int64(300-allowed) {
		t.Errorf("rejected_connections = %d, want %d", n, 300-allowed)
	}
	if n := p.info(t, "maxclients"); n != allowed {
		t.Errorf("INFO maxclients = %d, want %d", n, allowed)
	}
}

// setBig stores a value of n bytes under key.
func setBig(t *testing.T, addr, key string, n int) {
	t.Helper()
	r := servertest.Dial(t, addr)
	if got := r.Do("SET", key, strings.Repeat("v", n)); got != "+OK\r\n" {
		t.Fatalf("SET: %q", got)
	}
}

// waitFor polls cond for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cond()
}

// TestClientNotReadingIsBounded: a client that pipelines GETs of a big
// value and never reads costs about one reply plus the high-water mark,
// not all of them (300 GETs of 4 MB would be 1.2 GB), and everything is
// given back when it leaves. With a hard limit set it is closed at the
// limit, as Redis closes it. The Memcached port gets the same treatment.
func TestClientNotReadingIsBounded(t *testing.T) {
	bin := buildShared(t)
	mcPort := servertest.FreePort(t)
	p := runProc(t, bin, nil, false, "--threads", "2", "--memcached_port", fmt.Sprint(mcPort))
	setBig(t, p.addr, "big", 4<<20)
	setBig(t, p.addr, "item", 512<<10) // database 0 is the Memcached keyspace too
	base := p.rss(t)

	// The Memcached port: 2,000 unread gets of a 512 KB item (1 GB).
	mc, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", mcPort))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = mc.Write(bytes.Repeat([]byte("get item\r\n"), 2000))
	time.Sleep(1500 * time.Millisecond)
	if grown := p.rss(t) - base; grown > 100<<20 {
		t.Errorf("RSS grew by %d MB behind a Memcached client that does not read", grown>>20)
	}
	mc.Close()
	if !waitFor(5*time.Second, func() bool { return p.rss(t)-base < 40<<20 }) {
		t.Errorf("RSS %d MB over the start 5 s after the Memcached client left", (p.rss(t)-base)>>20)
	}
	base = p.rss(t)
	c, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Write(bytes.Repeat([]byte("GET big\r\n"), 300))
	time.Sleep(1500 * time.Millisecond)
	if grown := p.rss(t) - base; grown > 100<<20 {
		t.Errorf("RSS grew by %d MB behind a client that does not read", grown>>20)
	}
	if got := servertest.Dial(t, p.addr).Do("PING"); got != "+PONG\r\n" {
		t.Errorf("another client: %q", got)
	}
	c.Close()
	if !waitFor(5*time.Second, func() bool { return p.rss(t)-base < 40<<20 }) {
		t.Errorf("RSS %d MB over the start 5 s after the client left", (p.rss(t)-base)>>20)
	}

	// A hard limit closes the client at the limit.
	r := servertest.Dial(t, p.addr)
	if got := r.Do("CONFIG", "SET", "client-output-buffer-limit", "normal 16mb 8mb 60"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET: %q", got)
	}
	c, err = net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = c.Write(bytes.Repeat([]byte("GET big\r\n"), 300))
	// Not reading until the server has closed the client: on a loaded
	// machine a fixed wait could end before the replies reached the limit,
	// and reading then keeps the buffer under it.
	if !waitFor(15*time.Second, func() bool { return p.info(t, "client_output_buffer_limit_disconnections") == 1 }) {
		t.Errorf("the client that does not read was not closed within 15 s")
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := io.Copy(io.Discard, c)
	if err != nil {
		t.Errorf("reading until the server closes: %v after %d bytes", err, n)
	}
	if n > 40<<20 {
		t.Errorf("read %d MB before the close; the limit is 16 MB", n>>20)
	}
	if got := p.info(t, "client_output_buffer_limit_disconnections"); got != 1 {
		t.Errorf("client_output_buffer_limit_disconnections = %d, want 1", got)
	}
	if !p.logged("closed for overcoming of output buffer limits") {
		t.Errorf("no log line for the closed client")
	}
}

// TestPartialBulkMemory: a client that declares a 512 MB bulk and sends
// 64 MB of it costs about 64 MB while it waits (not the declared size, nor
// several copies), and nothing once it is gone.
func TestPartialBulkMemory(t *testing.T) {
	bin := buildShared(t)
	p := runProc(t, bin, nil, false, "--threads", "2")
	base, baseUsed := p.rss(t), p.info(t, "used_memory")
	c, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	const sent = 64 << 20
	_, _ = c.Write([]byte("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$536870912\r\n"))
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	for i := 0; i < sent/len(chunk); i++ {
		if _, err := c.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if !waitFor(5*time.Second, func() bool { return p.info(t, "used_memory")-baseUsed >= sent }) {
		t.Fatalf("the server did not take the %d MB sent", sent>>20)
	}
	if grown := p.rss(t) - base; grown > sent*3/2 {
		t.Errorf("RSS grew by %d MB for %d MB received", grown>>20, sent>>20)
	}
	if used := p.info(t, "used_memory") - baseUsed; used > 2*sent+(8<<20) {
		t.Errorf("used_memory grew by %d MB for %d MB received", used>>20, sent>>20)
	}
	c.Close()
	if !waitFor(5*time.Second, func() bool { return p.rss(t)-base < 16<<20 }) {
		t.Errorf("RSS still %d MB over the start after the client left", (p.rss(t)-base)>>20)
	}
	if used := p.info(t, "used_memory") - baseUsed; used > 8<<20 {
		t.Errorf("used_memory still %d MB over the start after the client left", used>>20)
	}
}
