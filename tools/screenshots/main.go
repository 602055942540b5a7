// Command screenshots takes the README's screenshots from `make run`'s demo: it starts the
// built wismo binary in demo mode on loopback (a temporary data dir, free ports), logs in as
// the demo agent and the demo supervisor in headless Chromium (Debian package `chromium`),
// and saves the desk (idle and, when a demo customer calls in time, in a call), the case
// views, a case page, a template in the editor (the demo brand manager), the dashboard and
// parcels' tracking pages on a desktop and a phone, in English and in Russian, a branded one
// (the first demo brand's look) on a desktop and a 360 px phone, the editor's look page,
// as PNGs into -out. A page that answers an error is reported and skipped, not fatal: the
// run ends with a list of what was saved and what was not, and exits 1 when something was
// not.
//
//	go build -o bin/wismo ./cmd/wismo && go run ./tools/screenshots -bin bin/wismo -out docs/screenshots
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

func main() {
	bin := flag.String("bin", "bin/wismo", "the wismo binary")
	out := flag.String("out", "docs/screenshots", "where the PNGs go")
	calls := flag.Duration("call-wait", 90*time.Second, "how long to wait for a demo customer's call for the in-call desk shot (0: skip)")
	flag.Parse()
	r := &run{out: *out}
	if err := r.main(*bin, *calls); err != nil {
		fmt.Fprintln(os.Stderr, "screenshots:", err)
		os.Exit(1)
	}
	r.report()
	if len(r.failed) > 0 {
		os.Exit(1)
	}
}

type run struct {
	out    string
	base   string
	saved  []string
	failed []string
}

