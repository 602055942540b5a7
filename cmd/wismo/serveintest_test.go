package main

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/wismo/wismo/store/storetest"
)

// serveInTest starts a node as `wismo serve` does (config from the environment, wire, the
// jobs WISMO_JOBS names, the web app on a loopback port), on a new test database and data
// dir, with env set on top; it stops when the test ends. base is the node's public URL.
func serveInTest(t *testing.T, env map[string]string) (ctx context.Context, a *app, n *node, base string) {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base = "http://" + ln.Addr().String()
	t.Setenv("WISMO_DATABASE_URL", storetest.URL(t))
	t.Setenv("WISMO_DATA_DIR", t.TempDir())
	t.Setenv("WISMO_PUBLIC_URL", base)
	t.Setenv("WISMO_DEMO", "false")
	t.Setenv("WISMO_LOG_LEVEL", "warn")
	for k, v := range env {
		t.Setenv(k, v)
	}
	cfg, _, err := parseFlags("serve", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err = openApp(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { a.db.Close() })
	n, err = a.wire(ctx, nil)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := n.startJobs(ctx, cfg, a.log); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); n.sup.wait(); n.bg.Wait(); n.tel.eng.Close() })
	go n.web.Listener(ln)
	t.Cleanup(func() { n.web.ShutdownWithTimeout(2 * time.Second) })
	return ctx, a, n, base
}
