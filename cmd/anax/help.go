package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/anaxdb/anax/config"
)

// printHelp writes --help: the usage, then every setting from the table
// CONFIG GET and SET use (config.Params), with its default and meaning;
// the settings Anax accepts without effect come last, with the reason.
func printHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: anax [/path/to/anax.conf] [--setting value | --setting=value ...]
       anax --help | --version

Settings come from a redis.conf-style file, ANAX_<SETTING> environment
variables (ANAX_PORT=7000, ANAX_PROTO_MAX_BULK_LEN=1gb) and flags, in
increasing order of precedence. Names are case-insensitive and '_' equals
'-'. A bool flag alone means yes. Examples:
  anax --port 6380 --threads 4
  anax /etc/redis/redis.conf --daemonize no --loglevel verbose

Settings (CONFIG GET/SET names; "fixed" ones cannot change at run time):
`)
	var inert []config.ParamInfo
	for _, p := range config.Params() {
		if p.Hidden {
			continue
		}
		if p.NoEffect != "" {
			inert = append(inert, p)
			continue
		}
		writeSetting(w, p, p.Help)
	}
	fmt.Fprint(w, "\nAccepted for compatibility with redis.conf, without effect in Anax:\n")
	for _, p := range inert {
		writeSetting(w, p, p.NoEffect)
	}
}

func writeSetting(w io.Writer, p config.ParamInfo, text string) {
	def := p.Default
	if def == "" {
		def = `""`
	}
	var notes []string
	if len(p.Values) > 0 && p.Type != "bool" {
		notes = append(notes, strings.Join(p.Values, "|"))
	}
	if !p.Mutable {
		notes = append(notes, "fixed")
	}
	if len(p.Aliases) > 0 {
		notes = append(notes, "alias "+strings.Join(p.Aliases, ", "))
	}
	if p.AnaxOnly {
		notes = append(notes, "Anax only")
	}
	extra := ""
	if len(notes) > 0 {
		extra = " [" + strings.Join(notes, "; ") + "]"
	}
	fmt.Fprintf(w, "  --%s %s (default %s)%s\n      %s\n", p.Name, p.Type, def, extra, text)
}