func (r *run) main(bin string, callWait time.Duration) error {
	if err := os.MkdirAll(r.out, 0o755); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "wismo-screenshots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	stop, err := r.start(bin, dir, callWait > 0)
	if err != nil {
		return err
	}
	defer stop()
	sum, err := readDemo(filepath.Join(dir, "data", "demo.json"))
	if err != nil {
		return err
	}
	for _, lang := range []string{"en", "ru"} {
		suffix := ""
		if lang == "ru" {
			suffix = "-ru"
		}
		r.staff(lang, suffix, "agent@demo.wismo", sum.Password, func(ctx context.Context) {
			r.shot(ctx, "/desk", "desk-idle"+suffix, `#conn.up`)
			r.shot(ctx, "/cases", "cases"+suffix, "main")
			if n := caseNumber(ctx); n != "" {
				r.shot(ctx, "/cases/"+n, "case"+suffix, "main")
			} else {
				r.failed = append(r.failed, "case"+suffix+": no case number from GET /api/v1/cases")
			}
			if lang == "en" && callWait > 0 {
				r.inCall(ctx, "desk-call", callWait)
			}
		})
		r.staff(lang, suffix, "manager@demo.wismo", sum.Password, func(ctx context.Context) {
			if _, err := pageStatus(ctx, r.base+"/editor"); err != nil {
				r.failed = append(r.failed, "editor"+suffix+": "+err.Error())
				return
			}
			href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`([...document.querySelectorAll("a[href*='/templates/']")].map(a => a.getAttribute("href")).find(h => /\/templates\/\d+/.test(h))) || ""`))
			if err != nil || href == "" {
				r.failed = append(r.failed, fmt.Sprintf("editor-template%s: no template link on /editor: %v", suffix, err))
				return
			}
			r.shot(ctx, href, "editor-template"+suffix, "main")
			// The brand's tracking-page look (Editors -> Tracking page).
			if look, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector("a[href$='/look']") || {getAttribute: () => ""}).getAttribute("href")`)); err == nil && look != "" {
				r.shot(ctx, look, "editor-look"+suffix, "#look-form")
			} else {
				r.failed = append(r.failed, fmt.Sprintf("editor-look%s: no Tracking page tab: %v", suffix, err))
			}
		})
		r.staff(lang, suffix, "supervisor@demo.wismo", sum.Password, func(ctx context.Context) {
			r.shot(ctx, "/dashboard", "dashboard"+suffix, "main")
		})
		ctx, cancel := r.browser(lang, 1280, 900)
		if len(sum.Sample) > 0 {
			r.shot(ctx, "/track/"+sum.Sample[0], "track-desktop"+suffix, "main")
		}
		cancel()
		ctx, cancel = r.browser(lang, 390, 844)
		if len(sum.Sample) > 1 {
			phone := "track-phone" // the README's phone is in Russian
			if lang == "en" {
				phone += "-en"
			}
			r.shot(ctx, "/track/"+sum.Sample[1], phone, "main")
		}
		cancel()
		// The shop's look: the demo's first brand (Matryoshka Market, whose parcel Sample[1] is)
		// has a logo, colours, hotline and footer; the phone is 360 px wide, in Russian.
		if len(sum.Sample) > 1 {
			name, w, h := "track-branded-desktop", 1280, 900
			if lang == "ru" {
				name, w, h = "track-branded-phone", 360, 780
			}
			ctx, cancel = r.browser(lang, w, h)
			if lang == "ru" { // a headless window is at least 500 px wide: emulate the phone's 360
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile)); err != nil {
					r.failed = append(r.failed, name+": emulate a 360 px phone: "+err.Error())
				}
			}
			r.shot(ctx, "/track/"+sum.Sample[1], name, ".brandbar img.logo")
			cancel()
		}
	}
	return nil
}

// demoSummary is what the demo loader wrote (cmd/wismo's demo.json).
type demoSummary struct {
	Sample   []string `json:"sample_parcels"`
	Password string
	Users    []struct {
		Password string `json:"password"`
	} `json:"users"`
}

func readDemo(path string) (demoSummary, error) {
	var s demoSummary
	b, err := os.ReadFile(path)
	if err != nil {
		return s, fmt.Errorf("the demo wrote no %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, err
	}
	if len(s.Users) == 0 {
		return s, errors.New("demo.json has no users")
	}
	s.Password = s.Users[0].Password
	return s, nil
}

// start runs wismo in demo mode on free loopback ports and waits until it is ready.
func (r *run) start(bin, dir string, calls bool) (func(), error) {
	httpPort, err := freePort("tcp")
	if err != nil {
		return nil, err
	}
	sipPort, err := freePort("udp")
	if err != nil {
		return nil, err
	}
	rtp, err := freePort("udp")
	if err != nil {
		return nil, err
	}
	rtp &^= 1
	r.base = fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	every := "off"
	if calls {
		every = "15s"
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "WISMO_DEMO=true", "WISMO_DATA_DIR="+filepath.Join(dir, "data"),
		fmt.Sprintf("WISMO_HTTP_ADDR=127.0.0.1:%d", httpPort), fmt.Sprintf("WISMO_SIP_ADDR=127.0.0.1:%d", sipPort),
		fmt.Sprintf("WISMO_RTP_PORTS=%d-%d", rtp, rtp+100), "WISMO_DEMO_CALLS="+every, "WISMO_PUBLIC_URL="+r.base)
	logf, err := os.Create(filepath.Join(dir, "wismo.log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	stop := func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logf.Close()
	}
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		res, err := http.Get(r.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return stop, nil
			}
		}
	}
	stop()
	log, _ := os.ReadFile(filepath.Join(dir, "wismo.log"))
	return nil, fmt.Errorf("wismo never became ready:\n%s", tail(string(log), 3000))
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func freePort(network string) (int, error) {
	if network == "udp" {
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port, nil
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// browser starts a headless Chromium that asks for lang.
func (r *run) browser(lang string, w, h int) (context.Context, context.CancelFunc) {
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	profile, _ := os.MkdirTemp("", "wismo-chromium-")
	flags := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin), chromedp.Flag("headless", "new"), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("lang", lang),
		chromedp.Flag("use-fake-device-for-media-stream", true), chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("allow-loopback-in-peer-connection", true), chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.UserDataDir(profile), chromedp.WindowSize(w, h),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), flags...)
	tctx, cancelTime := context.WithTimeout(actx, 5*time.Minute)
	ctx, cancelTab := chromedp.NewContext(tctx)
	_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
	if err == nil {
		_, err = chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}})
	}
	if err != nil {
		r.failed = append(r.failed, "start Chromium (install the Debian package chromium): "+err.Error())
	}
	return ctx, func() { cancelTab(); cancelTime(); cancelAlloc(); os.RemoveAll(profile) }
}

// staff logs in as email in a browser that asks for lang and runs fn.
func (r *run) staff(lang, suffix, email, password string, fn func(ctx context.Context)) {
	ctx, cancel := r.browser(lang, 1440, 900)
	defer cancel()
	err := chromedp.Do(ctx,
		chromedp.Navigate(r.base+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.Sleep(2*time.Second),
	)
	if err != nil {
		r.failed = append(r.failed, fmt.Sprintf("log in as %s (%s): %v", email, lang, err))
		return
	}
	fn(ctx)
}

// shot opens path, checks it answered 200, waits for sel and saves name.png.
func (r *run) shot(ctx context.Context, path, name, sel string) {
	status, err := pageStatus(ctx, r.base+path)
	if err != nil || status != http.StatusOK {
		r.failed = append(r.failed, fmt.Sprintf("%s: GET %s answered %d %v", name, path, status, err))
		return
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Sleep(1500*time.Millisecond)); err != nil {
		r.failed = append(r.failed, fmt.Sprintf("%s: %s never showed %s: %v", name, path, sel, err))
		return
	}
	r.save(ctx, name)
}

func (r *run) save(ctx context.Context, name string) {
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err == nil {
		err = os.WriteFile(filepath.Join(r.out, name+".png"), png, 0o644)
	}
	if err != nil {
		r.failed = append(r.failed, name+": "+err.Error())
		return
	}
	r.saved = append(r.saved, name+".png")
}

// pageStatus navigates to url and returns the HTTP status of the document.
func pageStatus(ctx context.Context, url string) (int, error) {
	res, err := chromedp.RunResponse(ctx, chromedp.Navigate(url))
	if err != nil {
		return 0, err
	}
	return int(res.Status), nil
}

// caseNumber is a case of the demo agent's, read through the cases API with the session.
func caseNumber(ctx context.Context) string {
	n, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch("/api/v1/cases?limit=50").then(r => r.json()).then(j =>
		((j.cases || []).find(c => c.assignee_id && c.status === "waiting_partner_post") || (j.cases || []).find(c => c.status === "open") || (j.cases || [])[0] || {}).number || "")`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		return ""
	}
	return n
}

