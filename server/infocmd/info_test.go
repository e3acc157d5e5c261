package infocmd

import (
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/server/command"
)

// fakeSource is a Source with fixed figures.
type fakeSource struct {
	cmds    []*command.Spec
	unknown map[*command.Spec]int64
	run     int64
	errors  map[string]int64
	dbs     []DBFigures
	shards  []ShardFigures
}

func (f *fakeSource) CommandTable() []*command.Spec            { return f.cmds }
func (f *fakeSource) UnknownSubcommands(c *command.Spec) int64 { return f.unknown[c] }
func (f *fakeSource) CommandsRun() int64                       { return f.run }
func (f *fakeSource) InfoMemory(used int64) MemoryFigures {
	return MemoryFigures{Peak: used, Policy: "noeviction"}
}
func (f *fakeSource) InfoPersistence() PersistenceFigures {
	return PersistenceFigures{LastSave: 1700000000, LastBgsaveOK: true, LastBgsaveSec: -1, CurrentBgsave: -1}
}
func (f *fakeSource) InfoReplication() ReplicationFigures { return ReplicationFigures{ReplID: "r1"} }
func (f *fakeSource) InfoErrors() map[string]int64        { return f.errors }
func (f *fakeSource) InfoKeyspace() []DBFigures           { return f.dbs }
func (f *fakeSource) InfoShards() []ShardFigures          { return f.shards }
func (f *fakeSource) InfoClients() ClientFigures {
	return ClientFigures{Connected: 3, MaxClients: 10000}
}
func (f *fakeSource) InfoStats() StatsFigures {
	return StatsFigures{ConnectionsReceived: 7, ErrorReplies: 4}
}
func (f *fakeSource) InfoAnax() AnaxFigures { return AnaxFigures{Version: "9.9.9", Hops: 5} }
func (f *fakeSource) InfoServer() ServerFigures {
	return ServerFigures{RedisVersion: "7.2.5", AnaxVersion: "9.9.9", RunID: "abc", Started: time.Now(),
		Port: 6380, Hz: 10, Bind: []string{"127.0.0.1", "::1"}}
}

// spec returns a command whose counters (on two loops) hold calls, usec,
// rejected and failed, the first loop taking all but one call.
func spec(name string, calls, usec, rejected, failed int64, subs ...*command.Spec) *command.Spec {
	c := &command.Spec{Name: name, Stats: make([]command.Stat, 2), Subcommands: subs}
	c.Stats[0].Calls.Store(calls - min(calls, 1))
	c.Stats[1].Calls.Store(min(calls, 1))
	c.Stats[0].Nsec.Store(usec * 1000)
	c.Stats[1].Rejected.Store(rejected)
	c.Stats[1].Failed.Store(failed)
	return c
}

// sectionsOf returns the section names of INFO text, in order.
func sectionsOf(text string) []string {
	var names []string
	for _, l := range strings.Split(text, "\r\n") {
		if name, ok := strings.CutPrefix(l, "# "); ok {
			names = append(names, name)
		}
	}
	return names
}

func TestRenderSections(t *testing.T) {
	src := &fakeSource{dbs: []DBFigures{{}}}
	defaults := "Server,Clients,Memory,Persistence,Stats,Replication,CPU,Modules,Errorstats,Cluster,Keyspace"
	every := "Server,Clients,Memory,Persistence,Stats,Replication,CPU,Modules,Commandstats,Errorstats,Latencystats,Cluster,Keyspace,Anax"
	f := func(args, want string) {
		t.Helper()
		var bargs [][]byte
		for _, a := range strings.Fields(args) {
			bargs = append(bargs, []byte(a))
		}
		text := Render(src, bargs)
		if got := strings.Join(sectionsOf(text), ","); got != want {
			t.Errorf("INFO %s: sections %s, want %s", args, got, want)
		}
		if text != "" && (!strings.HasSuffix(text, "\r\n") || strings.Contains(strings.ReplaceAll(text, "\r\n", ""), "\n")) {
			t.Errorf("INFO %s: lines must all end in CRLF", args)
		}
	}
	f("", defaults)
	f("default", defaults)
	f("all", every)
	f("EVERYTHING", every)
	f("keyspace cpu", "CPU,Keyspace")
	f("Server", "Server")
	f("module_list", "Modules")
	f("default commandstats", "Server,Clients,Memory,Persistence,Stats,Replication,CPU,Modules,Commandstats,Errorstats,Cluster,Keyspace")
	f("nosuch", "")
	if text := Render(src, [][]byte{[]byte("clients"), []byte("cluster")}); text !=
		"# Clients\r\nconnected_clients:3\r\ncluster_connections:0\r\nmaxclients:10000\r\n"+
			"client_recent_max_input_buffer:0\r\nclient_recent_max_output_buffer:0\r\nblocked_clients:0\r\n"+
			"tracking_clients:0\r\npubsub_clients:0\r\nwatching_clients:0\r\nclients_in_timeout_table:0\r\n"+
			"total_watched_keys:0\r\ntotal_blocking_keys:0\r\ntotal_blocking_keys_on_nokey:0\r\n"+
			"\r\n# Cluster\r\ncluster_enabled:0\r\n" {
		t.Errorf("INFO clients cluster = %q", text)
	}
}

