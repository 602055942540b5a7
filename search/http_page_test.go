package search

import (
	"strings"
	"testing"
)

// A case among the search results links to its page, and the page's script still runs
// under its CSP hash.
func TestSearchPageLinksCases(t *testing.T) {
	if !strings.Contains(searchPage, `'/cases/' + encodeURIComponent(h.id)`) {
		t.Fatal("case hits on /desk/search should link to /cases/{number}")
	}
	if !strings.Contains(searchPageCSP, inlineHash("<script>", "</script>")) {
		t.Fatal("the CSP should carry the script's hash")
	}
}
