package benchmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A tool rewrites its own section and leaves the others' as they were.
func TestWriteSectionKeepsOtherSections(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	if err := WriteSection(path, "a", "<!-- a:begin -->\nA1\n<!-- a:end -->\n"); err != nil {
		t.Fatal(err)
	}
	if err := WriteSection(path, "b", "<!-- b:begin -->\nB1\n<!-- b:end -->\n"); err != nil {
		t.Fatal(err)
	}
	if err := WriteSection(path, "a", "<!-- a:begin -->\nA2\n<!-- a:end -->\n"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	s := string(b)
	if !strings.HasPrefix(s, "# wismo benchmarks") || strings.Contains(s, "A1") || !strings.Contains(s, "A2") || !strings.Contains(s, "B1") ||
		strings.Index(s, "A2") > strings.Index(s, "B1") {
		t.Fatalf("file:\n%s", s)
	}
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := Median(tt.in); got != tt.want {
			t.Errorf("Median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
