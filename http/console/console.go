package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Backend is what the console needs from the server.
type Backend interface {
	// Password returns the default user's password (requirepass), "" when
	// none is set.
	Password() string
	// Info returns INFO's text for the given sections (none: the default
	// set).
	Info(sections ...string) string
	// Live returns the figures the live chart polls.
	Live() Live
	// SlowLog returns the newest n slow log entries, newest first.
	SlowLog(n int) []SlowEntry
	// Do runs one command through the server's command path, on database
	// db, as the default user, and returns its reply. An error means the
	// command could not be run (a RESP error reply is a Reply).
	Do(ctx context.Context, db int, args []string) (Reply, error)
}

// Live is what the chart shows; the page derives ops/s from successive
// CommandsProcessed.
type Live struct {
	TimeMs            int64 `json:"time_ms"`
	CommandsProcessed int64 `json:"commands_processed"`
	OpsPerSec         int64 `json:"ops_per_sec"`
	UsedMemory        int64 `json:"used_memory"`
	UsedMemoryRSS     int64 `json:"used_memory_rss"`
	MaxMemory         int64 `json:"maxmemory"`
	ConnectedClients  int64 `json:"connected_clients"`
	Keys              int64 `json:"keys"`
}

// SlowEntry is one SLOWLOG GET entry.
type SlowEntry struct {
	ID     int64    `json:"id"`
	Time   int64    `json:"time"`
	Usec   int64    `json:"usec"`
	Args   []string `json:"args"`
	Client string   `json:"client"`
	Name   string   `json:"client_name"`
}

// CSRFHeader is the request header that must carry the session's token.
const CSRFHeader = "X-CSRF-Token"

// sessionCookie names the session cookie.
const sessionCookie = "anax_session"

const (
	maxSessions    = 4096
	sessionIdle    = 12 * time.Hour
	commandTimeout = 30 * time.Second
)

//go:embed assets
var assets embed.FS

// Console is the console's http.Handler.
type Console struct {
	b    Backend
	mux  *http.ServeMux
	page []byte

	mu       sync.Mutex
	sessions map[string]*session
}

type session struct {
	csrf     string
	authedPW [32]byte // sha256 of the password it was authenticated with
	authed   bool
	seen     time.Time
}

// New returns the console over b.
func New(b Backend) *Console {
	c := &Console{b: b, mux: http.NewServeMux(), sessions: map[string]*session{}}
	c.page, _ = assets.ReadFile("assets/index.html")
	c.mux.HandleFunc("GET /{$}", c.servePage)
	c.mux.HandleFunc("GET /console.js", c.serveAsset("assets/console.js", "text/javascript; charset=utf-8"))
	c.mux.HandleFunc("GET /console.css", c.serveAsset("assets/console.css", "text/css; charset=utf-8"))
	c.mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	c.mux.HandleFunc("GET /api/session", c.api(false, false, c.serveSession))
	c.mux.HandleFunc("POST /api/login", c.api(true, false, c.serveLogin))
	c.mux.HandleFunc("POST /api/logout", c.api(true, false, c.serveLogout))
	c.mux.HandleFunc("GET /api/info", c.api(false, true, c.serveInfo))
	c.mux.HandleFunc("GET /api/stats", c.api(false, true, c.serveStats))
	c.mux.HandleFunc("GET /api/slowlog", c.api(false, true, c.serveSlowLog))
	c.mux.HandleFunc("POST /api/command", c.api(true, true, c.serveCommand))
	return c
}

// ServeHTTP implements http.Handler.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.mux.ServeHTTP(w, r) }

func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

func (c *Console) servePage(w http.ResponseWriter, r *http.Request) {
	pageHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(c.page)
}

func (c *Console) serveAsset(name, ctype string) http.HandlerFunc {
	body, err := assets.ReadFile(name)
	if err != nil {
		panic("BUG: console asset missing: " + name)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		pageHeaders(w)
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(body)
	}
}

// request is what the checks established about one /api request.
type request struct {
	id     string   // session id ("" when none)
	sess   *session // nil when none
	authed bool
}

