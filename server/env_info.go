package server

import (
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/server/infocmd"
	"github.com/anaxdb/anax/server/scriptcmd"
)

// The server is INFO's source of figures (infocmd.Source): it gathers, the
// infocmd package renders. Every method reads atomics, the figures the
// shards publish and locked counters only, so it is safe on any goroutine
// (an event loop running INFO, the HTTP console).

var _ infocmd.Source = (*Server)(nil)

// InfoServer implements infocmd.Source.
func (s *Server) InfoServer() infocmd.ServerFigures {
	return infocmd.ServerFigures{
		RedisVersion: Version,
		AnaxVersion:  AnaxVersion,
		RunID:        s.runID,
		ConfigFile:   s.cfg.ConfigFile(),
		Started:      s.started,
		Port:         s.cfg.Int("port"),
		Hz:           s.cfg.Int("hz"),
		Bind:         s.cfg.Strings("bind"),
	}
}

// InfoClients implements infocmd.Source.
func (s *Server) InfoClients() infocmd.ClientFigures {
	var keys, watched int64
	for _, sh := range s.router.Shards() {
		keys += sh.BlockedKeysPublished()
		watched += sh.WatchedKeys()
	}
	return infocmd.ClientFigures{Connected: s.net.Clients.Load(), MaxClients: s.cfg.Int("maxclients"),
		Blocked: s.blockedClients.Load() + s.pause.waiting.Load(), BlockingKeys: keys,
		PubSub: s.clientGauges.pubsub.Load(), Watching: s.clientGauges.watching.Load(), WatchedKeys: watched}
}

// InfoMemory implements infocmd.Source; used counts towards the peak.
func (s *Server) InfoMemory(used int64) infocmd.MemoryFigures {
	a := s.admin()
	a.notePeak(used)
	var pending, freed int64
	for _, sh := range s.router.Shards() {
		pending += sh.Stats.LazyPending.Load()
		freed += sh.Stats.LazyFreed.Load()
	}
	scriptBytes, scripts := s.scripts.Memory()
	libs, funcs, funcBytes := s.scripts.FunctionMemory()
	return infocmd.MemoryFigures{
		LuaVM:           s.scripts.Interpreters() * scriptcmd.InterpreterBytes,
		ScriptsEval:     scriptBytes,
		CachedScripts:   scripts,
		Libraries:       libs,
		Functions:       funcs,
		FunctionsMemory: funcBytes,
		LazyPending:     pending,
		LazyFreed:       freed,
		Peak:            a.peakMemory.Load(),
		Dataset:         s.datasetMemory(),
		MaxMemory:       s.cfg.Int("maxmemory"),
		Policy:          s.cfg.String("maxmemory-policy"),
	}
}

// InfoStats implements infocmd.Source.
func (s *Server) InfoStats() infocmd.StatsFigures {
	var errors int64
	for i := range s.errStats {
		es := &s.errStats[i]
		es.mu.Lock()
		errors += es.total
		es.mu.Unlock()
	}
	in, out := s.netBytes()
	inKbps, outKbps := s.admin().netKbps()
	return infocmd.StatsFigures{
		NetInput:                  in,
		NetOutput:                 out,
		InputKbps:                 inKbps,
		OutputKbps:                outKbps,
		ConnectionsReceived:       s.net.TotalConnections.Load(),
		OpsPerSec:                 s.admin().opsPerSec(),
		RejectedConnections:       s.net.Rejected.Load(),
		ErrorReplies:              errors,
		QueryLimitDisconnections:  s.net.QueryLimitDisconnections.Load(),
		OutputLimitDisconnections: s.net.OutputLimitDisconnections.Load(),
		EvictedScripts:            s.scripts.Evicted(),
	}
}

// InfoReplication implements infocmd.Source.
func (s *Server) InfoReplication() infocmd.ReplicationFigures {
	return infocmd.ReplicationFigures{ReplID: s.admin().replID}
}

// InfoErrors implements infocmd.Source.
func (s *Server) InfoErrors() map[string]int64 { return s.errorCounts() }

// InfoKeyspace implements infocmd.Source: each database summed over the
// shards, from the figures each shard publishes as it changes.
func (s *Server) InfoKeyspace() []infocmd.DBFigures {
	shards := s.router.Shards()
	dbs := make([]infocmd.DBFigures, shards[0].NumDB())
	for db := range dbs {
		// avg_ttl: the shards' averages weighted by their keys with a TTL.
		var ttlWeighted float64
		for _, sh := range shards {
			dbs[db].Keys += sh.Keys(db)
			e := sh.Expires(db)
			dbs[db].Expires += e
			ttlWeighted += float64(sh.AvgTTL(db)) * float64(e)
		}
		if dbs[db].Expires > 0 {
			dbs[db].AvgTTL = int64(ttlWeighted / float64(dbs[db].Expires))
		}
	}
	return dbs
}

// InfoShards implements infocmd.Source.
func (s *Server) InfoShards() []infocmd.ShardFigures {
	shards := s.router.Shards()
	out := make([]infocmd.ShardFigures, len(shards))
	for i, sh := range shards {
		var keys int64
		for db := 0; db < sh.NumDB(); db++ {
			keys += sh.Keys(db)
		}
		out[i] = infocmd.ShardFigures{
			ID:            sh.ID,
			Keys:          keys,
			UsedMemory:    sh.UsedMemory(),
			Inbox:         sh.InboxLen(),
			TxQueue:       s.router.QueueLen(sh.ID),
			Hits:          sh.Stats.Hits.Load(),
			Misses:        sh.Stats.Misses.Load(),
			ExpiredKeys:   sh.Stats.ExpiredKeys.Load(),
			EvictedKeys:   sh.Stats.EvictedKeys.Load(),
			ExpiredFields: sh.Stats.ExpiredFields.Load(),
		}
	}
	return out
}

// InfoAnax implements infocmd.Source.
func (s *Server) InfoAnax() infocmd.AnaxFigures {
	st := &s.router.Stats
	return infocmd.AnaxFigures{
		Version:      AnaxVersion,
		Hops:         st.Hops.Load(),
		Transactions: st.Transactions.Load(),
		Retries:      st.Retries.Load(),
		Queued:       st.Queued.Load(),
		Squashed:     st.Squashed.Load(),
		CronSaves:    s.persist.cronSaves.Load(),
		CronSkipped:  s.persist.cronSkipped.Load(),
	}
}

// CommandTable implements infocmd.CommandCounters.
func (s *Server) CommandTable() []*command.Spec { return s.cmdList }

// UnknownSubcommands implements infocmd.CommandCounters.
func (s *Server) UnknownSubcommands(c *command.Spec) int64 {
	return s.admin().unknownSubcommands(c)
}

// CommandsRun implements infocmd.CommandCounters.
func (s *Server) CommandsRun() int64 { return s.totalCommands() }

// commandsProcessed is total_commands_processed (infocmd.CommandsProcessed).
func (s *Server) commandsProcessed() int64 { return infocmd.CommandsProcessed(s) }

// datasetMemory returns the bytes the shards hold for keys and values
// (arenas and tables), as each shard last published it.
func (s *Server) datasetMemory() int64 {
	var n int64
	for _, sh := range s.router.Shards() {
		n += sh.UsedMemory()
	}
	return n
}
