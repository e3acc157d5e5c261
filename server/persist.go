package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/anaxdb/anax/config"
	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/protocol/memcache"
	"github.com/anaxdb/anax/protocol/resp"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/server/debugcmd"
	"github.com/anaxdb/anax/server/infocmd"
	"github.com/anaxdb/anax/shard"
	"github.com/anaxdb/anax/snapshot"
	"github.com/anaxdb/anax/txn"
)

// Persistence: SAVE, BGSAVE, SHUTDOWN [SAVE|NOSAVE], DEBUG RELOAD, the save
// rules, loading the snapshot at start-up, and what INFO persistence
// reports. The snapshot itself is package snapshot's (fork-less, point in
// time per shard; docs/persistence.md).
//
// SAVE and BGSAVE run the same snapshot; SAVE answers when the file is in
// place, BGSAVE at once. Neither stops other clients: a snapshot holds
// every shard as it was when it started, whatever runs meanwhile. One save
// runs at a time (saveMu).

// Refusals every command is checked against (persistState.refuse).
const (
	refuseLoading  = 1 << iota // -LOADING: a snapshot is loading
	refuseMisconf              // -MISCONF: the last background save failed
	refuseShutdown             // the final save of SHUTDOWN runs: no writes
)

const (
	errLoading      = "LOADING Redis is loading the dataset in memory"
	errMisconf      = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."
	errShuttingDown = "ERR The server is shutting down: it saves its final snapshot"
	errBgsaveBusy   = "ERR Background save already in progress"
)

// persistState is the server's persistence state.
type persistState struct {
	saveMu sync.Mutex // one save at a time

	refuse     atomic.Int32
	bgRunning  atomic.Bool
	bgStarted  atomic.Int64 // Unix ms of the running background save's start
	scheduled  atomic.Bool  // BGSAVE SCHEDULE: start one when none runs
	lastBgErr  atomic.Bool  // the last background save failed
	lastBgSec  atomic.Int64 // how long the last background save took, -1 none
	lastTry    atomic.Int64 // Unix s of the last background save's start
	saves      atomic.Int64 // successful saves
	dirtyBase  atomic.Int64 // writesDone() when the last successful save began
	loadKeys   atomic.Int64
	loadExpire atomic.Int64
	loading    atomic.Bool
	// The load in progress: its start (Unix s), the file's size, the
	// bytes read, and used-mem from the file's header.
	loadStart, loadTotal, loadDone, loadUsedMem atomic.Int64

	// snapshot-cron (persist_cron.go).
	cronMu      sync.Mutex
	cronSched   cron.Schedule // nil: none
	cronWake    chan struct{}
	cronSaves   atomic.Int64
	cronSkipped atomic.Int64
}

// persistSpecs are the persistence commands the server itself runs: they
// reply when a save ends, from another goroutine.
func (s *Server) persistSpecs() []*command.Spec {
	const adm = command.FlagAdmin | command.FlagNoScript
	return []*command.Spec{
		{Name: "save", Arity: 1, Flags: adm | command.FlagNoMulti, Conn: connSave, Categories: []string{"admin", "dangerous"}, Group: "server", Summary: "Synchronously saves the database(s) to disk.", Since: "1.0.0", Complexity: "O(N) where N is the total number of keys in all databases"},
		{Name: "bgsave", Arity: -1, Flags: adm, Conn: connBgsave, Run: func(x *command.Exec) { s.runBgsave(x, true) }, Categories: []string{"admin", "dangerous"}, Group: "server", Summary: "Asynchronously saves the database(s) to disk.", Since: "1.0.0", Complexity: "O(1)"},
		{Name: "shutdown", Arity: -1, Flags: adm | command.FlagNoMulti | command.FlagLoading | command.FlagStale, Conn: connShutdown, Group: "server", Summary: "Synchronously saves the database(s) to disk and shuts down the Redis server.", Since: "1.0.0", Complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)"},
	}
}

