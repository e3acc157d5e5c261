package main_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// TestCrashDuringSave kills the process (SIGKILL) at random moments of 100
// background saves (5 with -short), over a dataset that changes between
// saves: the file under the snapshot's name must always load whole,
// holding either the previous save or the new one, never a mix and never a
// part.
func TestCrashDuringSave(t *testing.T) {
	saves := 100
	if testing.Short() {
		saves = 5
	}
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	t.Logf("seed %d", seed)
	bin := buildAnax(t)
	dir := t.TempDir()
	const keys, size = 12000, 1000
	start := func() (*exec.Cmd, string) {
		port := servertest.FreePort(t)
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--threads", "2")
		out, _ := cmd.StdoutPipe()
		cmd.Stderr = cmd.Stdout
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		waitReady(t, out, func(string) {}, 20*time.Second)
		return cmd, fmt.Sprintf("127.0.0.1:%d", port)
	}
	// write gives every key the value of round r.
	write := func(addr string, r int) {
		c := servertest.Dial(t, addr)
		pad := strings.Repeat("x", size)
		const batch = 500
		for i := 0; i < keys; i += batch {
			args := []string{"mset"}
			for k := i; k < i+batch; k++ {
				args = append(args, "key:"+strconv.Itoa(k), fmt.Sprintf("r%d:%s", r, pad))
			}
			c.SendArgs(args...)
		}
		for i := 0; i < keys; i += batch {
			if r := c.Read(); r != "+OK\r\n" {
				t.Fatalf("MSET: %q", r)
			}
		}
	}
	// round reads back which round the keyspace holds; every key must agree.
	round := func(addr string) int {
		c := servertest.Dial(t, addr)
		if r := c.Do("dbsize"); r != ":"+strconv.Itoa(keys)+"\r\n" {
			t.Fatalf("DBSIZE after a crash: %q", r)
		}
		seen := -1
		for k := 0; k < keys; k += 97 {
			v := c.Do("get", "key:"+strconv.Itoa(k))
			i := strings.Index(v, "\r\nr")
			j := strings.IndexByte(v[i+3:], ':')
			r, _ := strconv.Atoi(v[i+3 : i+3+j])
			if seen >= 0 && r != seen {
				t.Fatalf("key:%d holds round %d, others round %d: the file mixes two saves", k, r, seen)
			}
			seen = r
		}
		return seen
	}

	cmd, addr := start()
	write(addr, 0)
	c := servertest.Dial(t, addr)
	began := time.Now()
	c.Do("bgsave")
	for !strings.Contains(c.Do("info", "persistence"), "rdb_bgsave_in_progress:0") {
		time.Sleep(time.Millisecond)
	}
	saveTime := time.Since(began)
	saved, midway := 0, 0
	for r := 1; r <= saves; r++ {
		// Mostly while the file is written; now and then after the
		// save (the new file must then be the one loaded).
		frac := rng.Float64() * 1.3
		write(addr, r)
		if x := c.Do("bgsave"); x != "+Background saving started\r\n" {
			t.Fatalf("BGSAVE: %q", x)
		}
		time.Sleep(time.Duration(frac * float64(saveTime)))
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		if tmp, _ := filepath.Glob(filepath.Join(dir, "temp-*.rdb")); len(tmp) > 0 {
			midway++ // killed while the new file was being written
			for _, f := range tmp {
				os.Remove(f)
			}
		}
		cmd, addr = start()
		got := round(addr)
		if got != saved && got != r {
			t.Fatalf("after a crash in round %d the file holds round %d (the last whole save was %d)", r, got, saved)
		}
		if r%20 == 0 || r == saves {
			t.Logf("save %d: killed %v into a save of ~%v (%d kills midway so far): the file holds round %d", r, time.Duration(frac*float64(saveTime)), saveTime, midway, got)
		}
		saved = got
		c = servertest.Dial(t, addr)
	}
	if midway == 0 {
		t.Log("no kill landed while a file was being written (the machine was too fast or too slow)")
	}
}
