# wismo — the two commands are `make run` and `make test`.
GO        ?= go
BIN       := bin/wismo
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.7.0
# Heavy tests (store/storetest.OnePass) record here that they ran once, in one pass.
TEST_LEDGER ?= $(CURDIR)/bin/test-ledger.txt
export WISMO_TEST_LEDGER := $(TEST_LEDGER)
# The PostgreSQL server the PostgreSQL test pass and benchmarks create their databases on.
PG_ADMIN_URL ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
export PG_ADMIN_URL

.PHONY: screenshots screenshots-tests run build test test-deps test-sqlite test-fuzz test-postgres test-crash bench lint fmt clean

## run: build and start wismo on embedded defaults (SQLite, log-only channels) with demo data
run: build
	WISMO_DEMO=$${WISMO_DEMO:-true} ./$(BIN) serve

build:
	$(GO) build -o $(BIN) ./cmd/wismo

## test: install missing test peers, then run the whole suite on SQLite and on PostgreSQL
test: test-deps
	@mkdir -p bin && : > $(TEST_LEDGER)
	$(MAKE) test-sqlite test-fuzz test-postgres
	bash tools/check-one-pass.sh $(TEST_LEDGER)

test-deps:
	bash tools/install-test-deps.sh

test-sqlite:
	@echo "== test suite on SQLite =="
	WISMO_TEST_DIALECT=sqlite WISMO_TEST_DATABASE_URL= $(GO) test -count=1 -timeout 20m ./...

## test-fuzz: a short fuzz run per target, once (seed corpora run in both passes as tests);
## longer runs: docs/security.md
test-fuzz:
	@echo "== fuzzing =="
	$(GO) test -run '^$$' -fuzz '^FuzzCondition$$' -fuzztime 15s ./scripts/
	$(GO) test -run '^$$' -fuzz '^FuzzTemplate$$' -fuzztime 15s ./scripts/

test-postgres:
	@echo "== test suite on PostgreSQL =="
	WISMO_TEST_DIALECT=postgres bash tools/with-test-db.sh $(GO) test -count=1 -timeout 20m ./...

## screenshots: retake the README's screenshots (docs/screenshots) from `make run`'s demo: the
## built binary in demo mode on loopback (a temporary data dir), headless Chromium, both languages
screenshots: build
	$(GO) run ./tools/screenshots -bin $(BIN) -out $(CURDIR)/docs/screenshots

## screenshots-tests: the browser tests' own screenshots (ringing desk, feedback, rule editor...) into docs/screenshots
screenshots-tests:
	WISMO_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots WISMO_TEST_LEDGER= $(GO) test -count=1 -run 'Browser|InBrowser|TestDesk' ./portal/... ./callcenter/

## bench: measure ingest, lookups and the rest; results go to BENCHMARKS.md
bench: build test-deps
	bash tools/bench.sh

## lint: vet, staticcheck, go.mod tidy, and the package size rule (docs/architecture.md)
lint:
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	$(GO) mod tidy -diff
	bash tools/check-size.sh

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
