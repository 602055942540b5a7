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
	logPath := filepath.Join(o.workDir, "wismo-serve.log")
	step("starting wismo serve (log: %s)", logPath)
	return benchproc.StartWismo(ctx, o.bin, dataDir, logPath, env...)
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
