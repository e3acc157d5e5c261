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
	srv := server.New(cfg, log)
	if err := srv.Start(); err != nil {
		log.Errorf("cannot start: %v", err)
		return 1
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		s := <-sig
		log.Infof("Received %s, scheduling shutdown...", s)
		srv.Shutdown()
	}()
	srv.Wait()
	log.Info("Anax is now ready to exit, bye bye...")
	return 0
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
