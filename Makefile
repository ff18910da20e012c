# aci — see README.md. `make test` is what CI runs.
GO       ?= go
# A semantic version: the tag (v1.2.3 -> 1.2.3, with git describe's
# -N-gHASH as a pre-release after it), or 0.0.0-dev+HASH before the first tag.
VERSION  ?= $(shell v=$$(git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null); \
	if [ -n "$$v" ]; then echo "$$v" | sed -E 's/^v//; s/-([0-9]+)-g([0-9a-f]+)/-dev.\1+\2/'; \
	else echo "0.0.0-dev+$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"; fi)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE     ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
PKG      := github.com/aci-cli/aci/internal/build
LDFLAGS  := -s -w -X $(PKG).Version=$(VERSION) -X $(PKG).Commit=$(COMMIT) -X $(PKG).Date=$(DATE)

.PHONY: k8s build test unit e2e lint docs docs-check demo deps bench images clean fuzz bench-chart bench-chart-check

# aci, the server behind `aci local` and the Kubernetes connector behind
# `aci connector`, side by side (aci finds them next to itself).
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/aci ./cmd/aci
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/aci-local ./cmd/aci-local
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/aci-connector ./cmd/aci-connector

# The Kubernetes control plane the connector's tests run against, built once
# from upstream code and cached (about 20 minutes the first time).
k8s:
	./scripts/k8s-controlplane.sh build

# Everything CI checks: lint, generated docs, unit and end-to-end tests (the e2e
# tests need the real az CLI, which deps installs).
test: deps lint docs-check build k8s bench-chart-check
	$(GO) test -count=1 -timeout 25m ./...
	./scripts/fuzz.sh 10s

# Every fuzz target for FUZZTIME each (CI runs 10s; try 30m before a release).
FUZZTIME ?= 5m
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

unit:
	$(GO) test ./internal/...

e2e: build
	$(GO) test -count=1 -timeout 25m ./test/...

# golangci-lint (pinned; its checks and the reasons for each exclusion are
# in .golangci.yml, govet among them), then gofmt.
lint:
	./scripts/golangci-lint.sh
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

docs:
	rm -rf docs/reference
	$(GO) run ./scripts/gendocs docs/reference

docs-check:
	@tmp=$$(mktemp -d); $(GO) run ./scripts/gendocs $$tmp/reference; \
	  if ! diff -r $$tmp/reference docs/reference >/dev/null; then \
	    echo "docs/reference is out of date: run 'make docs'"; diff -r $$tmp/reference docs/reference | head -20; rm -rf $$tmp; exit 1; fi; \
	  rm -rf $$tmp

# The README's benchmark: record 10 runs on aci local against docker run in
# docs/bench.json, and draw docs/bench.png, .svg and bench-summary.md from it.
bench-chart: build
	./scripts/bench-chart.sh

# The committed chart and summary are what the current tool draws from
# docs/bench.json (as docs-check does for docs/reference).
bench-chart-check: build
	@tmp=$$(mktemp -d); ./scripts/bench-render.sh $$tmp; \
	  for f in bench.png bench.svg bench-summary.md; do \
	    if ! cmp -s $$tmp/$$f docs/$$f; then echo "docs/$$f is stale: run 'make bench-chart' (or ./scripts/bench-render.sh docs)"; rm -rf $$tmp; exit 1; fi; \
	  done; rm -rf $$tmp

# aci local's built-in images (pause, hello-world), FROM scratch out of bin/aci-local.
images: build
	bin/aci local images

demo: build
	./scripts/demo.sh

deps:
	./scripts/deps.sh

# Issue 24's targets, each printed against its goal (TARGET lines, and a
# summary at the end of each run). The long ones (1 GiB files, Docker) run
# fewer times.
bench: deps build k8s
	$(GO) test -run '^$$' -bench 'StartupVsAz|GroupListVsAz|GroupList1000|ConcurrentCreates100|Memory' -benchtime 20x -timeout 30m ./test/bench/
	$(GO) test -run '^$$' -bench 'CreateVsDocker|TemplateVsFile|FileTransfer|Registry' -benchtime 5x -timeout 60m ./test/bench/
	$(GO) test -run '^$$' -bench BenchmarkConnector -benchtime 10x -timeout 30m ./test/e2e/

clean:
	rm -rf bin dist
