// Package benchmd is what wismo's benchmark tools share: the section of BENCHMARKS.md each of
// them owns between its markers, and the description of the machine the figures come from.
package benchmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
)

const preamble = "# wismo benchmarks\n\nFigures from `make bench`. Each benchmark writes its own section between its own " +
	"markers and measures its baseline in the same run on the same machine; these machines are shared and noisy, " +
	"so sections report medians and ratios rather than absolute promises.\n\n"

// Markers are the lines that open and close the section called name.
func Markers(name string) (begin, end string) {
	return "<!-- " + name + ":begin -->", "<!-- " + name + ":end -->"
}

// WriteSection puts section (which starts and ends with name's markers) in place of the
// section between those markers in path, or appends it; the rest of the file is kept.
func WriteSection(path, name, section string) error {
	begin, end := Markers(name)
	old, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		old = []byte(preamble)
	case err != nil:
		return err
	}
	s := string(old)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i >= 0 && j > i {
		s = s[:i] + section + strings.TrimPrefix(s[j+len(end):], "\n")
	} else {
		if !strings.HasSuffix(s, "\n\n") {
			s = strings.TrimRight(s, "\n") + "\n\n"
		}
		s += section
	}
	return os.WriteFile(path, []byte(s), 0o644)
}

// Machine describes where figures were measured.
type Machine struct {
	NProc, CPU, GoVersion string
	// Revision is the commit of the working tree, with a note when it has uncommitted changes.
	Revision string
}

// ThisMachine reads the CPU count and model, Go's version and the git revision.
func ThisMachine(ctx context.Context) Machine {
	m := Machine{NProc: fmt.Sprint(runtime.NumCPU()), CPU: "unknown", GoVersion: runtime.Version(), Revision: "unknown"}
	if out, err := exec.CommandContext(ctx, "nproc").Output(); err == nil {
		m.NProc = strings.TrimSpace(string(out))
	}
	if out, err := exec.CommandContext(ctx, "git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		m.Revision = strings.TrimSpace(string(out))
		if st, err := exec.CommandContext(ctx, "git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
			m.Revision += " with uncommitted changes"
		}
	}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

// Median of xs (0 for none); xs is not changed.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// PGAdmin is the PostgreSQL server the benchmarks make their databases on: $PG_ADMIN_URL, or
// the local server's postgres database (as the Makefile sets it).
func PGAdmin() string {
	if u := os.Getenv("PG_ADMIN_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}