func TestRenderFigures(t *testing.T) {
	list := spec("client|list", 4, 40, 0, 1)
	id := spec("client|id", 0, 0, 2, 0)
	client := spec("client", 4+2+3+1, 50, 0, 0, list, id) // 3 unknown subcommands, 1 bare CLIENT
	src := &fakeSource{
		cmds:    []*command.Spec{spec("acl", 0, 0, 0, 0), client, spec("get", 3, 10, 0, 0)},
		unknown: map[*command.Spec]int64{client: 3},
		run:     100,
		errors:  map[string]int64{"WRONGTYPE": 1, "ERR": 2, "A:B": 1},
		dbs:     []DBFigures{{Keys: 3, Expires: 1}, {}, {Keys: 0, Expires: 2}},
		shards: []ShardFigures{
			{ID: 0, Keys: 2, UsedMemory: 64, Inbox: 1, TxQueue: 2, Hits: 5, Misses: 1, ExpiredKeys: 1},
			{ID: 1, Keys: 1, Hits: 2, Misses: 3},
		},
	}
	text := Render(src, [][]byte{[]byte("everything")})
	for _, want := range []string{
		"\r\nlistener0:name=tcp,bind=127.0.0.1,bind=::1,port=6380\r\n",
		"\r\nrdb_last_save_time:1700000000\r\n",
		"\r\ntotal_connections_received:7\r\n",
		"\r\ntotal_commands_processed:95\r\n", // 100 less 2 rejected by client|id and 3 unknown
		"\r\nkeyspace_hits:7\r\nkeyspace_misses:4\r\n",
		"\r\nexpired_keys:1\r\n",
		"\r\ntotal_error_replies:4\r\n",
		"\r\nmaster_replid:r1\r\n",
		"# Commandstats\r\n" +
			"cmdstat_client:calls=1,usec=10,usec_per_call=10.00,rejected_calls=0,failed_calls=0\r\n" +
			"cmdstat_client|list:calls=4,usec=40,usec_per_call=10.00,rejected_calls=0,failed_calls=1\r\n" +
			"cmdstat_client|id:calls=0,usec=0,usec_per_call=0.00,rejected_calls=2,failed_calls=0\r\n" +
			"cmdstat_get:calls=3,usec=10,usec_per_call=3.33,rejected_calls=0,failed_calls=0\r\n\r\n",
		"# Errorstats\r\nerrorstat_A_B:count=1\r\nerrorstat_ERR:count=2\r\nerrorstat_WRONGTYPE:count=1\r\n\r\n",
		"# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=0\r\ndb2:keys=0,expires=2,avg_ttl=0\r\n\r\n",
		"# Anax\r\nanax_version:9.9.9\r\nshards:2\r\nhops:5\r\n",
		"\r\nshard0:keys=2,used_memory=64,inbox=1,tx_queue=2,hits=5,misses=1,expired_keys=1\r\n" +
			"shard1:keys=1,used_memory=0,inbox=0,tx_queue=0,hits=2,misses=3,expired_keys=0\r\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("INFO everything lacks %q", want)
		}
	}
	if !strings.HasSuffix(text, "expired_keys=0\r\n") {
		t.Errorf("INFO everything must end with the last shard's line")
	}
}

func TestBytesToHuman(t *testing.T) {
	f := func(n int64, want string) {
		t.Helper()
		if got := bytesToHuman(n); got != want {
			t.Errorf("bytesToHuman(%d) = %q, want %q", n, got, want)
		}
	}
	f(0, "0B")
	f(1023, "1023B")
	f(1024, "1.00K")
	f(1536, "1.50K")
	f(2<<20, "2.00M")
	f(3<<30, "3.00G")
	f(1<<40, "1.00T")
	f(1<<50, "1.00P")
	f(1<<60, "1152921504606846976B")
	f(-5, "-5B")
}

func TestInfoSafe(t *testing.T) {
	f := func(s, want string) {
		t.Helper()
		if got := infoSafe(s); got != want {
			t.Errorf("infoSafe(%q) = %q, want %q", s, got, want)
		}
	}
	f("ERR", "ERR")
	f("a:b", "a_b")
	f("x\r\ny", "x__y")
}

func TestRatioPercentLRU(t *testing.T) {
	f := func(got, want float64) {
		t.Helper()
		if got != want {
			t.Errorf("got %v, want %v", got, want)
		}
	}
	f(command.Ratio(3, 2), 1.5)
	f(command.Ratio(1, 3), 0.33)
	f(command.Ratio(2, 3), 0.67)
	f(command.Ratio(1, 0), 0)
	f(command.Percent(1, 3), 33.33)
	f(command.Percent(5, 5), 100)
	f(command.Percent(1, -1), 0)
	f(float64(command.LRUClock(1<<24*1000+5999)), 5)
}
