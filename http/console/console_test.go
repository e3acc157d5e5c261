package console

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

func TestFormatReply(t *testing.T) {
	f := func(r Reply, want string) {
		t.Helper()
		if got := FormatReply(r); got != want {
			t.Errorf("FormatReply(%+v) = %q, want %q", r, got, want)
		}
	}
	bulk := func(s string) Reply { return Reply{Kind: Bulk, Str: s} }
	f(Reply{Kind: Simple, Str: "OK"}, "OK\n")
	f(Reply{Kind: Error, Str: "ERR no"}, "(error) ERR no\n")
	f(Reply{Kind: Integer, Int: -3}, "(integer) -3\n")
	f(Reply{Kind: Null}, "(nil)\n")
	f(bulk("a\"b\\c\n\x00é"), "\"a\\\"b\\\\c\\n\\x00\\xc3\\xa9\"\n")
	f(Reply{Kind: Array}, "(empty array)\n")
	f(Reply{Kind: Set}, "(empty set)\n")
	f(Reply{Kind: Map}, "(empty hash)\n")
	f(Reply{Kind: Double, Str: "1.5"}, "(double) 1.5\n")
	f(Reply{Kind: Bool, Int: 1}, "(true)\n")
	// Nesting and index widths, as redis-cli prints them.
	elems := make([]Reply, 10)
	for i := range elems {
		elems[i] = bulk(string(rune('a' + i)))
	}
	elems[1] = Reply{Kind: Array, Elems: []Reply{bulk("x"), {Kind: Integer, Int: 1}}}
	f(Reply{Kind: Array, Elems: elems},
		" 1) \"a\"\n 2) 1) \"x\"\n    2) (integer) 1\n 3) \"c\"\n 4) \"d\"\n 5) \"e\"\n 6) \"f\"\n 7) \"g\"\n 8) \"h\"\n 9) \"i\"\n10) \"j\"\n")
	f(Reply{Kind: Map, Elems: []Reply{bulk("k"), bulk("v"), bulk("n"), {Kind: Array, Elems: []Reply{bulk("1"), bulk("2")}}}},
		"1# \"k\" => \"v\"\n2# \"n\" => 1) \"1\"\n   2) \"2\"\n")
	f(Reply{Kind: Set, Elems: []Reply{bulk("m")}}, "1~ \"m\"\n")
}

func TestReplyJSON(t *testing.T) {
	r := Reply{Kind: Array, Elems: []Reply{{Kind: Bulk, Str: "v"}, {Kind: Null}, {Kind: Integer, Int: 7}, {Kind: Bool, Int: 1}, {Kind: Array}}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"array","value":[{"type":"bulk","value":"v"},{"type":"null"},{"type":"integer","value":7},{"type":"bool","value":true},{"type":"array","value":[]}]}`
	if string(b) != want {
		t.Errorf("JSON %s\nwant %s", b, want)
	}
}

func TestParseInfo(t *testing.T) {
	got := ParseInfo("# Server\r\nredis_version:7.2.5\r\nlistener0:name=tcp,bind=*,port=1\r\n\r\n# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n")
	b, _ := json.Marshal(got)
	want := `[{"name":"Server","fields":[["redis_version","7.2.5"],["listener0","name=tcp,bind=*,port=1"]]},{"name":"Keyspace","fields":[["db0","keys=1,expires=0,avg_ttl=0"]]}]`
	if string(b) != want {
		t.Errorf("ParseInfo: %s", b)
	}
}

func TestCrossSite(t *testing.T) {
	f := func(host string, hdr map[string]string, password bool, refused bool) {
		t.Helper()
		r := httptest.NewRequest("GET", "/api/info", nil)
		r.Host = host
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		if got := crossSite(r, password) != ""; got != refused {
			t.Errorf("crossSite(Host %s, %v, password %v) refused=%v, want %v", host, hdr, password, got, refused)
		}
	}
	f("127.0.0.1:6379", nil, false, false)
	f("[::1]:6379", nil, false, false)
	f("localhost:6379", nil, false, false)
	f("app.localhost", nil, false, false)
	f("db.example.com:6379", nil, false, true) // DNS rebinding risk: refused without a password
	f("db.example.com:6379", nil, true, false)
	f("127.0.0.1:6379", map[string]string{"Origin": "http://127.0.0.1:6379"}, false, false)
	f("127.0.0.1:6379", map[string]string{"Origin": "http://127.0.0.1:6380"}, false, true)
	f("127.0.0.1:6379", map[string]string{"Origin": "https://evil.example"}, true, true)
	f("127.0.0.1:6379", map[string]string{"Origin": "null"}, true, true)
	f("127.0.0.1:6379", map[string]string{"Sec-Fetch-Site": "same-site"}, true, true)
	f("127.0.0.1:6379", map[string]string{"Sec-Fetch-Site": "none"}, true, false)
}
