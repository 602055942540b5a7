package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/wismo/wismo/pacing"
)

// dialerCmd runs `wismo dialer SUBCOMMAND`; simulate is the only one so far.
func dialerCmd(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "simulate" {
		return fmt.Errorf("dialer needs a subcommand: simulate (see wismo help)")
	}
	return simulateCmd(args[1:], stdout)
}

// simulateCmd runs the pacing simulator (docs/pacing.md) and prints one JSON object. It needs
// no database or settings.
func simulateCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("wismo dialer simulate", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	mode := fs.String("mode", "predictive", "pacing: predictive or progressive")
	agents := fs.Int("agents", 20, "agents logged in for the whole run")
	answer := fs.Float64("answer-rate", 0.25, "chance that a call is answered by a person (0-1]")
	machines := fs.Float64("machine-share", pacing.DefaultMachine, "share of answers that are answering machines [0-1)")
	aht := fs.Duration("aht", 120*time.Second, "mean talk time (log-normal, sigma 0.6)")
	wrap := fs.Duration("wrapup", 15*time.Second, "wrap-up after each call")
	hours := fs.Float64("hours", 8, "hours measured after the 15-minute warm-up")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same result")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("dialer simulate: unexpected argument %q", fs.Arg(0))
	}
	if *machines < 0 || *machines >= 1 {
		return fmt.Errorf("dialer simulate: --machine-share must be at least 0 and under 1, not %g", *machines)
	}
	share := *machines
	if share == 0 {
		share = -1 // no machines at all (SimConfig reads zero as the default share)
	}
	r, err := pacing.Simulate(pacing.SimConfig{Mode: pacing.Mode(*mode), Agents: *agents, AnswerRate: *answer,
		MachineShare: share, AHT: *aht, Wrap: *wrap, Hours: *hours, Seed: *seed})
	if err != nil {
		return fmt.Errorf("dialer simulate: %w", err)
	}
	return printJSON(stdout, r)
}
