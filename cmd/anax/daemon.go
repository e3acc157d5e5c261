package main

// The process around the server: daemonize, pidfile, logfile and syslog,
// and telling a supervisor (systemd, upstart) that the server is ready.

import (
	"errors"
	"fmt"
	"io"
	"log/syslog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/anaxdb/anax/config"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// daemonEnv names the pipe a daemonized child reports its start-up on. It
// does not start with config.EnvPrefix: Load refuses unknown ANAX_
// variables.
const daemonEnv = "__ANAXD_READY_FD"

// defaultDaemonPidfile is the pidfile of a daemonized server whose
// configuration names none (Redis writes /var/run/redis.pid).
const defaultDaemonPidfile = "/var/run/anax.pid"

// daemonize detaches the server as Redis's daemonize does. Go cannot fork a
// running process, so the parent starts itself again in a new session
// (setsid) with its standard streams on /dev/null, waits until the child
// reports that it listens (or has failed), and exits: 0 once the child is
// serving, 1 if it did not start. The child's report travels on a pipe
// named by daemonEnv.
func daemonize(args []string) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "anax: cannot daemonize: %v\n", err)
		return 1
	}
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(os.Stderr, "anax: cannot daemonize: %v\n", err)
		return 1
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		fmt.Fprintf(os.Stderr, "anax: cannot daemonize: %v\n", err)
		return 1
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), daemonEnv+"=3")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = null, null, null
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "anax: cannot daemonize: %v\n", err)
		return 1
	}
	w.Close()
	null.Close()
	msg, _ := io.ReadAll(r)
	r.Close()
	if strings.HasPrefix(string(msg), "ok") {
		_ = cmd.Process.Release()
		return 0
	}
	_ = cmd.Wait()
	if s := strings.TrimSpace(string(msg)); s != "" {
		fmt.Fprintf(os.Stderr, "anax: %s\n", s)
	} else {
		fmt.Fprintln(os.Stderr, "anax: the daemonized server exited before it was ready; see its log")
	}
	return 1
}

// daemonChild returns the pipe to the parent of a daemonized server (nil in
// a server that was not daemonized); the variable is removed so that nothing
// the server starts inherits it.
func daemonChild() *os.File {
	v := os.Getenv(daemonEnv)
	if v == "" {
		return nil
	}
	os.Unsetenv(daemonEnv)
	fd, err := strconv.Atoi(v)
	if err != nil {
		return nil
	}
	return os.NewFile(uintptr(fd), "daemon-ready")
}

// process holds what start-up set up around the server and must be undone
// or told at the end.
type process struct {
	cfg     *config.Config
	log     *zap.SugaredLogger
	level   zap.AtomicLevel
	file    *reopenFile // logfile, nil for standard output
	parent  *os.File    // the daemonized child's pipe to its parent
	pidfile string      // written, to be removed at exit
}

// setupProcess builds the logger the configuration asks for (logfile,
// syslog, loglevel followed at run time) and handles SIGHUP.
func setupProcess(cfg *config.Config) (*process, error) {
	p := &process{cfg: cfg, parent: daemonChild(), level: zap.NewAtomicLevelAt(zapLevel(cfg.String("loglevel")))}
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	enc.EncodeLevel = zapcore.CapitalLevelEncoder
	var out zapcore.WriteSyncer = zapcore.Lock(os.Stdout)
	if name := cfg.String("logfile"); name != "" {
		f, err := openReopenFile(name)
		if err != nil {
			return p, fmt.Errorf("Can't open the log file: %v", err)
		}
		p.file = f
		out = f
	}
	cores := []zapcore.Core{zapcore.NewCore(zapcore.NewConsoleEncoder(enc), out, p.level)}
	var syslogErr error
	if cfg.Bool("syslog-enabled") {
		sl, err := syslog.New(syslog.Priority(cfg.Int("syslog-facility"))|syslog.LOG_NOTICE, cfg.String("syslog-ident"))
		if err == nil {
			senc := enc
			senc.TimeKey = "" // syslog stamps its own time
			cores = append(cores, zapcore.NewCore(zapcore.NewConsoleEncoder(senc), zapcore.AddSync(sl), p.level))
		}
		syslogErr = err
	}
	p.log = zap.New(zapcore.NewTee(cores...)).Sugar()
	if syslogErr != nil {
		// Redis starts when no system logger listens (its lines are lost);
		// Anax starts too, and says so.
		p.log.Warnf("WARNING syslog-enabled yes has no effect: cannot reach the system logger: %v", syslogErr)
	}
	cfg.OnChange("loglevel", func(v string) { p.level.SetLevel(zapLevel(v)) })
	// SIGHUP reopens the log file; without one it is ignored, as Redis
	// ignores it (Go's default would end the process).
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for range hup {
			if p.file == nil {
				p.log.Info("Received SIGHUP: no log file to reopen")
				continue
			}
			if err := p.file.Reopen(); err != nil {
				p.log.Warnf("Cannot reopen the log file: %v", err)
			} else {
				p.log.Info("Log file reopened (SIGHUP)")
			}
		}
	}()
	return p, nil
}

