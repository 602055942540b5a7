// Command amdclips writes the labelled greetings that amd's tests hold the detector to
// (amd/testdata/clips): a small set from tools/amdcorpus, made once and committed.
//
//	go run ./tools/amdclips -seed 1 -n 20 -out amd/testdata/clips
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wismo/wismo/amd"
	"github.com/wismo/wismo/tools/amdcorpus"
)

func main() {
	seed := flag.Uint64("seed", 1, "random seed")
	n := flag.Int("n", 20, "clips")
	secs := flag.Float64("seconds", 4, "length of each clip")
	out := flag.String("out", "amd/testdata/clips", "directory")
	flag.Parse()
	if err := run(*seed, *n, *secs, *out); err != nil {
		fmt.Fprintln(os.Stderr, "amdclips:", err)
		os.Exit(1)
	}
}

func run(seed uint64, n int, secs float64, out string) error {
	g, err := amdcorpus.NewGenerator(secs)
	if err != nil {
		return err
	}
	defer g.Close()
	clips, err := g.Generate(context.Background(), seed, n)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, c := range clips {
		f, err := os.Create(filepath.Join(out, c.Name+".wav"))
		if err != nil {
			return err
		}
		if err := amd.WriteWAV(f, c.Samples); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(clips, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "labels.json"), append(b, '\n'), 0o644)
}
