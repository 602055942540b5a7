package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/wismo/wismo/amd"
)

// amdCmd is `wismo amd classify FILE.wav`: the answering-machine detector on a recording from
// outside, so it can be checked against other detectors and real calls.
func amdCmd(args []string, stdout io.Writer) error {
	if len(args) != 2 || args[0] != "classify" {
		return errors.New("usage: wismo amd classify FILE.wav (8 kHz mono 16-bit PCM)")
	}
	f, err := os.Open(args[1])
	if err != nil {
		return err
	}
	defer f.Close()
	samples, err := amd.ReadWAV(f)
	if err != nil {
		return fmt.Errorf("%s: %w", args[1], err)
	}
	return json.NewEncoder(stdout).Encode(amd.Classify(samples))
}