// persistCheck answers for the persistence state before a command runs:
// -LOADING while a snapshot loads (but for commands allowed then), -MISCONF
// for writes (and PING, as Redis) after a failed background save, and
// DEBUG RELOAD. It reports whether it answered.
func (s *Server) persistCheck(c *protocol.Conn, cl *Client, cmd *command.Spec, args [][]byte, home int) bool {
	if r := s.persist.refuse.Load(); r != 0 {
		msg := ""
		switch {
		case r&refuseLoading != 0 && cmd.Flags&command.FlagLoading == 0:
			msg = errLoading
		case r&refuseShutdown != 0 && cmd.Flags&command.FlagWrite != 0:
			msg = errShuttingDown
		case r&refuseMisconf != 0 && (cmd.Name == "ping" || s.writes(cl, cmd, args)):
			msg = errMisconf // an EXEC answers EXECABORT with it (rejectCommand)
		}
		if msg != "" {
			s.rejectCommand(c, cl, home, cmd, msg)
			return true
		}
	}
	if cmd.Name == "debug" && len(args) >= 2 && command.EqFold(args[1], "reload") && cl.multi == nil {
		s.debugReload(c, cl, args, home)
		return true
	}
	return false
}

// writes reports whether cmd with args counts as a write for -MISCONF, as
// Redis 7.0 judges it before running it: a write command or subcommand, a
// script or function whose flags allow writes (scriptcmd.Engine.Writes),
// and EXEC of a transaction that queued one of those.
func (s *Server) writes(cl *Client, cmd *command.Spec, args [][]byte) bool {
	if cmd.Name == "exec" && cl.multi != nil {
		for i := range cl.multi.cmds {
			if q := &cl.multi.cmds[i]; s.writes(cl, q.cmd, q.args) {
				return true
			}
		}
		return false
	}
	if len(cmd.Subcommands) > 0 && len(args) > 1 {
		if sub := cmd.Subcommand(args[1]); sub != nil {
			cmd = sub
		}
	}
	return cmd.Flags&command.FlagWrite != 0 || s.scripts.Writes(cmd.Name, args)
}

func (p *persistState) setRefuse(bit int32, on bool) {
	for {
		old := p.refuse.Load()
		nv := old &^ bit
		if on {
			nv |= bit
		}
		if p.refuse.CompareAndSwap(old, nv) {
			return
		}
	}
}

// updateMisconf decides whether writes are refused with -MISCONF: when
// stop-writes-on-bgsave-error is on, save rules are set and the last
// background save failed.
func (s *Server) updateMisconf() {
	p := &s.persist
	on := p.lastBgErr.Load() && s.cfg.Bool("stop-writes-on-bgsave-error") && len(s.cfg.SavePoints()) > 0
	p.setRefuse(refuseMisconf, on)
}

// writesDone counts the writes the server ran: the calls of write commands
// and subcommands (FUNCTION LOAD...) that did not fail.
// rdb_changes_since_last_save is its growth since the last save began
// (Redis counts keys changed; a write command counts one here however
// many keys it changed).
func (s *Server) writesDone() int64 {
	var n int64
	count := func(c *command.Spec) {
		if c.Flags&command.FlagWrite == 0 {
			return
		}
		for i := range c.Stats {
			n += c.Stats[i].Calls.Load() - c.Stats[i].Failed.Load()
		}
	}
	for _, c := range s.cmdList {
		count(c)
		for _, sub := range c.Subcommands {
			count(sub)
		}
	}
	return n
}

func (s *Server) changesSinceSave() int64 {
	d := s.writesDone() - s.persist.dirtyBase.Load()
	if d < 0 { // CONFIG RESETSTAT cleared the command counters
		s.persist.dirtyBase.Store(0)
		d = s.writesDone()
	}
	return d
}

// snapSource lends package snapshot the shards.
func (s *Server) snapSource() snapshot.Source {
	return snapshot.Source{Shards: s.router.Shards(), Start: s.onEveryShard}
}

// onEveryShard runs fn on every shard's goroutine at one point of the
// transaction order (a transaction locking every shard, as FLUSHALL's),
// and returns when all ran. Not on a loop's goroutine.
func (s *Server) onEveryShard(fn func(shard int)) {
	tx := s.router.NewTx()
	tx.LockAll(txn.Exclusive)
	tx.Schedule()
	tx.Hop(tx.Shards(), fn, true)
}

// auxFields are the header fields of a file, as Redis 7.0 writes them.
func (s *Server) auxFields() []snapshot.Aux {
	return []snapshot.Aux{
		{Name: "redis-ver", Value: Version},
		{Name: "redis-bits", Value: "64", Int: true},
		{Name: "ctime", Value: fmt.Sprint(time.Now().Unix()), Int: true},
		{Name: "used-mem", Value: fmt.Sprint(infocmd.ReadMemFigures().Used), Int: true},
		{Name: "aof-base", Value: "0", Int: true},
	}
}