// inCall makes the agent available on the desk, waits for a demo customer's call, answers
// it and saves the desk in the call.
func (r *run) inCall(ctx context.Context, name string, wait time.Duration) {
	if _, err := pageStatus(ctx, r.base+"/desk"); err != nil {
		r.failed = append(r.failed, name+": "+err.Error())
		return
	}
	wctx, cancel := context.WithTimeout(ctx, wait+30*time.Second)
	defer cancel()
	state := func(s string) error {
		_, err := chromedp.Run(wctx, chromedp.Poll[bool](fmt.Sprintf(`document.getElementById("desk").dataset.state === %q`, s), chromedp.WithPollingTimeout(wait)))
		return err
	}
	err := chromedp.Do(wctx, chromedp.WaitVisible(chromedp.CSS("#conn.up")), chromedp.Click(chromedp.ID("btn-available")))
	if err == nil {
		err = state("ringing")
	}
	if err == nil {
		err = chromedp.Do(wctx, chromedp.Click(chromedp.ID("btn-answer")))
	}
	if err == nil {
		err = state("on_call")
	}
	if err == nil {
		err = chromedp.Do(wctx, chromedp.Sleep(3*time.Second))
	}
	if err == nil {
		// Open a case from the call: the screen pop links it (package deskcase).
		cctx, cancel := context.WithTimeout(wctx, 15*time.Second)
		if cerr := chromedp.Do(cctx, chromedp.Click(chromedp.ID("btn-case-from-call")),
			chromedp.WaitVisible(chromedp.CSS("#case-from-call-result a"))); cerr != nil {
			r.failed = append(r.failed, fmt.Sprintf("%s: the case from the call was not opened: %v", name, cerr))
		}
		cancel()
	}
	if err != nil {
		r.failed = append(r.failed, fmt.Sprintf("%s: no demo call answered within %v: %v", name, wait, err))
		return
	}
	r.save(ctx, name)
}

func (r *run) report() {
	fmt.Printf("saved into %s: %s\n", r.out, strings.Join(r.saved, ", "))
	for _, f := range r.failed {
		fmt.Println("NOT saved:", f)
	}
}
