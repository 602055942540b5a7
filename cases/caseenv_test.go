package cases

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store/storetest"
)

// caseEnv is env plus the case tracker on the same clock, and parcels ready for cases.
type caseEnv struct {
	*env
	cs *CaseService
}

func newCaseEnv(t *testing.T) *caseEnv {
	t.Helper()
	e := &caseEnv{env: newEnv(t)}
	e.cs = NewCaseService(e.db, storetest.Logger(t), "http://wismo.test")
	e.cs.SetClock(func() time.Time { return e.now })
	return e
}

var agentA = Actor{Label: "user:agent@a.test", UserID: 0}

func (e *caseEnv) open(scope access.Scope, in CaseInput) *Case {
	e.t.Helper()
	c, err := e.cs.Open(context.Background(), scope, agentA, in)
	if err != nil {
		e.t.Fatalf("open case %+v: %v", in, err)
	}
	return c
}

// outboxTopics lists the outbox topics written so far with the given prefix, in order.
func (e *caseEnv) outbox(prefix string) []struct {
	Topic   string
	ItemID  string
	Payload CaseChange
} {
	e.t.Helper()
	rows, err := e.db.SQL.Query(e.db.Rebind(`SELECT topic, item_id, CAST(payload AS TEXT) FROM outbox WHERE topic LIKE ? ORDER BY id`), prefix+"%")
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []struct {
		Topic   string
		ItemID  string
		Payload CaseChange
	}
	for rows.Next() {
		var m struct {
			Topic   string
			ItemID  string
			Payload CaseChange
		}
		var payload string
		if err := rows.Scan(&m.Topic, &m.ItemID, &payload); err != nil {
			e.t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(payload), &m.Payload); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func ptr[T any](v T) *T { return &v }
