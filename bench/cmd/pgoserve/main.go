// Command pgoserve runs the Anax server while recording a CPU profile of
// it, from start to shutdown (SHUTDOWN, SIGTERM or SIGINT): the input of
// profile-guided optimisation. bench/pgo.sh runs it under a mix of loads
// and writes the profile to cmd/anax/default.pgo, which every go build of
// cmd/anax then uses (Go's -pgo=auto).
//
// Usage: pgoserve -profile FILE [anax's directives: --port 6380 --threads 1 ...]
//
// It is not the anax command: it starts the server with a console logger
// on standard error and none of the process handling (daemonize, log
// files, pid files); the server's own code is the same, which is what
// the profile is about.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/anaxdb/anax/config"
	"github.com/anaxdb/anax/server"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "pgoserve: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 2 || args[0] != "-profile" {
		return fmt.Errorf("usage: pgoserve -profile FILE [--directive value ...]")
	}
	profile, args := args[1], args[2:]
	cfg := config.New()
	if err := cfg.Load(args, nil); err != nil {
		return err
	}
	enc := zap.NewDevelopmentEncoderConfig()
	core := zapcore.NewCore(zapcore.NewConsoleEncoder(enc), zapcore.Lock(os.Stderr), zapcore.WarnLevel)
	log := zap.New(core).Sugar()
	f, err := os.Create(profile)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	srv := server.New(cfg, log)
	if err := srv.Start(); err != nil {
		pprof.StopCPUProfile()
		return fmt.Errorf("cannot start: %v", err)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig
		srv.Shutdown()
	}()
	srv.Wait()
	pprof.StopCPUProfile()
	return f.Close()
}
