package ivr

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/telephony/telephonytest"
)

// PlayCollect drops a key that comes before it starts collecting, and collects while its
// prompt plays: a phone keys once it hears the question, never after a guessed pause.

// heardVoice reports whether samples hold a loud 100 ms (a prompt's voice, not the silence
// baresip records while no audio comes) after sample from.
func heardVoice(samples []int16, from int) bool {
	const win = 800 // 100 ms at 8 kHz
	for i := max(from, 0); i+win <= len(samples); i += 160 {
		var sum float64
		for _, v := range samples[i : i+win] {
			sum += float64(v) * float64(v)
		}
		if sum/win > 500*500 {
			return true
		}
	}
	return false
}

// waitVoice waits until the phone heard a prompt's voice after sample from of its recording
// of the call (0: since the answer) and returns the recording's length then; false when ctx
// ended first.
func waitVoice(ctx context.Context, phone *telephonytest.Phone, from int) (int, bool) {
	for ctx.Err() == nil {
		s := phone.HeardSoFar()
		if heardVoice(s, from) {
			return len(s), true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return 0, false
}

// pressWhenHeard presses key once the phone heard the question's voice after sample from (a
// key during the prompt answers it) and returns the recording's length when it pressed. It
// fails t when the question is not heard before ctx ends.
func pressWhenHeard(ctx context.Context, t testing.TB, phone *telephonytest.Phone, from int, key string) int {
	n, ok := waitVoice(ctx, phone, from)
	if !ok {
		t.Errorf("the phone heard no prompt before pressing %s\n%s", key, phone.Output())
		return 0
	}
	phone.Command("sndcode", key)
	return n
}

// pressUntilOver presses key once the phone heard voice after sample from, then each second
// until its call is over: the question after the previous key starts once wismo has taken
// that key and made the new prompt, which takes what it takes on the machine, and its first
// seconds cannot be told from the previous prompt's tail in the recording. Presses before it
// are dropped, the one during it answers it, and wismo ends the call after the answer (no
// question follows that would take another press).
func pressUntilOver(ctx context.Context, t testing.TB, phone *telephonytest.Phone, from int, key string) {
	if _, ok := waitVoice(ctx, phone, from); !ok {
		t.Errorf("the phone heard nothing after sample %d before pressing %s\n%s", from, key, phone.Output())
		return
	}
	for ctx.Err() == nil {
		out, err := phone.Command("listcalls", "")
		if err != nil || !strings.Contains(strings.ToUpper(out), "ESTABLISHED") {
			return
		}
		phone.Command("sndcode", key)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// waitAnswered waits until the phone's call is up (baresip answers at once).
func waitAnswered(ctx context.Context, phone *telephonytest.Phone) bool {
	for ctx.Err() == nil {
		if out, _ := phone.Command("listcalls", ""); strings.Contains(strings.ToUpper(out), "ESTABLISHED") {
			return true
		}
		time.Sleep(200 * time.Millisecond)
	}
	return false
}
