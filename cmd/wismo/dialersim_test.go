package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// `wismo dialer simulate` prints one JSON object with the figures the issue names, the same
// for the same seed.
func TestDialerSimulatePrintsOneJSONObject(t *testing.T) {
	args := []string{"dialer", "simulate", "--mode", "predictive", "--agents", "20", "--answer-rate", "0.25",
		"--aht", "120s", "--wrapup", "15s", "--hours", "1", "--seed", "42"}
	var out, again bytes.Buffer
	if err := run(t.Context(), args, nil, &out); err != nil {
		t.Fatal(err)
	}
	if err := run(t.Context(), args, nil, &again); err != nil {
		t.Fatal(err)
	}
	if out.String() != again.String() {
		t.Fatalf("same seed, different output:\n%s\n%s", out.String(), again.String())
	}
	dec := json.NewDecoder(&out)
	var got map[string]any
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if dec.More() {
		t.Fatal("more than one JSON value printed")
	}
	for _, k := range []string{"talk_share", "abandon_rate", "worst_hour_abandon_rate", "calls", "answered", "abandoned", "max_wait_s"} {
		if _, ok := got[k]; !ok {
			t.Errorf("no %q in %v", k, got)
		}
	}
	if got["calls"].(float64) == 0 || got["talk_share"].(float64) <= 0 {
		t.Fatalf("an empty run: %v", got)
	}
}

// Bad flags are refused with an error naming the flag.
func TestDialerSimulateBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--mode", "preview"}, "--mode"},
		{[]string{"--agents", "0"}, "--agents"},
		{[]string{"--agents", "many"}, "-agents"},
		{[]string{"--answer-rate", "2"}, "--answer-rate"},
		{[]string{"--aht", "120"}, "-aht"},
		{[]string{"--aht", "0s"}, "--aht"},
		{[]string{"--wrapup", "-1s"}, "--wrapup"},
		{[]string{"--hours", "0"}, "--hours"},
		{[]string{"--machine-share", "1"}, "--machine-share"},
		{[]string{"extra"}, "extra"},
	} {
		err := run(t.Context(), append([]string{"dialer", "simulate"}, tc.args...), nil, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: want an error naming %s, got %v", tc.args, tc.want, err)
		}
	}
	if err := run(t.Context(), []string{"dialer"}, nil, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "simulate") {
		t.Errorf("dialer alone: %v", err)
	}
}
