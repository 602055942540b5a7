package browsertest

import (
	"net"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// The browser renders a page served on loopback and runs its script.
func TestBrowserRendersAPage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!doctype html><p id="x">static</p><script>document.getElementById("x").textContent = "scripted"</script>`)) //nolint:errcheck
	})}
	go srv.Serve(ln) //nolint:errcheck
	defer srv.Close()
	ctx, _ := New(t, Options{})
	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+ln.Addr().String()+"/")); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#x")))
	if err != nil {
		t.Fatal(err)
	}
	if text != "scripted" {
		t.Fatalf("page text %q, want the script's", text)
	}
}
