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
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	for _, a := range args {
		switch a {
		case "-h", "--help":
			fmt.Println("Usage: anax [/path/to/anax.conf] [--directive value | --directive=value ...]")
			fmt.Println("Every redis.conf directive Anax knows is also a flag and an ANAX_<NAME> environment variable.")
			fmt.Println("Examples: anax --port 6380 --threads 4; anax /etc/anax.conf --loglevel verbose")
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
	log := newLogger(cfg.String("loglevel"))
	defer log.Sync() //nolint:errcheck
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(schedulerProcs(server.Threads(cfg), runtime.GOMAXPROCS(0)))
	}
	srv := server.New(cfg, log)
	if err := srv.Start(); err != nil {
		log.Errorf("cannot start: %v", err)
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
	srv.Wait()
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

// newLogger maps Redis's log levels onto zap's.
func newLogger(level string) *zap.SugaredLogger {
	lvl := zapcore.InfoLevel
	switch level {
	case "debug", "verbose":
		lvl = zapcore.DebugLevel
	case "warning":
		lvl = zapcore.WarnLevel
	case "nothing":
		lvl = zapcore.FatalLevel
	}
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	enc.EncodeLevel = zapcore.CapitalLevelEncoder
	core := zapcore.NewCore(zapcore.NewConsoleEncoder(enc), zapcore.Lock(os.Stdout), lvl)
	return zap.New(core).Sugar()
}
