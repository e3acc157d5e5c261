package cmdmeta

import (
	"reflect"
	"strings"
	"testing"
)

func TestEmbeddedParsesAndRoundTrips(t *testing.T) {
	cmds, err := Parse(commandsTxt)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) < 100 {
		t.Fatalf("%d commands", len(cmds))
	}
	again, err := Parse(Format(cmds))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cmds, again) {
		t.Fatal("Parse(Format(x)) != x")
	}
	// The file is kept in canonical form, apart from its comment lines.
	var body []string
	for _, l := range strings.Split(commandsTxt, "\n") {
		if !strings.HasPrefix(l, "#") {
			body = append(body, l)
		}
	}
	if got, want := strings.TrimSpace(strings.Join(body, "\n")), strings.TrimSpace(Format(cmds)); got != want {
		t.Error("commands.txt is not in the form Format writes")
	}
	for _, c := range cmds {
		if c.Arity == 0 || c.Group == "" || c.Since == "" || len(c.ACL) == 0 {
			t.Errorf("%s: arity, group, since or acl missing", c.Name)
		}
	}
}

func TestParseSet(t *testing.T) {
	c := Lookup("set")
	if c == nil {
		t.Fatal("no set")
	}
	want := &Command{
		Name: "set", Arity: -3, Flags: []string{"write", "denyoom"}, ACL: []string{"write", "string", "slow"},
		Group: "string", Since: "1.0.0",
	}
	if c.Name != want.Name || c.Arity != want.Arity || !reflect.DeepEqual(c.Flags, want.Flags) ||
		!reflect.DeepEqual(c.ACL, want.ACL) || c.Group != want.Group || c.Since != want.Since {
		t.Errorf("set: %+v", c)
	}
	if len(c.KeySpecs) != 1 || c.KeySpecs[0].Begin != BeginIndex || c.KeySpecs[0].Index != 1 ||
		c.KeySpecs[0].Find != FindRange || c.KeySpecs[0].KeyStep != 1 || c.KeySpecs[0].Notes == "" {
		t.Errorf("set key specs: %+v", c.KeySpecs)
	}
	if len(c.Args) < 3 || c.Args[0].KeySpecIndex != 0 || c.Args[2].Type != "oneof" || !c.Args[2].Optional ||
		len(c.Args[2].Args) != 2 || c.Args[2].Args[1].Token != "XX" {
		t.Errorf("set args: %+v", c.Args)
	}
	if len(c.History) == 0 || c.History[0].Version != "2.6.12" || !strings.Contains(c.History[0].Text, "`EX`") {
		t.Errorf("set history: %+v", c.History)
	}
}

func TestParseForms(t *testing.T) {
	f := func(text string, want *Command) {
		t.Helper()
		cmds, err := Parse(text)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if len(cmds) != 1 || !reflect.DeepEqual(cmds[0], want) {
			t.Fatalf("%q:\n got %+v\nwant %+v", text, cmds[0], want)
		}
		if again, err := Parse(Format(cmds)); err != nil || !reflect.DeepEqual(again, cmds) {
			t.Fatalf("%q: no round trip: %v\n%s", text, err, Format(cmds))
		}
	}
	f("x|y\n  arity -2\n  key flags=RO,access begin=keyword:STREAMS:1 find=keynum:0:1:2 notes=\"a = b\"\n"+
		"  arg k key key=0 multiple\n  arg \"a b\" block display=\"x y\" token=\"\" optional multiple_token\n    arg c pure-token token=C\n",
		&Command{Name: "x|y", Arity: -2,
			KeySpecs: []KeySpec{{Notes: "a = b", Flags: []string{"RO", "access"}, Begin: BeginKeyword, Keyword: "STREAMS", StartFrom: 1,
				Find: FindKeynum, KeyNumIdx: 0, FirstKey: 1, KeyStep: 2}},
			Args: []Arg{{Name: "k", Type: "key", KeySpecIndex: 0, Multiple: true},
				{Name: "a b", Type: "block", DisplayText: "x y", KeySpecIndex: -1, Optional: true, MultipleToken: true,
					Args: []Arg{{Name: "c", Type: "pure-token", Token: "C", KeySpecIndex: -1}}}}})
	f("# comment\n\nz\n  arity 1\n  key flags=RW begin=unknown find=unknown\n  history 1.0 \"\\\"q\\\"\"\n",
		&Command{Name: "z", Arity: 1, KeySpecs: []KeySpec{{Flags: []string{"RW"}, Begin: BeginUnknown, Find: FindUnknown}},
			History: []History{{"1.0", `"q"`}}})
}

func TestParseErrors(t *testing.T) {
	for _, text := range []string{
		"  arity 1\n",        // attribute before a command
		"Set\n",              // not lowercase
		"a\na\n",             // repeated
		"a\n   arity 1\n",    // odd indentation
		"a\n  arity x\n",     // not a number
		"a\n  colour blue\n", // unknown attribute
		"a\n  arg k key\n",   // key without key=
		"a\n  key flags=RW begin=index:1 find=range:0:1:0\n  arg k key key=1\n", // no key spec 1
		"a\n  arg k string\n    arg j string\n",                                 // nested under a plain argument
		"a\n    arg k string\n",                                                 // nested under nothing
		"a\n  arg k float\n",                                                    // unknown type
		"a\n  arg k string sometimes\n",                                         // unknown flag
		"a\n  key flags=RW begin=index find=range:0:1:0\n",
		"a\n  key flags=RW begin=index:1\n",
		"a\n  history 1.0 \"open\n",
		"a\n  history 1.0 x\"y\"\n",
	} {
		if _, err := Parse(text); err == nil {
			t.Errorf("%q: no error", text)
		}
	}
}
