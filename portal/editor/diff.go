package editor

import "strings"

// DiffLine is one line of a line diff: Op is ' ' (in both), '-' (only in the old text) or
// '+' (only in the new text); Old and New are 1-based line numbers (0 when absent).
type DiffLine struct {
	Op       byte
	Old, New int
	Text     string
}

// maxDiffCells bounds the LCS table (old lines x new lines); larger inputs fall back to
// "everything removed, everything added", which is still correct, only less helpful.
const maxDiffCells = 4_000_000

// lineDiff compares two texts line by line with a longest-common-subsequence table and
// returns the lines in order, unchanged ones included.
func lineDiff(oldText, newText string) []DiffLine {
	a, b := splitLines(oldText), splitLines(newText)
	// Common prefix and suffix need no table.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	out := make([]DiffLine, 0, len(a)+len(b))
	for i := 0; i < pre; i++ {
		out = append(out, DiffLine{Op: ' ', Old: i + 1, New: i + 1, Text: a[i]})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	oi, ni := pre, pre // lines emitted so far
	emit := func(op byte, text string) {
		l := DiffLine{Op: op, Text: text}
		if op != '+' {
			oi++
			l.Old = oi
		}
		if op != '-' {
			ni++
			l.New = ni
		}
		out = append(out, l)
	}
	if (len(ma)+1)*(len(mb)+1) > maxDiffCells {
		for _, s := range ma {
			emit('-', s)
		}
		for _, s := range mb {
			emit('+', s)
		}
	} else {
		// lcs[i][j] is the LCS length of ma[i:] and mb[j:].
		w := len(mb) + 1
		lcs := make([]int, (len(ma)+1)*w)
		for i := len(ma) - 1; i >= 0; i-- {
			for j := len(mb) - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
				} else {
					lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(ma) && j < len(mb) {
			switch {
			case ma[i] == mb[j]:
				emit(' ', ma[i])
				i, j = i+1, j+1
			case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
				emit('-', ma[i])
				i++
			default:
				emit('+', mb[j])
				j++
			}
		}
		for ; i < len(ma); i++ {
			emit('-', ma[i])
		}
		for ; j < len(mb); j++ {
			emit('+', mb[j])
		}
	}
	for k := len(a) - suf; k < len(a); k++ {
		emit(' ', a[k])
	}
	return out
}

// diffChanged reports whether a diff has any added or removed line.
func diffChanged(d []DiffLine) bool {
	for _, l := range d {
		if l.Op != ' ' {
			return true
		}
	}
	return false
}

func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// Kind names the line's change for pages: del, ins or same.
func (l DiffLine) Kind() string {
	switch l.Op {
	case '-':
		return "del"
	case '+':
		return "ins"
	}
	return "same"
}
