package scripts

import (
	"context"
	"errors"
	"testing"
)

// fuzzAllocLimit is what one compile and run of a fuzzed program may allocate in all:
// the text budget (1 MiB), expr's element budget (100,000 elements, a few MiB as maps),
// the output limit, and compiling a source of at most 20,000 characters. Unmetered growth
// passes it by far: one doubling too many is already 2 MiB, the next 4...
const fuzzAllocLimit = 64 << 20

// FuzzCondition: whatever a brand types as a condition, compiling it and running it on
// the sample parcel (with twenty contacts, so loops loop) never panics, and stops within
// its budget. The corpus is in testdata/fuzz/FuzzCondition; docs/security.md says how to
// fuzz longer.
func FuzzCondition(f *testing.F) {
	for _, r := range standardRules(1) {
		f.Add(r.Condition)
	}
	env := sampleEnv("event")
	for len(env.Contacts) < 20 {
		env.Contacts = append(env.Contacts, env.Contacts...)
	}
	f.Fuzz(func(t *testing.T, src string) {
		var err error
		used := allocated(func() {
			prog, prob := compileCondition(src)
			if prob != nil {
				return
			}
			_, err = evaluate(context.Background(), prog, env)
		})
		if used > fuzzAllocLimit {
			t.Fatalf("compiling and running allocated %d MiB (err %v)", used>>20, err)
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a run's end is a budget error, not %v", err)
		}
	})
}

// FuzzTemplate: whatever a brand types as a template field, text or HTML, compiling it
// (which runs it on the sample) and filling it again never panics, never writes more than
// the field's limit, and stops within its budget.
func FuzzTemplate(f *testing.F) {
	for _, t := range standardTemplates() {
		f.Add(t.content.SMS+t.content.Text, false)
		f.Add(t.content.HTML, true)
	}
	sample := SampleData("http://wismo.test")
	f.Fuzz(func(t *testing.T, src string, html bool) {
		var out string
		var err error
		used := allocated(func() {
			c, probs := compileField(context.Background(), "sms_text", src, html, maxOutSMS, sample)
			if len(probs) > 0 || (c.text == nil && c.html == nil) {
				return
			}
			out, err = c.execute(context.Background(), sample)
		})
		if used > fuzzAllocLimit {
			t.Fatalf("compiling and filling allocated %d MiB (err %v)", used>>20, err)
		}
		if len(out) > maxOutSMS {
			t.Fatalf("wrote %d bytes, more than %d", len(out), maxOutSMS)
		}
	})
}
