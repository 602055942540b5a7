package blob

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// S3rverBin is where tools/install-test-deps.sh installs s3rver (npm), unless
// $WISMO_S3RVER_BIN names another.
const S3rverBin = "/usr/local/lib/wismo-test/s3rver-3.7.1/node_modules/.bin/s3rver"

// StartS3rver starts s3rver (an S3-compatible server for tests) on 127.0.0.1 with a temporary
// directory, stopped when t ends, and returns an S3 store on bucket "recordings" (created).
// Without s3rver it fails in CI and skips loudly elsewhere.
func StartS3rver(t testing.TB) *S3 {
	t.Helper()
	bin := os.Getenv("WISMO_S3RVER_BIN")
	if bin == "" {
		bin = S3rverBin
	}
	if _, err := os.Stat(bin); err != nil {
		msg := "s3rver not found at " + bin + ": run tools/install-test-deps.sh (npm s3rver@3.7.1) or set WISMO_S3RVER_BIN"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip("SKIPPING (peer missing): " + msg)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "-d", t.TempDir(), "-a", "127.0.0.1", "-p", strconv.Itoa(port), "--silent")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for i := 0; ; i++ { // bounded: 30 s for node to start on a loaded machine
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if i >= 300 {
			t.Fatalf("s3rver did not listen on %s: %v", addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// s3rver's default credentials.
	s, err := NewS3(fmt.Sprintf("http://%s/recordings/wismo", addr), "S3RVER", "S3RVER", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateBucket(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}
