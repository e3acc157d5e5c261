// Package console is Anax's admin console: one page (HTML, JavaScript and
// CSS embedded in the binary, no build step, nothing loaded from elsewhere)
// and the small JSON API it polls.
//
// Routes:
//
//	GET  /               the page (static; no secret in it)
//	GET  /api/session    creates the session, returns its CSRF token and
//	                     whether a password is needed
//	POST /api/login      {"password": "..."}: authenticates the session
//	POST /api/logout     forgets the session's authentication
//	GET  /api/info       INFO, parsed into sections
//	GET  /api/stats      the figures the live chart polls
//	GET  /api/slowlog    the newest slow log entries
//	POST /api/command    {"args": ["SET", "k", "v"], "db": 0}: runs one
//	                     command through the server's real command path
//
// Security. The console sits on the data port, so a browser visiting some
// other site must not be able to drive it (cross-protocol and cross-site
// request forgery), and nothing but the static page may be had without
// the password when requirepass is set:
//
//   - Authentication: HTTP Basic auth with user "default" and requirepass,
//     or a session (cookie anax_session: HttpOnly, SameSite=Strict)
//     authenticated through /api/login. A session authenticated under one
//     password is no longer authenticated once requirepass changes.
//   - Every /api request carrying an Origin header must come from the
//     origin it is addressed to (Origin's host equals Host), and one that
//     says Sec-Fetch-Site: cross-site or same-site is refused: 403.
//   - Every POST must carry X-CSRF-Token equal to the token of its session,
//     which only a same-origin GET of /api/session can read: 403 otherwise.
//     A form or an image on another site can send neither the header nor a
//     JSON body without a CORS preflight, which is never granted.
//   - DNS rebinding: with no password set, /api is answered only when Host
//     is an IP address or localhost, so a page whose own name was made to
//     resolve to this server cannot use the API as same-origin.
//
// The package does not know the server: it reaches it through Backend.
package console