// snapAccess is what of the keys' access history a file keeps, as Redis
// decides by maxmemory-policy: the idle time under an LRU policy, the LFU
// counter under an LFU one, else neither.
func (s *Server) snapAccess() snapshot.Access {
	switch p := s.cfg.String("maxmemory-policy"); {
	case strings.HasSuffix(p, "-lru"):
		return snapshot.AccessIdle
	case strings.HasSuffix(p, "-lfu"):
		return snapshot.AccessFreq
	}
	return snapshot.AccessNone
}

// save writes a snapshot to dir/dbfilename. The caller holds saveMu.
func (s *Server) save() (snapshot.Result, error) {
	base := s.writesDone()
	res, err := snapshot.Save(s.snapSource(), snapshot.Options{
		Dir:       s.cfg.String("dir"),
		Filename:  s.cfg.String("dbfilename"),
		Checksum:  s.cfg.Bool("rdbchecksum"),
		Compress:  s.cfg.Bool("rdbcompression"),
		HideKeys:  s.cfg.Bool("hide-user-data-from-log"),
		Aux:       s.auxFields(),
		Functions: s.scripts.Libraries(),
		Access:    s.snapAccess(),
	})
	if err != nil {
		s.log.Warnf("Write error saving DB on disk: %v", err)
		return res, err
	}
	s.persist.dirtyBase.Store(base)
	s.lastSave.Store(time.Now().Unix())
	s.persist.saves.Add(1)
	return res, nil
}

// saveSync is SAVE: a save now, waiting for a background one to end first.
func (s *Server) saveSync() error {
	p := &s.persist
	p.saveMu.Lock()
	defer p.saveMu.Unlock()
	res, err := s.save()
	if err == nil {
		p.lastBgErr.Store(false)
		s.updateMisconf()
		s.log.Infof("DB saved on disk (%d keys, %d bytes, %.3f seconds)", res.Keys, res.Bytes, res.Duration.Seconds())
	}
	return err
}

// bgsave starts a background save unless one runs; it reports whether it
// started one.
func (s *Server) bgsave() bool {
	p := &s.persist
	if p.loading.Load() || !p.bgRunning.CompareAndSwap(false, true) {
		return false
	}
	p.scheduled.Store(false)
	now := time.Now()
	p.bgStarted.Store(now.UnixMilli())
	p.lastTry.Store(now.Unix())
	s.log.Infof("Background saving started")
	go func() {
		p.saveMu.Lock()
		res, err := s.save()
		p.saveMu.Unlock()
		p.lastBgSec.Store(int64(time.Since(now).Seconds()))
		p.lastBgErr.Store(err != nil)
		s.updateMisconf()
		if err == nil {
			s.log.Infof("Background saving terminated with success (%d keys, %d bytes, %.3f seconds)", res.Keys, res.Bytes, res.Duration.Seconds())
		} else {
			s.log.Warnf("Background saving error")
		}
		p.bgStarted.Store(0)
		p.bgRunning.Store(false)
	}()
	return true
}

// replyLater runs work off the loop and writes the reply it returns, a
// simple string or, when errMsg is not empty, an error, in the
// connection's order.
func (s *Server) replyLater(c *protocol.Conn, cl *Client, home int, work func() (ok string, errMsg string)) {
	reply := reserveReply(c, cl)
	c.Hold()
	go func() {
		ok, msg := work()
		var out []byte
		if msg != "" {
			out = resp.AppendError(out, msg)
			s.countErrorPrefix(home, msg)
		} else {
			out = resp.AppendSimple(out, ok)
		}
		reply.take(&out)
		reply.completeVia(s.router.Shard(home))
	}()
}

func connSave(s *Server, c *protocol.Conn, cl *Client, args [][]byte, home int) protocol.Result {
	cmd := s.commands["save"]
	if s.persist.bgRunning.Load() {
		s.rejectCommand(c, cl, home, cmd, errBgsaveBusy)
		return protocol.Done
	}
	start := time.Now()
	s.replyLater(c, cl, home, func() (string, string) {
		err := s.saveSync()
		s.noteConnCall(cmd, home, start, err != nil)
		if err != nil {
			return "", "ERR"
		}
		return "OK", ""
	})
	return protocol.Done
}

