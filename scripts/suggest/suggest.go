// Package suggest finds the name a typo meant: "did you mean has_phone?" in the errors a
// brand manager reads (package scripts).
package suggest

import "strings"

// Nearest is the candidate closest to name by edit distance (ignoring case), when it is
// close enough to be a typo: at most a third of the name's letters, and at least 1 apart
// from nothing. Ties go to the first candidate.
func Nearest(name string, candidates []string) string {
	best, bestD := "", 0
	limit := max(1, (len(name)+2)/3)
	for _, c := range candidates {
		if c == name {
			continue
		}
		d := distance(strings.ToLower(name), strings.ToLower(c))
		if d <= limit && (best == "" || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance of a and b, with a swap of two neighbours counting
// as one edit (the commonest typo).
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
