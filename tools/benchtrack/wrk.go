package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// doneLua prints wrk's summary as one JSON line (latencies in microseconds).
const doneLua = `
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d}\n',
    summary.requests, summary.duration, math.floor(latency:percentile(50)), math.floor(latency:percentile(90)),
    math.floor(latency:percentile(99)), latency.max, e.connect, e.read, e.write, e.timeout, e.status))
end
`

// trackLua spreads requests over the sampled parcels: each thread walks the list from its own
// offset, so the connections ask for different parcels.
const trackLua = `
local ids = {}
local i = 0
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
function init(args)
  for line in io.lines(%q) do ids[#ids + 1] = line end
  i = ((tid or 0) * 7919) %% #ids
end
function request()
  i = i %% #ids + 1
  return wrk.format("GET", "/track/" .. ids[i])
end
`

type wrkScripts struct{ track, hello string }

// writeScripts writes the parcel list and the two wrk scripts into dir.
func writeScripts(dir string, ids []string) (wrkScripts, error) {
	idsPath := filepath.Join(dir, "track-ids.txt")
	if err := os.WriteFile(idsPath, []byte(strings.Join(ids, "\n")+"\n"), 0o644); err != nil {
		return wrkScripts{}, err
	}
	s := wrkScripts{track: filepath.Join(dir, "track.lua"), hello: filepath.Join(dir, "hello.lua")}
	if err := os.WriteFile(s.track, []byte(fmt.Sprintf(trackLua, idsPath)+doneLua), 0o644); err != nil {
		return wrkScripts{}, err
	}
	return s, os.WriteFile(s.hello, []byte(doneLua), 0o644)
}

// result is one wrk run.
type result struct {
	Requests   int64 `json:"requests"`
	DurationUS int64 `json:"duration_us"`
	P50US      int64 `json:"p50_us"`
	P90US      int64 `json:"p90_us"`
	P99US      int64 `json:"p99_us"`
	MaxUS      int64 `json:"max_us"`
	Connect    int64 `json:"connect"`
	Read       int64 `json:"read"`
	Write      int64 `json:"write"`
	Timeout    int64 `json:"timeout"`
	Status     int64 `json:"status"` // responses other than 2xx and 3xx
}

func (r result) rps() float64 {
	if r.DurationUS == 0 {
		return 0
	}
	return float64(r.Requests) / (float64(r.DurationUS) / 1e6)
}

func (r result) p99() time.Duration { return time.Duration(r.P99US) * time.Microsecond }

func (r result) errors() int64 { return r.Connect + r.Read + r.Write + r.Timeout + r.Status }

// runWrk runs wrk against url for d with the script and returns its summary.
func runWrk(ctx context.Context, o options, d time.Duration, script, url string) (result, error) {
	args := []string{"-t", strconv.Itoa(o.threads), "-c", strconv.Itoa(o.connections), "-d", fmt.Sprintf("%ds", int(d.Seconds())),
		"--timeout", "5s", "-s", script, url}
	cmd := exec.CommandContext(ctx, "wrk", args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("wrk %s: %w\n%s", strings.Join(args, " "), err, out.String())
	}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if js, ok := strings.CutPrefix(sc.Text(), "JSON "); ok {
			var r result
			if err := json.Unmarshal([]byte(js), &r); err != nil {
				return result{}, fmt.Errorf("wrk summary %q: %w", js, err)
			}
			return r, nil
		}
	}
	return result{}, fmt.Errorf("wrk printed no summary:\n%s", out.String())
}

// wrkCommand is the command line a reader can repeat.
func wrkCommand(o options, script, url string) string {
	return fmt.Sprintf("wrk -t %d -c %d -d %ds --timeout 5s -s %s %s", o.threads, o.connections, int(o.duration.Seconds()), script, url)
}
