package lint

import "strings"

// A rule forbids the packages it names (pkgs, less except) to import the
// module's packages matched by forbid, less those matched by allow.
// Patterns are paths inside the module: "a/b" is that package, "a/..."
// is a and every package below it, "..." is every package of the module.
type rule struct {
	name   string // said with each violation
	pkgs   []string
	except []string
	forbid []string
	allow  []string
}

// rules is the import direction of docs/architecture.md, as data.
var rules = []rule{
	{
		name: "a leaf imports nothing of Anax",
		pkgs: []string{"dashtable", "protocol/resp", "protocol/memcache",
			"shard/arena", "internal/glob", "http/wire", "container/...", "server/cmdmeta"},
		except: []string{"container/quicklist", "container/stream"},
		forbid: []string{"..."},
	},
	{
		// A quicklist's nodes are listpacks: the one leaf a leaf builds on.
		name:   "container/quicklist imports nothing of Anax but container/listpack",
		pkgs:   []string{"container/quicklist"},
		forbid: []string{"..."},
		allow:  []string{"container/listpack"},
	},
	{
		// A stream's nodes are listpacks too.
		name:   "container/stream imports nothing of Anax but container/listpack",
		pkgs:   []string{"container/stream"},
		forbid: []string{"..."},
		allow:  []string{"container/listpack"},
	},
	{
		// The RDB codec reads and writes Redis's listpacks; it shares the
		// one implementation of them rather than keep a copy.
		name:   "snapshot/rdb is a leaf but for the data structures under container/",
		pkgs:   []string{"snapshot/rdb"},
		forbid: []string{"..."},
		allow:  []string{"container/..."},
	},
	{
		name:   "the HTTP face and its handlers reach the server through the interfaces they define",
		pkgs:   []string{"http/metrics", "http/console", "http/face"},
		forbid: []string{"server", "server/..."},
	},
	{
		name:   "a command family imports no server package but the contract, server/command, and the command metadata, server/cmdmeta",
		pkgs:   []string{"server/..."},
		except: []string{"server"},
		forbid: []string{"server/..."},
		allow:  []string{"server/command", "server/cmdmeta"},
	},
	{
		// The server lends the snapshot its shards and a way to start on
		// all of them; replication will reuse the snapshot the same way.
		name:   "snapshot knows nothing of the server, connections or the scheduler",
		pkgs:   []string{"snapshot/..."},
		forbid: []string{"server", "server/...", "protocol/...", "http/...", "txn/..."},
	},
	{
		name:   "the shards and the scheduler know nothing of connections or commands",
		pkgs:   []string{"shard/...", "txn/..."},
		forbid: []string{"server/...", "protocol/...", "http/..."},
	},
}

// match reports whether the module path p (relative, "" for the module's
// root package) is matched by pattern.
func match(pattern, p string) bool {
	if pattern == "..." {
		return true
	}
	if tree, ok := strings.CutSuffix(pattern, "/..."); ok {
		return p == tree || strings.HasPrefix(p, tree+"/")
	}
	return p == pattern
}

func matchAny(patterns []string, p string) bool {
	for _, pat := range patterns {
		if match(pat, p) {
			return true
		}
	}
	return false
}

// violation is one import a rule forbids.
type violation struct {
	pkg, imp string
	rule     *rule
}

func (v violation) String() string {
	return v.pkg + " imports " + v.imp + ": " + v.rule.name
}

// check returns every import of imports (package → the module's
// packages it imports, all paths relative to the module) that a rule
// forbids, in the order of pkgs.
func check(rules []rule, pkgs []string, imports map[string][]string) []violation {
	var out []violation
	for _, p := range pkgs {
		for i := range rules {
			r := &rules[i]
			if !matchAny(r.pkgs, p) || matchAny(r.except, p) {
				continue
			}
			for _, imp := range imports[p] {
				if imp == p || strings.HasPrefix(imp, p+"/") {
					continue // its own sub-packages
				}
				if matchAny(r.forbid, imp) && !matchAny(r.allow, imp) {
					out = append(out, violation{pkg: p, imp: imp, rule: r})
				}
			}
		}
	}
	return out
}
