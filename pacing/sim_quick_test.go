package pacing

import (
	"encoding/json"
	"testing"
	"time"
)

func TestQuick(t *testing.T) {
	for _, m := range []Mode{Progressive, Predictive} {
		for _, n := range []int{20, 100} {
			t0 := time.Now()
			r, err := Simulate(SimConfig{Mode: m, Agents: n, AnswerRate: 0.25, AHT: 120 * time.Second, Wrap: 15 * time.Second, Hours: 8, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(r)
			t.Logf("%s %s", time.Since(t0), b)
		}
	}
}
