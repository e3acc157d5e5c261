// Command anax runs the Anax server.
//
// Usage: anax [/path/to/anax.conf] [--directive value | --directive=value ...]
//
// Configuration comes from a redis.conf-style file, ANAX_<NAME> environment
// variables and flags, in increasing order of precedence (see package
// config). main only wires the pieces together.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync/atomic"
	"syscall"

	"github.com/anaxdb/anax/config"
	"github.com/anaxdb/anax/server"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	for _, a := range args {
		switch a {
		case "-h", "--help":
			printHelp(os.Stdout)
			return 0
		case "-v", "--version":
			fmt.Printf("Anax v=%s (redis compatible %s)\n", server.AnaxVersion, server.Version)
			return 0
		}
	}
	cfg := config.New()
	if err := cfg.Load(args, os.Environ()); err != nil {
		fmt.Fprintf(os.Stderr, "anax: %v\n", err)
		return 1
	}
	if cfg.Bool("daemonize") && os.Getenv(daemonEnv) == "" {
		return daemonize(args)
	}
	proc, err := setupProcess(cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "anax: %v\n", err)
		proc.failed(err)
		return 1
	}
	log := proc.log
	defer log.Sync() //nolint:errcheck
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(schedulerProcs(server.Threads(cfg), runtime.GOMAXPROCS(0)))
	}
	srv := server.New(cfg, log)
	if err := srv.Start(); err != nil {
		log.Errorf("cannot start: %v", err)
		proc.failed(fmt.Errorf("cannot start: %v", err))
		return 1
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		var busy atomic.Bool // a shutdown (and its final save) is under way
		for s := range sig {
			if busy.Load() {
				if s == syscall.SIGINT {
					// As Redis: a second SIGINT while the final save runs
					// exits at once (the file under its name stays whole).
					log.Warn("You insist... exiting now.")
					os.Exit(1)
				}
				continue
			}
			log.Infof("Received %s, scheduling shutdown...", s)
			busy.Store(true)
			go func() {
				if !srv.ShutdownOnSignal(s == syscall.SIGINT) {
					busy.Store(false)
				}
			}()
		}
	}()
	proc.started()
	srv.Wait()
	proc.stopping()
	log.Info("Anax is now ready to exit, bye bye...")
	return 0
}

// schedulerProcs is the number of Go Ps for a server with the given number
// of event loops on a machine (or CPU quota) of cpus cores.
//
// A loop waiting in epoll_wait holds its P inside a system call. When no
// other P is idle, Go's sysmon takes that P away after 20 µs or more and
// starts a thread to look for work, the loop must win a P back when its wait
// ends, and sysmon keeps waking every 20 µs. With one P to spare the runtime
// leaves a loop's P alone and sysmon backs off to its 10 ms sleep; the price
// is a spinning thread started each time a loop goes idle (runtime.Gosched in
// gnet's poller). That trade pays while each loop has a core of its own: one
// loop on one core serves GET at pipeline 1 with p99 0.75-0.80 ms instead of
// 0.97-1.34 (docs/benchmarks.md). When loops share cores the spinning thread
// competes with a loop for its core, and the runtime's default (one P per
// core) is faster: two loops on one core served 66k GET/s with 1 P, 37-53k
// with 2 and 46-62k with 3.
func schedulerProcs(loops, cpus int) int {
	if loops > cpus {
		return cpus
	}
	return loops + 1
}
