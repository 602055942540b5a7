package browsertest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// AxeDir is where tools/install-test-deps.sh installs axe-core (from npm, pinned by its
// integrity hash); $WISMO_AXE_JS names another axe.min.js.
const AxeDir = "/usr/local/lib/wismo-test/axe-core-4.14.1"

var axeSource = sync.OnceValues(func() (string, error) {
	p := os.Getenv("WISMO_AXE_JS")
	if p == "" {
		p = AxeDir + "/axe.min.js"
	}
	b, err := os.ReadFile(p)
	return string(b), err
})

// AxeViolation is one rule axe-core found broken on a page, with the elements that break it.
type AxeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

func (v AxeViolation) String() string {
	return fmt.Sprintf("%s (%s): %s — %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, " | "))
}

// Axe runs axe-core on the page the browser shows and returns the violations of impact
// serious or critical. The script is evaluated through DevTools (the page's
// Content-Security-Policy governs the page's own scripts, not the test's).
func Axe(t testing.TB, ctx context.Context) []AxeViolation {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatalf("axe-core is needed for the accessibility check: run tools/install-test-deps.sh (it installs %s/axe.min.js from npm) or set WISMO_AXE_JS: %v", AxeDir, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](src+";\ntrue")); err != nil {
		t.Fatalf("load axe-core into the page: %v", err)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]AxeViolation](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({
			id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + ": " + (n.failureSummary || "").replace(/\s+/g, " "))})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	return out
}

// AssertAccessible fails the test for every serious or critical axe-core violation on the
// page the browser shows; name says which page.
func AssertAccessible(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	for _, v := range Axe(t, ctx) {
		t.Errorf("%s: %s", name, v)
	}
}
