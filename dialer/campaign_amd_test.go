package dialer

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestCampaignAMDSettingAndPredictiveMode: a campaign stores what its answered calls do with an
// answering machine (off unless set) and may be predictive; anything else is refused naming
// the field.
func TestCampaignAMDSettingAndPredictiveMode(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	plain, err := e.svc.SaveCampaign(ctx, e.brand, Campaign{Name: "Plain", Mode: "progressive"})
	if err != nil || plain.AMD != "off" {
		t.Fatalf("campaign without amd: amd %q (%v), want off", plain.AMD, err)
	}
	c, err := e.svc.SaveCampaign(ctx, e.brand, Campaign{Name: "Fast", Mode: "predictive", AMD: "hangup"})
	if err != nil {
		t.Fatalf("predictive campaign with amd hangup: %v", err)
	}
	if c.Mode != "predictive" || c.AMD != "hangup" {
		t.Errorf("saved campaign: mode %q amd %q, want predictive hangup", c.Mode, c.AMD)
	}
	c.AMD = "voicemail"
	if c, err = e.svc.SaveCampaign(ctx, e.brand, c); err != nil || c.AMD != "voicemail" {
		t.Errorf("amd changed to voicemail: %q (%v)", c.AMD, err)
	}
	if got, err := e.svc.Campaign(ctx, e.brand, c.ID); err != nil || got.AMD != "voicemail" {
		t.Errorf("campaign read back: amd %q (%v), want voicemail", got.AMD, err)
	}
	for _, bad := range []Campaign{{Name: "X", Mode: "progressive", AMD: "detect"}, {Name: "Y", Mode: "blaster"}} {
		_, err := e.svc.SaveCampaign(ctx, e.brand, bad)
		field := "amd"
		if bad.AMD == "" {
			field = "mode"
		}
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), field+" must be") {
			t.Errorf("campaign %+v: %v, want ErrInvalid naming %s", bad, err, field)
		}
	}
}
