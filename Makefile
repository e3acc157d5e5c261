# Anax — the single entry point for building, running and testing.
GO       ?= go
BIN      := bin/anax
FUZZTIME ?= 15s
ARGS     ?=

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: build
build: ## build bin/anax
	$(GO) build -o $(BIN) ./cmd/anax

.PHONY: run
run: build ## build and run the server on 127.0.0.1:6379 (extra flags: make run ARGS="--port 6380")
	./$(BIN) $(ARGS)

.PHONY: test
test: ## vet, every test with the race detector, then the server's tests over 1 and 4 shards
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 30m ./...
	ANAX_TEST_THREADS=1 $(GO) test -count=1 -timeout 20m ./server/...
	ANAX_TEST_THREADS=4 $(GO) test -count=1 -timeout 20m ./server/...

.PHONY: testshort
testshort: ## every test without the race detector
	$(GO) test -count=1 ./...

.PHONY: fuzz
fuzz: ## run every fuzz target for FUZZTIME each (.ci/fuzz.sh)
	GO='$(GO)' .ci/fuzz.sh $(FUZZTIME)

.PHONY: microbench
microbench: ## micro-benchmarks (allocation counts on the hot paths)
	$(GO) test -run '^$$' -bench . -benchmem ./protocol/... ./dashtable/ ./shard/... ./server/

.PHONY: bench
bench: build ## Anax vs redis-server/memcached on loopback (bench/README.md; QUICK=1 smoke, BIG=1 adds 10M keys)
	QUICK='$(QUICK)' BIG='$(BIG)' bench/run.sh

.PHONY: bench-paired
bench-paired: build ## Anax and redis-server loaded at the same moment on one core: CPU per request, paired rounds (bench/paired.sh, ~25 min)
	bench/paired.sh

.PHONY: pgo
pgo: ## refresh cmd/anax/default.pgo, the profile go build optimises the server with (bench/pgo.sh, ~6 min)
	bench/pgo.sh

.PHONY: lint
lint: ## go vet
	$(GO) vet ./...

.PHONY: cover
cover: ## coverage report in cover.out
	$(GO) test -coverprofile=cover.out ./...
	$(GO) tool cover -func=cover.out | tail -1