func connBgsave(s *Server, c *protocol.Conn, cl *Client, args [][]byte, home int) protocol.Result {
	cmd := s.commands["bgsave"]
	if len(args) > 2 || len(args) == 2 && !command.EqFold(args[1], "schedule") {
		s.rejectCommand(c, cl, home, cmd, command.ErrSyntax.Error())
		return protocol.Done
	}
	x := s.loopExec[home]
	start := time.Now()
	s.resetExec(x, cl, cmd, args, start)
	s.runBgsave(x, false)
	if x.Failed {
		s.countErrorPrefix(home, errBgsaveBusy)
	}
	s.noteConnCall(cmd, home, start, x.Failed)
	s.replyNow(c, cl, x)
	return protocol.Done
}

// runBgsave answers BGSAVE. Inside EXEC (inExec) it schedules the save, as
// Redis does, for the save rules' cron to start within a second.
func (s *Server) runBgsave(x *command.Exec, inExec bool) {
	schedule := false
	if len(x.Args) == 2 && command.EqFold(x.Args[1], "schedule") {
		schedule = true
	} else if len(x.Args) > 1 {
		x.Fail(command.ErrSyntax)
		return
	}
	switch {
	case inExec:
		s.persist.scheduled.Store(true)
		x.Simple("Background saving scheduled")
	case s.bgsave():
		x.Simple("Background saving started")
	case s.persist.bgRunning.Load() && schedule:
		s.persist.scheduled.Store(true)
		x.Simple("Background saving scheduled")
	default:
		x.Err(errBgsaveBusy)
	}
}

// noteConnCall counts a call of a command the server runs itself.
func (s *Server) noteConnCall(cmd *command.Spec, home int, start time.Time, failed bool) {
	st := &cmd.Stats[home]
	st.Calls.Add(1)
	st.Nsec.Add(int64(time.Since(start)))
	if failed {
		st.Failed.Add(1)
	}
}

// connShutdown is SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: with save
// rules (and no NOSAVE) or SAVE, it saves first; a save that fails keeps
// the server up (unless FORCE) and answers an error. As Redis, a
// successful SHUTDOWN sends no reply: the connection is closed.
func connShutdown(s *Server, c *protocol.Conn, cl *Client, args [][]byte, home int) protocol.Result {
	cmd := s.commands["shutdown"]
	var save, nosave, force, abort, other bool
	for _, a := range args[1:] {
		switch {
		case command.EqFold(a, "nosave"):
			nosave = true
		case command.EqFold(a, "save"):
			save = true
		case command.EqFold(a, "now"):
			other = true
		case command.EqFold(a, "force"):
			force, other = true, true
		case command.EqFold(a, "abort"):
			abort = true
		default:
			s.rejectCommand(c, cl, home, cmd, command.ErrSyntax.Error())
			return protocol.Done
		}
	}
	if (abort && (save || nosave || other)) || (save && nosave) {
		s.rejectCommand(c, cl, home, cmd, command.ErrSyntax.Error())
		return protocol.Done
	}
	if abort {
		s.rejectCommand(c, cl, home, cmd, "ERR No shutdown in progress.")
		return protocol.Done
	}
	s.log.Infof("User requested shutdown...")
	if !s.shutdownNeedsSave(save, nosave) {
		c.CloseAfterReply()
		s.Shutdown()
		return protocol.Done
	}
	reply := reserveReply(c, cl)
	c.Hold()
	go func() {
		if err := s.finalSave(force); err != nil {
			out := resp.AppendError(nil, "ERR Errors trying to SHUTDOWN. Check logs.")
			s.countErrorPrefix(home, string(out))
			reply.take(&out)
			reply.completeVia(s.router.Shard(home))
			return
		}
		s.router.Shard(home).Post(func() {
			c.CloseAfterReply() // closes once the (empty) reply is out
			reply.complete()
		})
		s.Shutdown()
	}()
	return protocol.Done
}

// shutdownNeedsSave says whether a shutdown saves: with SAVE, or with save
// rules unless NOSAVE; never while loading (a half-loaded keyspace must
// not replace the file).
func (s *Server) shutdownNeedsSave(save, nosave bool) bool {
	if s.persist.loading.Load() {
		return false
	}
	return save || (!nosave && len(s.cfg.SavePoints()) > 0)
}

