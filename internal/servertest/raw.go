package servertest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// Raw is a minimal RESP client that returns replies as raw bytes, so tests
// can compare Anax's bytes with a real Redis's.
type Raw struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
}

// Dial connects a Raw client to addr.
func Dial(t testing.TB, addr string) *Raw {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("servertest: dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return &Raw{t: t, conn: c, r: bufio.NewReader(c)}
}

// Encode returns args as a RESP multibulk request.
func Encode(args ...string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.Bytes()
}

// Do sends one command and returns its raw reply.
func (r *Raw) Do(args ...string) string {
	r.t.Helper()
	r.Send(Encode(args...))
	return r.Read()
}

// SendArgs sends one command without reading its reply (for pipelines
// and for commands that answer nothing).
func (r *Raw) SendArgs(args ...string) {
	r.t.Helper()
	r.Send(Encode(args...))
}

// Send writes raw bytes.
func (r *Raw) Send(b []byte) {
	r.t.Helper()
	_ = r.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := r.conn.Write(b); err != nil {
		r.t.Fatalf("servertest: write: %v", err)
	}
}

// DoSlow is Do for a command that may take long on a loaded machine (SAVE,
// DEBUG RELOAD): it waits up to a minute for the reply.
func (r *Raw) DoSlow(args ...string) string {
	r.t.Helper()
	r.Send(Encode(args...))
	return r.readWithin(time.Minute)
}

// Read reads one complete RESP value and returns its bytes.
func (r *Raw) Read() string {
	r.t.Helper()
	return r.readWithin(10 * time.Second)
}

func (r *Raw) readWithin(d time.Duration) string {
	r.t.Helper()
	_ = r.conn.SetReadDeadline(time.Now().Add(d))
	var out bytes.Buffer
	if err := r.readValue(&out); err != nil {
		r.t.Fatalf("servertest: read: %v (so far %q)", err, out.String())
	}
	return out.String()
}

// Quiet reports whether no reply arrives within d (a blocked command still
// waiting); a reply that does arrive stays to be read.
func (r *Raw) Quiet(d time.Duration) bool {
	r.t.Helper()
	_ = r.conn.SetReadDeadline(time.Now().Add(d))
	_, err := r.r.Peek(1)
	return err != nil
}

// Close closes the connection (a client that leaves).
func (r *Raw) Close() { _ = r.conn.Close() }

// ReadErr reads one value and returns the error instead of failing (for
// tests that expect the server to close the connection).
func (r *Raw) ReadErr() (string, error) {
	_ = r.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var out bytes.Buffer
	err := r.readValue(&out)
	return out.String(), err
}

func (r *Raw) readValue(out *bytes.Buffer) error {
	line, err := r.r.ReadString('\n')
	if err != nil {
		return err
	}
	out.WriteString(line)
	if len(line) < 3 {
		return fmt.Errorf("short line %q", line)
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+', '-', ':', '_', ',', '#', '(':
		return nil
	case '$', '=', '!':
		n, err := strconv.Atoi(body)
		if err != nil {
			return err
		}
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r.r, buf); err != nil {
			return err
		}
		out.Write(buf)
		return nil
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(body)
		if err != nil {
			return err
		}
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := r.readValue(out); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unexpected reply type %q", line)
}

// StartRedis starts a real redis-server on a free port for comparison
// tests and returns its address; the test is skipped when redis-server is
// not installed.
func StartRedis(t testing.TB) string {
	t.Helper()
	addr := RedisIfInstalled(t)
	if addr == "" {
		t.Skip("redis-server not installed")
	}
	return addr
}

// RedisIfInstalled starts a throwaway redis-server (no persistence, its
// own temporary dir) and returns its address, or "" when redis-server is
// not installed. It stops when the test ends.
func RedisIfInstalled(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		return ""
	}
	return RedisAt(t, path)
}

// RedisAt starts the redis-server binary at path as RedisIfInstalled does,
// with extra arguments args (such as "--enable-debug-command", "yes"), and
// returns its address: for a second Redis version beside the one installed
// (a 7.2 built from source), or for settings that cannot change at run time.
func RedisAt(t testing.TB, path string, args ...string) string {
	t.Helper()
	port := FreePort(t)
	cmd := exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
		"--dir", t.TempDir())
	cmd.Args = append(cmd.Args, args...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("servertest: start redis-server: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for i := 0; i < 300; i++ {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return addr
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("servertest: redis-server did not start on %s", addr)
	return ""
}

// Compare runs each script line (a command as separate arguments) against
// both servers on fresh connections and reports every reply that differs.
// A reply whose bytes differ only where the script says so can be skipped
// by the caller by not including that command.
func Compare(t testing.TB, anax, redis string, script [][]string) {
	t.Helper()
	a, r := Dial(t, anax), Dial(t, redis)
	for _, cmd := range script {
		a.Send(Encode(cmd...))
		ga, err := a.ReadErr()
		if err != nil {
			t.Fatalf("%q: anax: %v", cmd, err)
		}
		gr := r.Do(cmd...)
		if ga != gr {
			t.Errorf("%q:\n  anax:  %q\n  redis: %q", cmd, ga, gr)
		}
	}
}
