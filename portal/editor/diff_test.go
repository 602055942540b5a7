package editor

import (
	"strings"
	"testing"
)

func renderDiff(d []DiffLine) string {
	var b strings.Builder
	for _, l := range d {
		b.WriteByte(l.Op)
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestLineDiff(t *testing.T) {
	for _, tc := range []struct{ name, old, new, want string }{
		{"same", "a\nb", "a\nb", " a\n b\n"},
		{"empty to text", "", "a\nb", "+a\n+b\n"},
		{"text to empty", "a", "", "-a\n"},
		{"changed middle", "a\nb\nc", "a\nx\nc", " a\n-b\n+x\n c\n"},
		{"insert", "a\nc", "a\nb\nc", " a\n+b\n c\n"},
		{"delete and add", "a\nb\nc\nd", "b\nc\ne", "-a\n b\n c\n-d\n+e\n"},
		{"crlf ignored", "a\r\nb\r\n", "a\nb", " a\n b\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := lineDiff(tc.old, tc.new)
			if got := renderDiff(d); got != tc.want {
				t.Fatalf("diff of %q and %q:\n%s\nwant\n%s", tc.old, tc.new, got, tc.want)
			}
			// Line numbers count each side's lines.
			o, n := 0, 0
			for _, l := range d {
				if l.Op != '+' {
					o++
					if l.Old != o {
						t.Fatalf("old line number %d, want %d", l.Old, o)
					}
				}
				if l.Op != '-' {
					n++
					if l.New != n {
						t.Fatalf("new line number %d, want %d", l.New, n)
					}
				}
			}
		})
	}
}