// finalSave saves before the server exits, refusing writes meanwhile so
// that nothing acknowledged after the snapshot began is lost. With force
// a failed save is logged and the shutdown goes on.
func (s *Server) finalSave(force bool) error {
	p := &s.persist
	p.setRefuse(refuseShutdown, true)
	s.log.Infof("Saving the final RDB snapshot before exiting.")
	err := s.saveSync()
	if err != nil {
		s.log.Warnf("Error trying to save the DB, can't exit.")
		if force {
			s.log.Warnf("FORCE: exiting without a final snapshot.")
			return nil
		}
		p.setRefuse(refuseShutdown, false)
		s.log.Warnf("Errors trying to shut down the server. Check the logs for more information.")
	}
	return err
}

// ShutdownOnSignal shuts down for SIGTERM or SIGINT as Redis does:
// shutdown-on-sigterm (or -sigint) says whether to save (default: when
// save rules are set). It reports whether the server is shutting down; a
// save that failed without FORCE keeps it up.
func (s *Server) ShutdownOnSignal(sigint bool) bool {
	name := "shutdown-on-sigterm"
	if sigint {
		name = "shutdown-on-sigint"
	}
	flags := s.cfg.Int(name)
	if s.shutdownNeedsSave(flags&config.ShutdownSave != 0, flags&config.ShutdownNoSave != 0) {
		if err := s.finalSave(flags&config.ShutdownForce != 0); err != nil {
			s.log.Warnf("SIGTERM received but errors trying to shut down the server, check the logs for more information")
			return false
		}
	}
	s.Shutdown()
	return true
}

// persistCron runs the save rules and BGSAVE SCHEDULE once a second.
func (s *Server) persistCron() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.shutdown:
			return
		case <-t.C:
		}
		p := &s.persist
		if p.loading.Load() || p.bgRunning.Load() || p.refuse.Load()&refuseShutdown != 0 {
			continue
		}
		if p.scheduled.Load() {
			s.bgsave()
			continue
		}
		now := time.Now().Unix()
		changes := s.changesSinceSave()
		for _, sp := range s.cfg.SavePoints() {
			// After a failed save, wait 5 seconds before the next try
			// (Redis's CONFIG_BGSAVE_RETRY_DELAY).
			if changes >= int64(sp.Changes) && now-s.lastSave.Load() > int64(sp.Seconds) &&
				(!p.lastBgErr.Load() || now-p.lastTry.Load() > 5) {
				s.log.Infof("%d changes in %d seconds. Saving...", sp.Changes, sp.Seconds)
				s.bgsave()
				break
			}
		}
	}
}

// loadAtStart loads dir/dbfilename if it exists; while it does, commands
// are answered -LOADING and /healthz 503. A file that cannot be loaded
// whole is an error: the server must not start, and must not save over
// the file.
func (s *Server) loadAtStart() error {
	path := filepath.Join(s.cfg.String("dir"), s.cfg.String("dbfilename"))
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	p := &s.persist
	p.loading.Store(true)
	p.setRefuse(refuseLoading, true)
	s.SetLoading(true)
	defer func() {
		p.loading.Store(false)
		p.setRefuse(refuseLoading, false)
		s.SetLoading(false)
	}()
	res, err := s.loadFile(path)
	if err != nil {
		return fmt.Errorf("cannot load the snapshot %s: %w", path, err)
	}
	s.log.Infof("Done loading RDB, keys loaded: %d, keys expired: %d.", res.Keys, res.Expired)
	s.log.Infof("DB loaded from disk: %.3f seconds", res.Duration.Seconds())
	return nil
}