// api wraps an /api handler with the checks: same origin always, the CSRF
// token when csrf, authentication when auth (and a password is set).
func (c *Console) api(csrf, auth bool, h func(w http.ResponseWriter, r *http.Request, q *request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		pw := c.b.Password()
		if msg := crossSite(r, pw != ""); msg != "" {
			jsonError(w, http.StatusForbidden, msg)
			return
		}
		q := &request{}
		if ck, err := r.Cookie(sessionCookie); err == nil {
			q.id = ck.Value
			q.sess = c.lookup(ck.Value)
		}
		if csrf {
			tok := r.Header.Get(CSRFHeader)
			if q.sess == nil || tok == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(q.sess.csrf)) != 1 {
				jsonError(w, http.StatusForbidden, "missing or invalid "+CSRFHeader+" header: get the token from GET /api/session with the same session cookie")
				return
			}
		}
		q.authed = pw == "" || c.sessionAuthed(q.sess, pw) || basicAuthOK(r, pw)
		if auth && !q.authed {
			if r.Header.Get(CSRFHeader) == "" {
				// A script or a browser tab without the page: offer Basic auth.
				w.Header().Set("WWW-Authenticate", `Basic realm="anax", charset="UTF-8"`)
			}
			jsonError(w, http.StatusUnauthorized, "NOAUTH Authentication required.")
			return
		}
		h(w, r, q)
	}
}

// crossSite returns why r must be refused as cross-site, or "".
func crossSite(r *http.Request, havePassword bool) string {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return "cross-site request refused"
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) {
			return "cross-origin request refused"
		}
	}
	if !havePassword && !localHostName(r.Host) {
		return "the console API answers requests addressed by IP address or localhost only while no password is set (requirepass)"
	}
	return ""
}

