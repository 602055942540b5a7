package search

import (
	"context"
	"strconv"
	"testing"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/textkey"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// transcribedCall writes a call of brand about parcel (may be "") with a recording whose
// customer side says text (as the transcripts job stores it) and returns the call's id.
func transcribedCall(t *testing.T, e *casestest.Env, brand int64, parcel, text string) int64 {
	t.Helper()
	ctx, db := context.Background(), e.DB
	var call, rec int64
	if err := db.SQL.QueryRowContext(ctx, db.Rebind(`INSERT INTO calls (direction, brand_id, parcel_id, started_at) VALUES ('inbound', ?, ?, ?) RETURNING id`),
		brand, parcel, e.Now).Scan(&call); err != nil {
		t.Fatal(err)
	}
	if err := db.SQL.QueryRowContext(ctx, db.Rebind(`INSERT INTO recordings (call_id, brand_id, path, started_at, finished_at) VALUES (?, ?, 'x.wav', ?, ?) RETURNING id`),
		call, brand, e.Now, e.Now).Scan(&rec); err != nil {
		t.Fatal(err)
	}
	for side, said := range map[string]string{"customer": text, "agent": "чем могу помочь how can I help"} {
		if _, err := db.SQL.ExecContext(ctx, db.Rebind(`INSERT INTO call_transcripts (recording_id, call_id, brand_id, side, text, search_key, transcribed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`), rec, call, brand, side, said, textkey.Fold(said), e.Now); err != nil {
			t.Fatal(err)
		}
	}
	return call
}

// TestSearchTranscripts: a call's words find its case (by the call's parcel, or linked to the
// call) or the call itself, within the caller's brand only, and never above an exact id, a
// case number or a name.
func TestSearchTranscripts(t *testing.T) {
	e := casestest.New(t)
	ctx := context.Background()
	pa, pb := trackingtest.Parcel("RB123456785GB"), trackingtest.Parcel("RR703155283DE")
	e.Upsert(e.ScopeA(), pa)
	e.Upsert(e.ScopeB(), pb)
	caseA := e.Open(e.ScopeA(), cases.CaseInput{Parcels: []string{pa.ID}, Type: "non_receipt_or_delay"})
	caseB := e.Open(e.ScopeB(), cases.CaseInput{Parcels: []string{pb.ID}, Type: "non_receipt_or_delay"})
	linked := e.Open(e.ScopeA(), cases.CaseInput{Parcels: []string{pa.ID}, Type: "damage", Contact: &cases.ContactInput{Name: "Ольга Смирнова"}})
	transcribedCall(t, e, e.BrandA, pa.ID, "Курьёр грубил и бросил посылку")
	transcribedCall(t, e, e.BrandB, pb.ID, "курьер грубил мне")
	lone := transcribedCall(t, e, e.BrandA, "", "the courier was rude to me, Petrov said")
	pc := trackingtest.Parcel("RR000000005GB") // a parcel with no case
	e.Upsert(e.ScopeA(), pc)
	transcribedCall(t, e, e.BrandA, pc.ID, "посылка пришла мокрая")
	said := transcribedCall(t, e, e.BrandA, "", "my case is "+linked.Number+" and the box was broken")
	if _, err := e.DB.SQL.ExecContext(ctx, e.DB.Rebind(`INSERT INTO call_cases (call_id, case_id, brand_id, created_at) VALUES (?, ?, ?, ?)`),
		said, linked.ID, e.BrandA, e.Now); err != nil {
		t.Fatal(err)
	}
	t.Run("embedded", func(t *testing.T) {
		checkTranscripts(t, e, New(e.DB, NewEmbeddedBackend(e.DB)), caseA, caseB, linked, lone, pc.ID)
	})
	// Meilisearch holds parcels and cases; the transcripts are read from the database beside it.
	t.Run("meilisearch", func(t *testing.T) {
		b := meiliFor(t, e)
		feed(t, e, b)
		checkTranscripts(t, e, New(e.DB, b), caseA, caseB, linked, lone, pc.ID)
	})
}

func checkTranscripts(t *testing.T, e *casestest.Env, s *Search, caseA, caseB, linked *cases.Case, lone int64, pc string) {
	ctx := context.Background()
	pa := trackingtest.Parcel("RB123456785GB")
	find := func(scope access.Scope, q string) []Hit {
		t.Helper()
		hits, err := s.Find(ctx, scope, q, 20)
		if err != nil {
			t.Fatal(err)
		}
		return hits
	}
	keys := func(hits []Hit) []string {
		var out []string
		for _, h := range hits {
			out = append(out, h.Kind+":"+h.ID+"/"+h.Match)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		scope access.Scope
		q     string
		want  []string // the hits, in order
	}{
		{"russian words find the case about the call's parcel", e.ScopeA(), "курьер грубил", []string{"case:" + caseA.Number + "/transcript", "case:" + linked.Number + "/transcript"}},
		{"the other brand finds its own case only", e.ScopeB(), "курьер грубил", []string{"case:" + caseB.Number + "/transcript"}},
		{"word starts", e.ScopeB(), "курьер груб", []string{"case:" + caseB.Number + "/transcript"}},
		{"english words find a call with no case", e.ScopeA(), "courier was rude", []string{"call:" + strconv.FormatInt(lone, 10) + "/transcript"}},
		{"a linked call finds its case", e.ScopeA(), "box broken", []string{"case:" + linked.Number + "/transcript"}},
		{"a call about a parcel with no case finds the parcel", e.ScopeA(), "посылка мокрая", []string{"parcel:" + pc + "/transcript"}},
		{"another brand's words are not found", e.ScopeB(), "courier was rude", nil},
		{"a post sees no calls", e.PostGB, "courier rude", nil},
		{"every word must be said", e.ScopeA(), "courier was polite", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := keys(find(tc.scope, tc.q))
			if len(got) != len(tc.want) {
				t.Fatalf("%q: %v, want %v", tc.q, got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("%q: %v, want %v", tc.q, got, tc.want)
				}
			}
		})
	}
	t.Run("never above an exact id, case number or name", func(t *testing.T) {
		for q, first := range map[string]string{
			pa.ID:         "parcel:" + pa.ID + "/id",                // ids are not words: transcripts are not read
			linked.Number: "case:" + linked.Number + "/case_number", // said in a call, found as the number
			"Petrov":      "parcel:" + pa.ID + "/name",              // the recipient's name, also said in a call
		} {
			got := keys(find(e.ScopeA(), q))
			if len(got) == 0 || got[0] != first {
				t.Fatalf("%q: %v, want %s first", q, got, first)
			}
			if q == "Petrov" && got[len(got)-1] != "call:"+strconv.FormatInt(lone, 10)+"/transcript" {
				t.Errorf("%q: %v, want the call that said it last", q, got)
			}
		}
	})
}
