package amdcorpus

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"testing"
)

// A seed always gives the same greetings, each labelled by its kind, each of the asked length.
func TestSeedGivesTheSameLabelledSet(t *testing.T) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("espeak-ng is not installed: apt-get install espeak-ng (tools/install-test-deps.sh)")
		}
		t.Skip("SKIPPED: espeak-ng is not installed (tools/install-test-deps.sh installs it)")
	}
	g, err := NewGenerator(2)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	a, err := g.Generate(context.Background(), 5, 12)
	if err != nil {
		t.Fatal(err)
	}
	b, err := g.Generate(context.Background(), 5, 12)
	if err != nil {
		t.Fatal(err)
	}
	truth := map[string]string{}
	for _, k := range kinds {
		truth[k.name] = k.label
	}
	for i := range a {
		if a[i].Name != b[i].Name || !slices.Equal(a[i].Samples, b[i].Samples) {
			t.Fatalf("clip %d differs between two runs of one seed", i)
		}
		if len(a[i].Samples) != 2*8000 {
			t.Fatalf("%s: %d samples, want 16000", a[i].Name, len(a[i].Samples))
		}
		if a[i].Label != truth[a[i].Kind] {
			t.Fatalf("%s: labelled %s", a[i].Name, a[i].Label)
		}
	}
}
