package portal

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/store/storetest"
)

// TestTalkStripClickSeeks: on a call's timeline entry, a click on the talk strip halfway along
// its lanes seeks the player (which has not loaded anything yet: preload none) to the middle
// of the recording.
func TestTalkStripClickSeeks(t *testing.T) {
	storetest.OnePass(t)
	wav := filepath.Join(t.TempDir(), "call.wav")
	w, err := media.CreateWAV(wav, 8000, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteSamples(make([]int16, 2*8000*10)); err != nil { // 10 s
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	js, err := fs.ReadFile(staticFS, "static/cases.js")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.Write([]byte(`<!doctype html><html><body style="margin:0"><ol class="timeline" style="margin:0;padding:0;list-style:none"><li>` +
			`<audio controls preload="none" src="/call.wav"></audio>` +
			`<img class="talk-strip" id="strip" src="/strip.svg" width="1000" height="38" style="display:block"></li></ol>` +
			`<script src="/cases.js"></script></body></html>`))
	})
	mux.HandleFunc("/cases.js", func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "text/javascript")
		rw.Write(js)
	})
	mux.HandleFunc("/strip.svg", func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "image/svg+xml")
		rw.Write([]byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 38"><rect x="90" y="0" width="910" height="38" fill="#ccc"/></svg>`))
	})
	mux.HandleFunc("/call.wav", func(rw http.ResponseWriter, r *http.Request) { http.ServeFile(rw, r, wav) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx, _ := browsertest.New(t, browsertest.Options{})
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#strip"))); err != nil {
		t.Fatal(err)
	}
	top, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.getElementById('strip').getBoundingClientRect().top`))
	if err != nil {
		t.Fatal(err)
	}
	// Halfway along the lanes: x = 90 + 910/2 = 545 of the 1000 px strip.
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(545, top+19)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('audio').currentTime > 0`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the player did not seek: %v", err)
	}
	at, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(document.querySelector('audio').pause(), document.querySelector('audio').currentTime)`))
	if err != nil {
		t.Fatal(err)
	}
	// The click seeks and plays: the player may have run on a little before the pause.
	if at < 4.9 || at > 5.6 {
		t.Errorf("a click halfway along a 10 s call's strip seeks to %.2f s, want 5 (up to 5.6 once playing)", at)
	}
}
