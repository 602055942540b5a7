package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/wismo/wismo/tools/benchproc"
)

// startWismo runs `wismo serve` on the corpus, HTTP and SIP on free loopback ports.
func startWismo(ctx context.Context, o options, dataDir string, env ...string) (*benchproc.Server, error) {
	addr, err := benchproc.FreeAddr()
	if err != nil {
		return nil, err
	}
	sip, err := benchproc.FreeAddr()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(o.workDir, "wismo-serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(o.bin, "serve")
	cmd.Env = append(os.Environ(), "WISMO_DATA_DIR="+dataDir, "WISMO_HTTP_ADDR="+addr, "WISMO_SIP_ADDR="+sip,
		"WISMO_DATABASE_URL=", "WISMO_SEARCH_URL=", "WISMO_DEMO=false", "WISMO_LOG_LEVEL=warn", "WISMO_PUBLIC_URL=http://"+addr)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	step("starting wismo serve on %s (log: %s)", addr, logPath)
	return benchproc.Start(ctx, "wismo serve", cmd, addr, "/readyz", 5*time.Minute)
}

// startHello runs this program's fiber hello-world in its own process.
func startHello(ctx context.Context) (*benchproc.Server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := benchproc.FreeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-serve-hello", addr)
	cmd.Stderr = os.Stderr
	step("starting the fiber hello-world on %s", addr)
	return benchproc.Start(ctx, "hello-world", cmd, addr, "/", 30*time.Second)
}

// cacheCounts reads the tracking page cache's hits and misses from wismo's /metrics.
func cacheCounts(ctx context.Context, addr string) (hit, miss float64, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(body), "\n") {
		var v float64
		switch {
		case strings.HasPrefix(line, `wismo_track_page_cache_total{result="hit"} `):
			fmt.Sscan(strings.Fields(line)[1], &v)
			hit = v
		case strings.HasPrefix(line, `wismo_track_page_cache_total{result="miss"} `):
			fmt.Sscan(strings.Fields(line)[1], &v)
			miss = v
		}
	}
	return hit, miss, nil
}
