package storetest

import (
	"fmt"
	"os"
	"testing"
)

// EnvLedger names the file where OnePass records what it ran and skipped; `make test` sets
// it and checks after both passes that every one-pass test ran exactly once.
const EnvLedger = "WISMO_TEST_LEDGER"

// OnePass marks a heavy test (a browser, real SIP peers with media, a fuzz run, a process
// killed and restarted) that runs in the SQLite pass only: run twice it would only repeat what
// the storage-independent part of it proves. In the PostgreSQL pass it skips, saying so; both
// passes record the test in the ledger, and `make test` fails when a test skipped here did
// not run in the other pass (tools/check-one-pass.sh).
func OnePass(t testing.TB) {
	t.Helper()
	if os.Getenv("WISMO_TEST_DIALECT") == "postgres" {
		record(t, "skipped")
		t.Skip("heavy test: runs once, in the SQLite pass (store/storetest.OnePass)")
	}
	record(t, "ran")
}

func record(t testing.TB, what string) {
	path := os.Getenv(EnvLedger)
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatalf("test ledger %s: %v", path, err)
	}
	defer f.Close()
	// One short line per write: O_APPEND keeps lines of parallel test binaries whole.
	if _, err := fmt.Fprintf(f, "%s %s\n", what, t.Name()); err != nil {
		t.Fatalf("test ledger %s: %v", path, err)
	}
}
