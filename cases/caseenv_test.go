package cases

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// caseEnv is env plus the case tracker on the same clock, and parcels ready for cases.
type caseEnv struct {
	*trackingtest.Env
	cs *CaseService
}

func newCaseEnv(t *testing.T) *caseEnv {
	t.Helper()
	e := &caseEnv{Env: trackingtest.New(t)}
	e.cs = NewCaseService(e.DB, storetest.Logger(t), "http://wismo.test")
	e.cs.SetClock(func() time.Time { return e.Now })
	return e
}

var agentA = Actor{Label: "user:agent@a.test", UserID: 0}

func (e *caseEnv) open(scope access.Scope, in CaseInput) *Case {
	e.T.Helper()
	c, err := e.cs.Open(context.Background(), scope, agentA, in)
	if err != nil {
		e.T.Fatalf("open case %+v: %v", in, err)
	}
	return c
}

// outboxTopics lists the outbox topics written so far with the given prefix, in order.
func (e *caseEnv) outbox(prefix string) []struct {
	Topic   string
	ItemID  string
	Payload CaseChange
} {
	e.T.Helper()
	msgs, err := outbox.All(context.Background(), e.DB, "")
	if err != nil {
		e.T.Fatal(err)
	}
	var out []struct {
		Topic   string
		ItemID  string
		Payload CaseChange
	}
	for _, msg := range msgs {
		if !strings.HasPrefix(msg.Topic, prefix) {
			continue
		}
		var m struct {
			Topic   string
			ItemID  string
			Payload CaseChange
		}
		m.Topic, m.ItemID = msg.Topic, msg.ItemID
		if err := json.Unmarshal(msg.Payload, &m.Payload); err != nil {
			e.T.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func ptr[T any](v T) *T { return &v }
