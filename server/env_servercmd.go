package server

import (
	"go.uber.org/zap"

	"github.com/anaxdb/anax/config"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/server/infocmd"
	"github.com/anaxdb/anax/server/servercmd"
)

// The server's side of the administration commands (package servercmd):
// its configuration, statistics, memory figures and life. The state stays
// here (adminState in admin.go, the connections); servercmd.Host lends
// what the commands need of it. Shutdown is the Server's own method.

var _ servercmd.Host = (*Server)(nil)

// Config returns the server's configuration.
func (s *Server) Config() *config.Config { return s.cfg }

// Log returns the server's log.
func (s *Server) Log() *zap.SugaredLogger { return s.log }

// ResetStats clears what INFO counts (CONFIG RESETSTAT; admin.go).
func (s *Server) ResetStats() { s.resetStats() }

// LastSave returns the Unix time of the last successful save.
func (s *Server) LastSave() int64 { return s.lastSave.Load() }

// UsedMemory returns used_memory now.
func (s *Server) UsedMemory() int64 { return infocmd.ReadMemFigures().Used }

// MemoryStats reads the figures of MEMORY STATS, noting the current use as
// a candidate peak first, as INFO memory does.
func (s *Server) MemoryStats() servercmd.MemoryStats {
	m := infocmd.ReadMemFigures()
	a := s.admin()
	a.notePeak(m.Used)
	st := servercmd.MemoryStats{
		Used:         m.Used,
		Peak:         a.peakMemory.Load(),
		Dataset:      s.datasetMemory(),
		Total:        m.Total,
		HeapObjects:  m.HeapObjects,
		HeapUnused:   m.HeapUnused,
		HeapReleased: m.HeapReleased,
	}
	shards := s.router.Shards()
	st.DBs = make([]servercmd.DBKeys, shards[0].NumDB())
	for _, sh := range shards {
		st.Tables += sh.TablesMemory()
	}
	for db := range st.DBs {
		for _, sh := range shards {
			st.DBs[db].Keys += sh.Keys(db)
			st.DBs[db].Expires += sh.Expires(db)
		}
	}
	st.RSS = infocmd.ProcessRSS()
	return st
}

// IsLocalClient reports whether x's client connects over loopback.
func (s *Server) IsLocalClient(x *command.Exec) bool {
	return addrIsLoopback(clientOf(x).conn.RemoteAddr())
}

// CloseAfterReply closes x's connection once its replies are written.
func (s *Server) CloseAfterReply(x *command.Exec) { clientOf(x).conn.CloseAfterReply() }
