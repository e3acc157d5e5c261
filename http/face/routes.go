package face

import (
	"io"
	"net/http"

	"github.com/anaxdb/anax/http/console"
	"github.com/anaxdb/anax/http/metrics"
)

// routes returns the face's handler: the scrape and health endpoints,
// and the console for every other path.
func routes(host Host) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", getOnly(metrics.Handler(host)))
	mux.Handle("/healthz", getOnly(healthHandler(host)))
	mux.Handle("/", console.New(host))
	return mux
}

// getOnly refuses methods other than GET and HEAD.
func getOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			rw.Header().Set("Allow", "GET, HEAD")
			http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h.ServeHTTP(rw, r)
	})
}

// healthHandler answers /healthz: 200 "OK" once the server serves its
// data, 503 "LOADING" while a snapshot loads, so a load balancer or an
// orchestrator sends no traffic before the data is there.
func healthHandler(host Host) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rw.Header().Set("Cache-Control", "no-store")
		if host.Loading() {
			rw.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(rw, "LOADING\n")
			return
		}
		_, _ = io.WriteString(rw, "OK\n")
	})
}
