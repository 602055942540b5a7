package scripts

import (
	"strconv"
	"time"

	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/tracking"
)

// Env is the plain data a rule's condition reads, e.g.
//
//	parcel.has_cod && recipient.has_phone
//	event.reason in ["UNREACHABLE", "BAD_ADDRESS"] && !parcel.returning
//	none(contacts, .template == "sorting_center")
//	call.disposition == "callback_requested"
//	case.type == "customs_and_duties" && case.status == "waiting_customer"
type Env struct {
	Parcel    ParcelEnv    `expr:"parcel"`
	Recipient RecipientEnv `expr:"recipient"`
	Event     EventEnv     `expr:"event"`
	Trigger   TriggerEnv   `expr:"trigger"`
	Call      CallEnv      `expr:"call"`
	Case      CaseEnv      `expr:"case"`
	Contacts  []ContactEnv `expr:"contacts"`
}

// ParcelEnv is the parcel.
type ParcelEnv struct {
	ID                 string  `expr:"id"`
	ServiceLevel       string  `expr:"service_level"`
	Kind               string  `expr:"kind"`
	WeightKg           float64 `expr:"weight_kg"`
	Phase              string  `expr:"phase"`
	OriginCountry      string  `expr:"origin_country"`
	DestinationCountry string  `expr:"destination_country"`
	HasCOD             bool    `expr:"has_cod"`
	CODAmount          float64 `expr:"cod_amount"`
	CODCurrency        string  `expr:"cod_currency"`
	PromisedDate       string  `expr:"promised_date"`
	Late               bool    `expr:"late"`
	Returning          bool    `expr:"returning"`
	Events             int     `expr:"events"`          // how many tracking events it has
	FailedAttempts     int     `expr:"failed_attempts"` // its EMH events
	PickupDeadline     string  `expr:"pickup_deadline"` // the last day to collect (YYYY-MM-DD), "" when unknown
}

// RecipientEnv is the person contacted.
type RecipientEnv struct {
	Language  string `expr:"language"`
	TimeZone  string `expr:"time_zone"`
	Region    string `expr:"region"`
	HasPhone  bool   `expr:"has_phone"`
	HasEmail  bool   `expr:"has_email"`
	LocalHour int    `expr:"local_hour"` // the hour on the recipient's clock now
}

// EventEnv is the tracking event that fired (empty for other triggers).
type EventEnv struct {
	Code     string  `expr:"code"`
	Phase    string  `expr:"phase"`
	Reason   string  `expr:"reason"`
	Action   string  `expr:"action"`
	Location string  `expr:"location"`
	Country  string  `expr:"country"`
	AgeHours float64 `expr:"age_hours"`
	Late     bool    `expr:"late_attached"` // an early scan attached when the parcel arrived
}

// TriggerEnv says what fired: event, phase, call_outcome, case_opened, case_status or
// case_sla_breached, with the phase before and after for tracking events.
type TriggerEnv struct {
	Kind        string `expr:"kind"`
	PhaseBefore string `expr:"phase_before"`
	PhaseAfter  string `expr:"phase_after"`
	N           int    `expr:"n"` // elapsed triggers: the rule's N (days or attempts; docs/elapsed.md)
}

// CallEnv is the call attempt that ended (call_outcome).
type CallEnv struct {
	Outcome     string `expr:"outcome"`
	Disposition string `expr:"disposition"`
	Attempt     int    `expr:"attempt"`
	Final       bool   `expr:"final"`
	CampaignID  int    `expr:"campaign_id"`
}

// CaseEnv is the case that changed (case_* triggers).
type CaseEnv struct {
	Number         string `expr:"number"`
	Type           string `expr:"type"`
	Status         string `expr:"status"`
	PreviousStatus string `expr:"previous_status"`
	Priority       string `expr:"priority"`
	Timer          string `expr:"timer"`
}

// ContactEnv is an earlier contact of the parcel.
type ContactEnv struct {
	Channel    string  `expr:"channel"`
	Template   string  `expr:"template"`
	Status     string  `expr:"status"`
	Rule       string  `expr:"rule"`
	CampaignID int     `expr:"campaign_id"`
	AgeHours   float64 `expr:"age_hours"`
}

// envFor fills the parcel and recipient part of a rule's data.
func envFor(p tracking.ParcelView, now time.Time) Env {
	e := Env{Parcel: ParcelEnv{ID: p.ID, ServiceLevel: string(p.ServiceLevel), Kind: string(p.Kind), WeightKg: p.WeightKg,
		Phase: string(p.Phase), OriginCountry: p.OriginCountry, DestinationCountry: p.DestinationCountry,
		PromisedDate: p.PromisedDate, Late: p.Late, Returning: p.Returning, Events: len(p.Events),
		FailedAttempts: p.FailedAttempts(), PickupDeadline: p.PickupDeadline()},
		Recipient: RecipientEnv{Language: p.Recipient.Language, TimeZone: p.Recipient.TimeZone, Region: p.Recipient.Region,
			HasPhone: p.Recipient.Phone != "", HasEmail: p.Recipient.Email != ""}}
	if p.COD != nil {
		e.Parcel.HasCOD, e.Parcel.CODCurrency = true, p.COD.Currency
		e.Parcel.CODAmount, _ = strconv.ParseFloat(p.COD.Amount, 64)
	}
	if loc, err := time.LoadLocation(p.Recipient.TimeZone); err == nil {
		e.Recipient.LocalHour = now.In(loc).Hour()
	}
	return e
}

// contactsEnv turns a parcel's contact history into the rules' view; names maps template
// and rule ids to names.
func contactsEnv(past []dialer.Past, templates, rules map[int64]string, now time.Time) []ContactEnv {
	out := make([]ContactEnv, 0, len(past))
	for _, c := range past {
		out = append(out, ContactEnv{Channel: string(c.Channel), Template: templates[c.TemplateID], Status: string(c.Status),
			Rule: rules[c.RuleID], CampaignID: int(c.CampaignID), AgeHours: now.Sub(c.PlannedAt).Hours()})
	}
	return out
}

// sampleEnv is the data a condition is tried on before it is saved: the sample parcel with
// its event, a call and a case, and three earlier contacts, under the rule's trigger.
func sampleEnv(trigger string) Env {
	p, ev := sampleParcel()
	now := ev.OccurredAt.Add(time.Hour)
	e := envFor(p, now)
	e.Event = EventEnv{Code: ev.Code, Phase: string(ev.Phase), Reason: ev.Reason, Action: ev.Action, Location: ev.Location,
		Country: ev.Country, AgeHours: 1}
	e.Trigger = TriggerEnv{Kind: trigger, PhaseBefore: "at_sorting_center", PhaseAfter: string(p.Phase)}
	e.Call = CallEnv{Outcome: "answered", Disposition: "callback_requested", Attempt: 1, CampaignID: 1}
	e.Case = CaseEnv{Number: "MM-000001", Type: "customs_and_duties", Status: "waiting_customer", PreviousStatus: "new", Priority: "normal"}
	e.Contacts = []ContactEnv{
		{Channel: "sms", Template: "sorting_center", Status: "sent", Rule: "Sorting centre: SMS", AgeHours: 30},
		{Channel: "email", Template: "customs_hold", Status: "sent", Rule: "Customs hold: email", AgeHours: 5},
		{Channel: "call", Status: "planned", Rule: "COD: call", CampaignID: 1, AgeHours: 1},
	}
	return e
}