// zapLevel maps Redis's log levels onto zap's.
func zapLevel(level string) zapcore.Level {
	switch level {
	case "debug", "verbose":
		return zapcore.DebugLevel
	case "warning":
		return zapcore.WarnLevel
	case "nothing":
		return zapcore.FatalLevel
	}
	return zapcore.InfoLevel
}

// started runs once the server listens: it writes the pidfile and tells
// the daemonizing parent and the supervisor.
func (p *process) started() {
	pidfile := p.cfg.String("pidfile")
	if pidfile == "" && p.parent != nil {
		pidfile = defaultDaemonPidfile
	}
	if pidfile != "" {
		if err := os.WriteFile(pidfile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			p.log.Warnf("Failed to write PID file: %v", err)
		} else {
			p.pidfile = pidfile
		}
	}
	p.notifySupervisor("READY=1\nSTATUS=Ready to accept connections\n")
	if p.parent != nil {
		_, _ = p.parent.WriteString("ok\n")
		p.parent.Close()
		p.parent = nil
	}
}

// failed tells the daemonizing parent why the server did not start.
func (p *process) failed(err error) {
	if p != nil && p.parent != nil {
		_, _ = p.parent.WriteString(err.Error() + "\n")
		p.parent.Close()
		p.parent = nil
	}
}

// stopping tells the supervisor and removes the pidfile.
func (p *process) stopping() {
	p.notifySupervisor("STOPPING=1\n")
	if p.pidfile != "" {
		_ = os.Remove(p.pidfile)
	}
	if p.file != nil {
		_ = p.log.Sync()
	}
}

// notifySupervisor implements supervised: systemd (and auto when
// NOTIFY_SOCKET is set) sends state to systemd's notification socket, as
// sd_notify(3) does; upstart (and auto under upstart) stops the process
// with SIGSTOP once ready, as Redis does, for upstart's "expect stop".
func (p *process) notifySupervisor(state string) {
	mode := p.cfg.String("supervised")
	if mode == "auto" {
		switch {
		case os.Getenv("NOTIFY_SOCKET") != "":
			mode = "systemd"
		case os.Getenv("UPSTART_JOB") != "":
			mode = "upstart"
		}
	}
	switch mode {
	case "systemd":
		if err := sdNotify(os.Getenv("NOTIFY_SOCKET"), state); err != nil {
			p.log.Warnf("systemd supervision requested, but cannot notify: %v", err)
		}
	case "upstart":
		if strings.HasPrefix(state, "READY=1") && os.Getenv("UPSTART_JOB") != "" {
			_ = syscall.Kill(os.Getpid(), syscall.SIGSTOP)
			os.Unsetenv("UPSTART_JOB")
		}
	}
}

// sdNotify sends state to systemd's notification socket (a unix datagram
// socket; a name starting with '@' is in the abstract namespace).
func sdNotify(socket, state string) error {
	if socket == "" {
		return errors.New("NOTIFY_SOCKET is not set")
	}
	if socket[0] == '@' {
		socket = "\x00" + socket[1:]
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: socket, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Write([]byte(state))
	return err
}

// reopenFile is the logfile: a writer whose file SIGHUP reopens by name,
// so that logrotate can move the old one away.
type reopenFile struct {
	mu   sync.Mutex
	name string
	f    *os.File
}

func openReopenFile(name string) (*reopenFile, error) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &reopenFile{name: name, f: f}, nil
}

func (r *reopenFile) Write(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.f.Write(b)
}

func (r *reopenFile) Sync() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.f.Sync()
}

// Reopen opens the file by its name again and closes the old one.
func (r *reopenFile) Reopen() error {
	f, err := os.OpenFile(r.name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	r.mu.Lock()
	old := r.f
	r.f = f
	r.mu.Unlock()
	return old.Close()
}
