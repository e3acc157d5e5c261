package lint

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// modulePackages lists the module's packages with `go list` and returns
// the module path, the packages and, for each, the module's packages it
// imports (not counting its tests), all relative to the module.
func modulePackages(t *testing.T) (module string, pkgs []string, imports map[string][]string) {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the packages: %v", err)
	}
	out, err := exec.Command(goCmd, "list", "-m").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	module = strings.TrimSpace(string(out))
	out, err = exec.Command(goCmd, "list", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list -json %s/...: %v", module, err)
	}
	rel := func(p string) (string, bool) {
		if p == module {
			return "", true
		}
		r, ok := strings.CutPrefix(p, module+"/")
		return r, ok
	}
	imports = map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list -json: %v", err)
		}
		name, _ := rel(p.ImportPath)
		pkgs = append(pkgs, name)
		for _, imp := range p.Imports {
			if r, ok := rel(imp); ok {
				imports[name] = append(imports[name], r)
			}
		}
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no package")
	}
	return module, pkgs, imports
}

// TestImportDirection fails on every import the rules forbid.
func TestImportDirection(t *testing.T) {
	module, pkgs, imports := modulePackages(t)
	for _, v := range check(rules, pkgs, imports) {
		t.Errorf("%s (paths in %s)", v, module)
	}
	// A rule that names a package by its exact path must name one that
	// exists: a rename would otherwise switch the rule off unseen.
	for _, r := range rules {
		for _, p := range append(append([]string{}, r.pkgs...), r.except...) {
			if strings.Contains(p, "...") {
				continue
			}
			if !contains(pkgs, p) {
				t.Errorf("rule %q names %s, which is no package of %s", r.name, p, module)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestCheck runs the rules over a made-up module.
func TestCheck(t *testing.T) {
	pkgs := []string{"dashtable", "dashtable/internal", "container/listpack", "container/quicklist", "http/console", "http/metrics",
		"http/face", "server", "server/command", "server/lists", "server/hashes", "shard", "txn", "cmd/anax"}
	imports := map[string][]string{
		"dashtable":           {"dashtable/internal"},                     // its own: fine
		"dashtable/internal":  {"shard/arena"},                            // a leaf's sub-package is no leaf unless named
		"container/listpack":  {"internal/invariants"},                    // anything of Anax
		"container/quicklist": {"container/listpack", "container/intset"}, // its nodes' format only
		"http/console":        {"config", "server/command"},               // config is fine; the server's tree is not
		"http/metrics":        {},
		"http/face":           {"http/console", "http/wire", "protocol", "server"}, // its siblings are fine; the server is not
		"server":              {"server/lists", "server/command", "http/console"},
		"server/command":      {"shard", "txn"},
		"server/lists":        {"server/command", "server/hashes", "server", "shard"},
		"shard":               {"dashtable", "protocol/resp"},
		"txn":                 {"shard"},
		"cmd/anax":            {"server"},
	}
	var got []string
	for _, v := range check(rules, pkgs, imports) {
		got = append(got, v.pkg+" -> "+v.imp)
	}
	want := []string{
		"container/listpack -> internal/invariants",
		"container/quicklist -> container/intset",
		"http/console -> server/command",
		"http/face -> server",
		"server/lists -> server/hashes",
		"server/lists -> server",
		"shard -> protocol/resp",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s := check(rules, []string{"snapshot/rdb"}, map[string][]string{"snapshot/rdb": {"shard"}})[0].String(); s != "snapshot/rdb imports shard: a leaf imports nothing of Anax" {
		t.Fatalf("String() = %q", s)
	}
}