// localHostName reports whether host (with or without a port) is an IP
// address or localhost: names an attacker cannot point at this server
// from a page of theirs (DNS rebinding).
func localHostName(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if net.ParseIP(host) != nil {
		return true
	}
	host = strings.ToLower(host)
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

func basicAuthOK(r *http.Request, pw string) bool {
	user, pass, ok := r.BasicAuth()
	return ok && (user == "default" || user == "") && passwordOK(pass, pw)
}

// passwordOK compares in constant time (over the hashes, so the length
// does not leak either).
func passwordOK(given, want string) bool {
	a, b := sha256.Sum256([]byte(given)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

func randomToken() string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("BUG: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

func (c *Console) lookup(id string) *session {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.sessions[id]
	if s == nil {
		return nil
	}
	now := time.Now()
	if now.Sub(s.seen) > sessionIdle {
		delete(c.sessions, id)
		return nil
	}
	s.seen = now
	return s
}

func (c *Console) sessionAuthed(s *session, pw string) bool {
	if s == nil {
		return false
	}
	h := sha256.Sum256([]byte(pw))
	c.mu.Lock()
	defer c.mu.Unlock()
	return s.authed && subtle.ConstantTimeCompare(s.authedPW[:], h[:]) == 1
}

// newSession makes a session, dropping the least recently seen one when
// the table is full.
func (c *Console) newSession() (string, *session) {
	id := randomToken()
	s := &session{csrf: randomToken(), seen: time.Now()}
	c.mu.Lock()
	if len(c.sessions) >= maxSessions {
		var oldID string
		var old time.Time
		for k, v := range c.sessions {
			if oldID == "" || v.seen.Before(old) {
				oldID, old = k, v.seen
			}
		}
		delete(c.sessions, oldID)
	}
	c.sessions[id] = s
	c.mu.Unlock()
	return id, s
}

func (c *Console) setAuthed(s *session, pw string, authed bool) {
	c.mu.Lock()
	s.authed = authed
	s.authedPW = sha256.Sum256([]byte(pw))
	c.mu.Unlock()
}

func (c *Console) serveSession(w http.ResponseWriter, r *http.Request, q *request) {
	if q.sess == nil {
		q.id, q.sess = c.newSession()
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: q.id, Path: "/",
			HttpOnly: true, SameSite: http.SameSiteStrictMode})
	}
	pw := c.b.Password()
	if pw != "" && basicAuthOK(r, pw) {
		c.setAuthed(q.sess, pw, true)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"csrf":          q.sess.csrf,
		"auth_required": pw != "",
		"authenticated": pw == "" || c.sessionAuthed(q.sess, pw),
	})
}

func (c *Console) serveLogin(w http.ResponseWriter, r *http.Request, q *request) {
	var body struct {
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &body); err != nil {
		jsonError(w, http.StatusBadRequest, err.Error())
		return
	}
	pw := c.b.Password()
	if pw == "" {
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
		return
	}
	if !passwordOK(body.Password, pw) {
		// Slow down guessing a little (this runs off the event loops).
		time.Sleep(100 * time.Millisecond)
		jsonError(w, http.StatusUnauthorized, "WRONGPASS invalid username-password pair or user is disabled.")
		return
	}
	c.setAuthed(q.sess, pw, true)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

func (c *Console) serveLogout(w http.ResponseWriter, r *http.Request, q *request) {
	c.setAuthed(q.sess, "", false)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// serveInfo returns INFO as {"sections": [{"name": "Server", "fields":
// [["redis_version", "7.4.0"], ...]}, ...]}, in INFO's order.
func (c *Console) serveInfo(w http.ResponseWriter, r *http.Request, _ *request) {
	var sections []string
	if s := r.URL.Query().Get("section"); s != "" {
		sections = strings.Split(s, ",")
	}
	writeJSON(w, http.StatusOK, map[string]any{"sections": ParseInfo(c.b.Info(sections...))})
}

// InfoSection is one "# Name" section of INFO.
type InfoSection struct {
	Name   string      `json:"name"`
	Fields [][2]string `json:"fields"`
}

// ParseInfo splits INFO text into sections of key/value pairs.
func ParseInfo(text string) []InfoSection {
	var out []InfoSection
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case line == "":
		case strings.HasPrefix(line, "# "):
			out = append(out, InfoSection{Name: line[2:], Fields: [][2]string{}})
		default:
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			if len(out) == 0 {
				out = append(out, InfoSection{Fields: [][2]string{}})
			}
			s := &out[len(out)-1]
			s.Fields = append(s.Fields, [2]string{k, v})
		}
	}
	return out
}

func (c *Console) serveStats(w http.ResponseWriter, r *http.Request, _ *request) {
	writeJSON(w, http.StatusOK, c.b.Live())
}

func (c *Console) serveSlowLog(w http.ResponseWriter, r *http.Request, _ *request) {
	n := 25
	if s := r.URL.Query().Get("n"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 || v > 1000 {
			jsonError(w, http.StatusBadRequest, "n must be an integer from 0 to 1000")
			return
		}
		n = v
	}
	entries := c.b.SlowLog(n)
	if entries == nil {
		entries = []SlowEntry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
}

// unsupported are commands that take the connection over (they would stream
// replies) and cannot be answered as one HTTP response.
var unsupported = map[string]bool{
	"subscribe": true, "psubscribe": true, "ssubscribe": true, "monitor": true,
	"sync": true, "psync": true, "replconf": true,
}

func (c *Console) serveCommand(w http.ResponseWriter, r *http.Request, _ *request) {
	var body struct {
		Args []string `json:"args"`
		DB   int      `json:"db"`
	}
	if err := decodeJSON(r, &body); err != nil {
		jsonError(w, http.StatusBadRequest, err.Error())
		return
	}
	if len(body.Args) == 0 {
		jsonError(w, http.StatusBadRequest, `"args" must hold the command and its arguments`)
		return
	}
	if body.DB < 0 {
		jsonError(w, http.StatusBadRequest, `"db" must not be negative`)
		return
	}
	if unsupported[strings.ToLower(body.Args[0])] {
		jsonError(w, http.StatusBadRequest, strings.ToUpper(body.Args[0])+" is not available over HTTP")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), commandTimeout)
	defer cancel()
	rep, err := c.b.Do(ctx, body.DB, body.Args)
	if err != nil {
		jsonError(w, http.StatusBadGateway, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"reply": rep, "text": FormatReply(rep)})
}

func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return errors.New("the body must be JSON (Content-Type: application/json)")
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		return errors.New("invalid JSON body: " + err.Error())
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":"cannot encode the reply"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func jsonError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
