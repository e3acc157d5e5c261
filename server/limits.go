package server

import (
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"

	"github.com/anaxdb/anax/config"
	"github.com/anaxdb/anax/protocol"
)

// reservedFDs is how many file descriptors Anax keeps for itself beyond
// one per client: Redis's 32 (snapshots, logs, the console's own
// connections), plus each event loop's poller and wake-up descriptors.
func reservedFDs(loops int) int { return 32 + 2*loops }

// fileLimit reads and sets RLIMIT_NOFILE (a variable so tests can watch
// what is asked).
var (
	getFileLimit = func() (cur, max uint64, err error) {
		var rl syscall.Rlimit
		err = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
		return rl.Cur, rl.Max, err
	}
	setFileLimit = func(n uint64) error {
		rl := syscall.Rlimit{Cur: n, Max: n}
		var cur syscall.Rlimit
		if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &cur); err == nil && cur.Max > n {
			rl.Max = cur.Max // never lower the hard limit
		}
		return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
	}
)

// adjustOpenFiles raises RLIMIT_NOFILE towards maxclients + the reserve at
// start-up, as Redis does, and lowers maxclients with a warning when the
// limit cannot be raised that far. It fails when not even one client fits.
func (s *Server) adjustOpenFiles(loops int) error {
	reserve := uint64(reservedFDs(loops))
	maxclients := uint64(s.cfg.Int("maxclients"))
	want := maxclients + reserve
	cur, _, err := getFileLimit()
	if err != nil {
		s.log.Warnf("Unable to obtain the current NOFILE limit (%v), assuming 1024 and setting the max clients configuration accordingly.", err)
		cur = 1024
	}
	if cur >= want {
		return nil
	}
	// Try the wanted limit, then lower ones in steps of 16 as Redis does,
	// down to the limit we have.
	best := cur
	var setErr error
	for try := want; try > cur; {
		if setErr = setFileLimit(try); setErr == nil {
			best = try
			break
		}
		if try-cur < 16 {
			break
		}
		try -= 16
	}
	if best >= want {
		s.log.Infof("Increased maximum number of open files to %d (it was originally set to %d).", best, cur)
		return nil
	}
	if best <= reserve {
		return fmt.Errorf("your current 'ulimit -n' of %d is not enough for the server to start: please increase your open file limit to at least %d", best, reserve+1)
	}
	reduced := best - reserve
	s.log.Warnf("You requested maxclients of %d requiring at least %d max file descriptors.", maxclients, want)
	if setErr != nil {
		s.log.Warnf("Server can't set maximum open files to %d because of OS error: %v.", want, setErr)
	}
	s.log.Warnf("Current maximum open files is %d. maxclients has been reduced to %d to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.", best, reduced)
	return s.cfg.Set([][2]string{{"maxclients", strconv.FormatUint(reduced, 10)}})
}

// checkMaxClients vets CONFIG SET maxclients: the file limit is raised to
// fit the new value, or the change is refused with Redis's text.
func (s *Server) checkMaxClients(v string) error {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || s.router == nil {
		return nil // the built-in checks answer
	}
	want := n + uint64(reservedFDs(s.router.N()))
	cur, _, err := getFileLimit()
	if err != nil || cur >= want {
		return nil
	}
	if setFileLimit(want) == nil {
		return nil
	}
	fit := uint64(1)
	if r := uint64(reservedFDs(s.router.N())); cur > r {
		fit = cur - r
	}
	return fmt.Errorf("The operating system is not able to handle the specified number of clients, try with %d", fit)
}

// clientLimits publishes client-query-buffer-limit and
// client-output-buffer-limit to the connection layer
// (protocol.Options.ClientLimits): a new value on each change.
type clientLimits struct {
	p atomic.Pointer[protocol.ClientLimits]
}

func (o *clientLimits) load(cfg *config.Config) {
	l := protocol.ClientLimits{QueryBufferMax: int(cfg.Int("client-query-buffer-limit"))}
	for class, name := range [...]string{
		protocol.ClassNormal: "normal", protocol.ClassPubSub: "pubsub", protocol.ClassReplica: "replica",
	} {
		c := cfg.ClientOutputBufferLimit(name)
		l.Output[class] = protocol.OutputLimit{Hard: c.Hard, Soft: c.Soft, SoftSeconds: c.SoftSeconds}
	}
	o.p.Store(&l)
}

// protectedMode reports whether protected mode is in force: Redis 7 lets
// only loopback peers in while protected-mode is yes and the default user
// has no password.
func (s *Server) protectedMode() bool {
	return s.cfg.Bool("protected-mode") && s.requirePass() == ""
}

// fatal ends the process when the connection layer can no longer serve
// (the event loops stopped): a supervisor then restarts it, where a
// process serving nothing would stay up.
func (s *Server) fatal(err error) {
	s.log.Errorf("FATAL: %v. Exiting.", err)
	_ = s.log.Sync()
	if s.OnFatal != nil {
		s.OnFatal(err)
		return
	}
	os.Exit(1)
}