// loadFile loads an RDB file into the shards.
func (s *Server) loadFile(path string) (snapshot.LoadResult, error) {
	defer s.muteKeyEvents()() // a load creates no "new" keys
	cfg := s.cfg
	p := &s.persist
	p.loadStart.Store(time.Now().Unix())
	p.loadDone.Store(0)
	p.loadTotal.Store(0)
	p.loadUsedMem.Store(0)
	if fi, err := os.Stat(path); err == nil {
		p.loadTotal.Store(fi.Size())
	}
	var libs []string
	res, err := snapshot.LoadFile(s.snapSource(), path, snapshot.LoadOptions{
		Limits: snapshot.Limits{
			ListFill: int(cfg.Int("list-max-listpack-size")),
			Hash: shard.HashLimits{
				Entries: cfg.Int("hash-max-listpack-entries"),
				Value:   cfg.Int("hash-max-listpack-value"),
			},
			Set: shard.SetLimits{
				IntsetEntries:   cfg.Int("set-max-intset-entries"),
				ListpackEntries: cfg.Int("set-max-listpack-entries"),
				ListpackValue:   cfg.Int("set-max-listpack-value"),
			},
			ZSet: shard.ZSetLimits{
				Entries: cfg.Int("zset-max-listpack-entries"),
				Value:   cfg.Int("zset-max-listpack-value"),
			},
		},
		Route:    s.router.Route,
		HideKeys: cfg.Bool("hide-user-data-from-log"),
		Now:      time.Now().UnixMilli(),
		Progress: p.loadDone.Store,
		Access:   s.snapAccess(),
		OnFunction: func(code []byte) error {
			libs = append(libs, string(code))
			return nil
		},
		OnAux: func(name, value string) {
			// What Redis logs of the file's header as it reads it.
			v, err := strconv.ParseInt(value, 10, 64)
			switch {
			case name == "redis-ver":
				s.log.Infof("Loading RDB produced by version %s", value)
			case name == "ctime" && err == nil:
				s.log.Infof("RDB age %d seconds", time.Now().Unix()-v)
			case name == "used-mem" && err == nil:
				s.log.Infof("RDB memory usage when created %.2f Mb", float64(v)/(1024*1024))
				p.loadUsedMem.Store(v)
			}
		},
	})
	if err == nil {
		// The file's libraries replace any there are (DEBUG RELOAD), as
		// Redis loads them; one that does not load fails the load.
		if ferr := s.scripts.ReplaceLibraries(libs); ferr != nil {
			err = fmt.Errorf("a function library of the file does not load: %w", ferr)
		}
	}
	p.loadDone.Store(res.Bytes)
	s.persist.loadKeys.Store(res.Keys)
	s.persist.loadExpire.Store(res.Expired)
	if err == nil {
		s.lastSave.Store(time.Now().Unix())
		s.persist.dirtyBase.Store(s.writesDone())
	}
	return res, err
}

// debugReload is DEBUG RELOAD [NOSAVE]: save (unless NOSAVE), empty every
// shard, and load the file back, refusing other commands (-LOADING)
// meanwhile.
func (s *Server) debugReload(c *protocol.Conn, cl *Client, args [][]byte, home int) {
	cmd := s.commands["debug"]
	if !command.ProtectedAllowed(s.cfg.String("enable-debug-command"), addrIsLoopback(c.RemoteAddr())) {
		s.rejectCommand(c, cl, home, cmd, debugcmd.ErrNotAllowed)
		return
	}
	nosave := false
	for _, a := range args[2:] {
		switch {
		case command.EqFold(a, "nosave"):
			nosave = true
		case command.EqFold(a, "noflush"), command.EqFold(a, "merge"):
			s.rejectCommand(c, cl, home, cmd, "ERR DEBUG RELOAD "+string(a)+" is not supported")
			return
		default:
			s.rejectCommand(c, cl, home, cmd, "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
			return
		}
	}
	start := time.Now()
	s.replyLater(c, cl, home, func() (string, string) {
		if !nosave {
			if err := s.saveSync(); err != nil {
				s.noteConnCall(cmd, home, start, true)
				return "", "ERR Error trying to save the RDB dump, check server logs."
			}
		}
		p := &s.persist
		p.saveMu.Lock()
		defer p.saveMu.Unlock()
		p.loading.Store(true)
		p.setRefuse(refuseLoading, true)
		s.SetLoading(true)
		defer func() {
			p.loading.Store(false)
			p.setRefuse(refuseLoading, false)
			s.SetLoading(false)
		}()
		now := time.Now().UnixMilli()
		s.onEveryShard(func(i int) { s.router.Shard(i).FlushAll(now) })
		path := filepath.Join(s.cfg.String("dir"), s.cfg.String("dbfilename"))
		if _, err := s.loadFile(path); err != nil {
			s.log.Warnf("DEBUG RELOAD: %v", err)
			s.noteConnCall(cmd, home, start, true)
			return "", "ERR Error trying to load the RDB dump, check server logs."
		}
		s.log.Infof("DB reloaded by DEBUG RELOAD")
		s.noteConnCall(cmd, home, start, false)
		return "OK", ""
	})
}

// InfoPersistence implements infocmd.Source.
func (s *Server) InfoPersistence() infocmd.PersistenceFigures {
	p := &s.persist
	f := infocmd.PersistenceFigures{
		LastSave:      s.lastSave.Load(),
		Loading:       p.loading.Load(),
		Changes:       s.changesSinceSave(),
		BgsaveRunning: p.bgRunning.Load(),
		LastBgsaveOK:  !p.lastBgErr.Load(),
		LastBgsaveSec: p.lastBgSec.Load(),
		CurrentBgsave: -1,
		Saves:         p.saves.Load(),
		LoadKeys:      p.loadKeys.Load(),
		LoadExpired:   p.loadExpire.Load(),
		LoadStart:     p.loadStart.Load(),
		LoadTotal:     p.loadTotal.Load(),
		LoadDone:      p.loadDone.Load(),
		LoadUsedMem:   p.loadUsedMem.Load(),
	}
	if st := p.bgStarted.Load(); st != 0 && f.BgsaveRunning {
		f.CurrentBgsave = (time.Now().UnixMilli() - st) / 1000
	}
	return f
}

// stopNet stops the listener after a failed start.
func (s *Server) stopNet() {
	if s.net != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.net.Stop(ctx)
	}
}

