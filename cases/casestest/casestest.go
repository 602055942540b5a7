// Package casestest gives tests of cases and of the packages above it (search, portal) the
// tracking test environment plus the case tracker on the same clock.
package casestest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// Env is trackingtest.Env plus the case tracker on the same clock.
type Env struct {
	*trackingtest.Env
	Cases *cases.CaseService
}

// New returns a fresh Env for t.
func New(t *testing.T) *Env {
	t.Helper()
	e := &Env{Env: trackingtest.New(t)}
	e.Cases = cases.NewCaseService(e.DB, storetest.Logger(t), "http://wismo.test")
	e.Cases.SetClock(func() time.Time { return e.Now })
	return e
}

// AgentA is the actor of the cases tests open and change.
var AgentA = cases.Actor{Label: "user:agent@a.test", UserID: 0}

// Open opens a case as AgentA, failing the test on an error.
func (e *Env) Open(scope access.Scope, in cases.CaseInput) *cases.Case {
	e.T.Helper()
	c, err := e.Cases.Open(context.Background(), scope, AgentA, in)
	if err != nil {
		e.T.Fatalf("open case %+v: %v", in, err)
	}
	return c
}

// Outbox lists the outbox messages written so far with the given prefix, in order.
func (e *Env) Outbox(prefix string) []struct {
	Topic   string
	ItemID  string
	Payload cases.CaseChange
} {
	e.T.Helper()
	msgs, err := outbox.All(context.Background(), e.DB, "")
	if err != nil {
		e.T.Fatal(err)
	}
	var out []struct {
		Topic   string
		ItemID  string
		Payload cases.CaseChange
	}
	for _, msg := range msgs {
		if !strings.HasPrefix(msg.Topic, prefix) {
			continue
		}
		var m struct {
			Topic   string
			ItemID  string
			Payload cases.CaseChange
		}
		m.Topic, m.ItemID = msg.Topic, msg.ItemID
		if err := json.Unmarshal(msg.Payload, &m.Payload); err != nil {
			e.T.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }
