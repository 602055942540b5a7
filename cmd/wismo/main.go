// Command wismo runs the whole product — tracking ingest, customer communication, telephony,
// cases and the portal — from one binary. See `wismo help`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

const usage = `wismo — where is my order: contact center and cases for cross-border parcels

Usage:
  wismo serve                       run the portal, API and background work
  wismo migrate                     apply database migrations and exit
  wismo import [--brand ID] FILE    import parcels and events from NDJSON or CSV (- for stdin)
  wismo demo [--parcels N] [--cases N]  generate demo brands, users, parcels, events and cases
  wismo reindex [--embedded]        rebuild the search index (Meilisearch, or the embedded one)
  wismo brand add --name NAME       add a brand; prints {"id", "api_key"}
  wismo brand key --id ID           issue another API key for a brand
  wismo post add --country CC       add a partner post; prints {"id", "api_key"}
  wismo user add --email E --role R --brand ID[,ID]   add a user; password on stdin
  wismo amd classify FILE.wav       answering-machine detection on an 8 kHz mono 16-bit WAV;
                                    prints {"result", "cause", "decided_after_ms"}
  wismo dialer simulate [--mode predictive|progressive] [--agents N] [--answer-rate P]
        [--aht DURATION] [--wrapup DURATION] [--hours H] [--seed S]
                                    simulate a campaign's pacing; prints one JSON object

Every command takes the settings flags (wismo serve -h lists them) and reads WISMO_*
environment variables; a flag wins over its variable.
`

// defaultGCPercent replaces Go's GOGC=100 unless GOGC is set: ingest allocates a batch's
// request, rows and messages and drops them at once, and at 100 the collector ran on every
// few batches (9% of wismo's CPU while ingesting). The live heap stays tens of megabytes;
// set GOMEMLIMIT to cap it on a small machine.
const defaultGCPercent = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout)
	stop()
	var exit exitError
	switch {
	case errors.As(err, &exit):
		os.Exit(int(exit))
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintln(os.Stderr, "wismo:", err)
		os.Exit(1)
	}
}

// exitError ends the program with a status after the command said why itself.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return exitError(2)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serveCmd(ctx, rest)
	case "migrate":
		return migrateCmd(ctx, rest)
	case "import":
		return importCmd(ctx, rest, stdin, stdout)
	case "demo":
		return demoCmd(ctx, rest, stdout)
	case "reindex":
		return reindexCmd(ctx, rest, stdout)
	case "dialer":
		return dialerCmd(rest, stdout)
	case "brand", "post", "user":
		if len(rest) == 0 {
			return fmt.Errorf("%s needs a subcommand (see wismo help)", cmd)
		}
		return adminCmd(ctx, cmd+" "+rest[0], rest[1:], stdin, stdout)
	case "amd":
		return amdCmd(rest, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// parseFlags parses a subcommand's flags plus the settings, validates the settings and
// returns them with a logger.
func parseFlags(name string, args []string, extra func(fs *flag.FlagSet)) (*Config, *flag.FlagSet, error) {
	fs := flag.NewFlagSet("wismo "+name, flag.ContinueOnError)
	cfg := bindConfig(fs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	if err := cfg.validate(); err != nil {
		return nil, nil, fmt.Errorf("configuration:\n%w", err)
	}
	return cfg, fs, nil
}
