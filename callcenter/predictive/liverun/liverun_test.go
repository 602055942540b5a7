package liverun

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/wismo/wismo/store/storetest"
)

// TestPredictiveRunThroughWismo: a predictive campaign of 60 calls dialled by the dialer
// through wismo's SIP engine to SIPp customers who answer 40% of the time, with 3 agents on
// SIP phones (a SIPp UAS each) that keep one media session each: every contact is called, no
// call fails, every answered call is connected or abandoned (and the dashboard's figure
// agrees), and the connected calls all went into the agents' 3 sessions.
func TestPredictiveRunThroughWismo(t *testing.T) {
	storetest.OnePass(t)
	if _, err := exec.LookPath("sipp"); err != nil {
		t.Skip("sipp not installed (Debian sip-tester)")
	}
	db := storetest.Open(t)
	res, err := Run(context.Background(), db, Options{Mode: "predictive", Agents: 3, Calls: 60, AnswerRate: 0.4,
		RingMin: 500 * time.Millisecond, RingMax: 2500 * time.Millisecond, Talk: [3]time.Duration{2 * time.Second, 3 * time.Second, 4 * time.Second},
		Wrap: 500 * time.Millisecond, WarmUp: 20, Limit: 3 * time.Minute, Dir: t.TempDir(), Log: storetest.Logger(t)})
	t.Logf("%+v", res)
	if err != nil {
		t.Fatal(err)
	}
	if res.Placed < 60 || res.Failed != 0 {
		t.Errorf("placed %d calls, %d failed; want every one of the 60 contacts called and none failed", res.Placed, res.Failed)
	}
	if res.Answered == 0 || res.Answered != res.Connected+res.Abandoned || res.Placed != res.Answered+res.NoAnswer+res.Failed {
		t.Errorf("answered %d = connected %d + abandoned %d? placed %d = answered + no answer %d?", res.Answered, res.Connected,
			res.Abandoned, res.Placed, res.NoAnswer)
	}
	if res.Dashboard.Answered != res.Answered || res.Dashboard.Abandoned != res.Abandoned {
		t.Errorf("dashboard %+v, want %d answered and %d abandoned", res.Dashboard, res.Answered, res.Abandoned)
	}
	if res.Connected > 0 && res.AgentLegs != 3 {
		t.Errorf("%d connected calls used %d calls to the agents' phones, want their 3 media sessions", res.Connected, res.AgentLegs)
	}
}
