# Redline: `make run` builds everything and starts the daemon; `make test`
# runs every test. Needs only Go and Node (npm); see README.md.

GO      ?= go
BIN     := bin/redline
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
# Where `make run` serves: `make run ADDR=…`, else REDLINE_ADDR, else the
# default. An ADDR in the environment is left alone: the name is too
# common to be meant for Redline.
override ADDR := $(or $(if $(filter command line,$(origin ADDR)),$(ADDR)),$(REDLINE_ADDR),127.0.0.1:7710)

.PHONY: all build daemon deps extension run test lint test-go test-ts test-e2e test-firefox test-dist dist fuzz soak bench bench-go clean

all: build

build: daemon deps extension

daemon:
	$(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o $(BIN) ./daemon/cmd/redline

# Node packages, installed exactly as package-lock.json pins them.
deps: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# The browser extension: extension/dist/chrome and extension/dist/firefox.
extension: deps
	npm run --silent build

# The release files, in dist/: the daemon for linux, darwin (macOS) and
# windows on amd64 and arm64 (archives), a .deb with the systemd user
# unit, the extension's store zips, and SHA256SUMS. `make dist DIST_JOBS=N`
# builds N binaries at once (default: one per CPU).
dist: deps
	rm -rf dist
	node extension/scripts/build.mjs --store dist --version $(VERSION)
	$(GO) run ./daemon/internal/dist -go $(GO) -version $(VERSION) -out dist $(if $(DIST_JOBS),-jobs $(DIST_JOBS))
	@ls -l dist

run: build
	@echo
	@echo "Redline daemon: http://$(ADDR)   (stop with Ctrl-C)"
	@echo "Data folder:    $$(./$(BIN) status | sed -n 's/^data: *//p')"
	@echo "API token:      ./$(BIN) token"
	@echo "Extension:      Chrome   chrome://extensions > Developer mode > Load unpacked > $(CURDIR)/extension/dist/chrome"
	@echo "                Firefox  about:addons > Install Add-on From File > $(CURDIR)/extension/dist/redline-firefox.xpi"
	@echo "                         (Firefox ESR, Developer Edition or Nightly, with xpinstall.signatures.required false in about:config)"
	@echo "                  or     about:debugging#/runtime/this-firefox > Load Temporary Add-on > $(CURDIR)/extension/dist/firefox/manifest.json"
	@echo "                         (any Firefox, until it restarts)"
	@echo "Pair it:        ./$(BIN) pair   (in another terminal, once the daemon runs; confirm in the tab the extension opens)"
	@echo "Dashboard:      ./$(BIN) open   (opens it on its own address, http://redline-….localhost:PORT)"
	@echo
	./$(BIN) serve --addr $(ADDR)

test: lint test-go test-ts test-e2e test-firefox test-dist

# go vet twice: the files behind the e2e build tag (the test clock of the
# build the e2e tests run) are vetted too.
lint:
	@bad=$$(gofmt -l daemon); if [ -n "$$bad" ]; then echo "gofmt would change: $$bad"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags e2e ./...

test-go: deps
	$(GO) test -race -count=1 ./...

test-ts: deps
	npm test

# The extension in real headless Chromium (/usr/bin/chromium) against the
# real daemon.
test-e2e: deps
	npm run --silent test:e2e

# The extension in real headless Firefox ESR (/usr/bin/firefox-esr), driven
# over WebDriver BiDi, against the real daemon: pairing, capture, the banner,
# and the packed add-on kept across a restart.
test-firefox: deps
	npm run --silent test:firefox

# `make dist`, then the release files checked as a user and the stores
# would take them: see .ci/check-dist.
test-dist: dist
	bash .ci/check-dist dist

# Long variants: the daemon killed with SIGKILL 200 times during ingest; 100
# event clients at 200 captures/s for 60 s; a store of 100,000 articles
# with 5 versions each.
soak:
	REDLINE_KILL_ROUNDS=200 $(GO) test -count=1 -timeout 60m -run 'Kill9' ./daemon/cmd/redline
	REDLINE_LOAD_SECONDS=60 $(GO) test -count=1 -timeout 30m -v -run 'TestLoad' ./daemon/internal/daemon
	REDLINE_LARGE_ARTICLES=100000 $(GO) test -count=1 -timeout 120m -v -run 'TestLargeStore' ./daemon/internal/daemon

# Runs of every fuzz target, one at a time (go test -fuzz takes one target
# at a time); FUZZTIME=10m for the long run. Inputs worth keeping go in the
# package's testdata/fuzz/<target>, which plain go test runs as seeds.
FUZZTIME ?= 20s
fuzz:
	@for pkg in $$($(GO) list ./daemon/...); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$target"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 200x $$pkg || exit 1; \
	  done; \
	done

# Redline against the reference tools, on the same inputs in one run:
# prints a table and writes bench/RESULTS.md (see bench/run).
bench:
	bash bench/run

# Every Go benchmark in the daemon, one pass each.
bench-go:
	$(GO) test -run '^$$' -bench . -benchtime 1x ./daemon/...

clean:
	rm -rf bin dist extension/dist extension/.build