// persistConfig makes the -MISCONF refusal follow the settings it depends
// on.
func (s *Server) persistConfig() {
	for _, name := range []string{"save", "stop-writes-on-bgsave-error"} {
		s.cfg.OnChange(name, func(string) { s.updateMisconf() })
	}
	// Redis saves the emptied dataset right after FLUSHALL when save rules
	// are set, so that a restart does not bring the flushed keys back.
	// Here FLUSHALL schedules a background save (the cron starts it
	// within a second; one running finishes first and holds the keys as
	// they were before the flush).
	if c := s.commands["flushall"]; c != nil && c.Run != nil {
		run := c.Run
		c.Run = func(x *command.Exec) {
			run(x)
			if !x.Failed && len(s.cfg.SavePoints()) > 0 {
				s.persist.scheduled.Store(true)
			}
		}
	}
}

// refuseLoading answers a Memcached command that reads or writes data
// while a snapshot loads (the RESP face's -LOADING), and reports whether
// it did.
func (m *mcState) refuseLoading(c *protocol.Conn, home int, r *memcache.Request) bool {
	if m.s.persist.refuse.Load()&refuseLoading == 0 {
		return false
	}
	switch r.Cmd {
	case memcache.CmdNone, memcache.CmdError, memcache.CmdAuth, memcache.CmdQuit, memcache.CmdVersion,
		memcache.CmdVerbosity, memcache.CmdMetaNoop, memcache.CmdStats:
		return false
	}
	if !r.NoReply {
		m.replyLine(c, home, "SERVER_ERROR loading the dataset in memory")
	}
	return true
}

// errMCMisconf is the Memcached face's -MISCONF: a write refused after a
// failed background save (stop-writes-on-bgsave-error).
const errMCMisconf = "SERVER_ERROR unable to persist to disk: writes are refused until a save succeeds (stop-writes-on-bgsave-error)"

// refuseWrite answers a Memcached command that writes while the RESP face
// refuses writes (-MISCONF, or SHUTDOWN's final save), and reports whether
// it did. As memcached's server errors, the line is not sent for a classic
// command's noreply; a meta command's q hides only its result codes, so it
// gets the line.
func (m *mcState) refuseWrite(c *protocol.Conn, home int, r *memcache.Request) bool {
	refuse := m.s.persist.refuse.Load()
	if refuse&(refuseMisconf|refuseShutdown) == 0 {
		return false
	}
	meta := false
	switch r.Cmd {
	case memcache.CmdMetaSet, memcache.CmdMetaDelete, memcache.CmdMetaArithmetic:
		meta = true
	case memcache.CmdSet, memcache.CmdAdd, memcache.CmdReplace, memcache.CmdAppend, memcache.CmdPrepend,
		memcache.CmdCas, memcache.CmdIncr, memcache.CmdDecr, memcache.CmdDelete, memcache.CmdTouch,
		memcache.CmdFlushAll, memcache.CmdGat, memcache.CmdGats:
	case memcache.CmdMetaGet:
		if !r.Meta.Has('T') && !r.Meta.Has('N') { // a TTL update or an autovivify writes
			return false
		}
		meta = true
	default:
		return false
	}
	if meta || !r.NoReply {
		msg := errMCMisconf
		if refuse&refuseShutdown != 0 {
			msg = "SERVER_ERROR the server is shutting down: it saves its final snapshot"
		}
		m.replyLine(c, home, msg)
	}
	return true
}
