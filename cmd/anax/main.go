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
	var tuner *procsTuner
	if os.Getenv("GOMAXPROCS") == "" {
		loops, cpus := server.Threads(cfg), runtime.GOMAXPROCS(0)
		runtime.GOMAXPROCS(schedulerProcs(loops, cpus))
		if loops == cpus {
			tuner = &procsTuner{loops: loops}
		}
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
	if tuner != nil {
		go tuner.run() // for the life of the process
	}
	srv.Wait()
	proc.stopping()
	log.Info("Anax is now ready to exit, bye bye...")
	return 0
}
