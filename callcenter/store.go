package callcenter

import "time"

// Database rows of the call log; converters join them to Call and Leg.

type callRow struct {
	ID          int64 `gorm:"primaryKey"`
	Direction   string
	Mode        string
	BrandID     *int64
	ParcelID    string
	CampaignRef string
	ContactRef  string
	AgentID     *int64
	QueueID     *int64
	FromURI     string
	ToURI       string
	SIPCallID   string `gorm:"column:sip_call_id"`
	StartedAt   time.Time
	RingingAt   *time.Time
	AnsweredAt  *time.Time
	QueuedAt    *time.Time
	EndedAt     *time.Time
	SIPStatus   int `gorm:"column:sip_status"`
	Outcome     string
	HangupSide  string
	Disposition string
	Note        string
	RecordingID *int64
}

func (callRow) TableName() string { return "calls" }

type legRow struct {
	ID         int64 `gorm:"primaryKey"`
	CallID     int64
	Kind       string
	AgentID    *int64
	FromURI    string
	ToURI      string
	SIPCallID  string `gorm:"column:sip_call_id"`
	Codec      string
	StartedAt  time.Time
	RingingAt  *time.Time
	AnsweredAt *time.Time
	EndedAt    *time.Time
	SIPStatus  int `gorm:"column:sip_status"`
	Outcome    string
	HangupSide string
}

func (legRow) TableName() string { return "call_legs" }

// nz maps 0 to NULL for optional references.
func nz(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

func zn(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func toCallRow(c *Call) callRow {
	return callRow{ID: c.ID, Direction: c.Direction, Mode: c.Mode, BrandID: nz(c.BrandID), ParcelID: c.ParcelID,
		CampaignRef: c.CampaignRef, ContactRef: c.ContactRef, AgentID: nz(c.AgentID), QueueID: nz(c.QueueID),
		FromURI: c.From, ToURI: c.To, SIPCallID: c.SIPCallID, StartedAt: c.StartedAt.UTC(), RingingAt: utc(c.RingingAt),
		AnsweredAt: utc(c.AnsweredAt), QueuedAt: utc(c.QueuedAt), EndedAt: utc(c.EndedAt), SIPStatus: c.SIPStatus,
		Outcome: string(c.Outcome), HangupSide: c.HangupSide, Disposition: c.Disposition, Note: c.Note, RecordingID: nz(c.RecordingID)}
}

func (r callRow) toCall() Call {
	return Call{ID: r.ID, Direction: r.Direction, Mode: r.Mode, BrandID: zn(r.BrandID), ParcelID: r.ParcelID,
		CampaignRef: r.CampaignRef, ContactRef: r.ContactRef, AgentID: zn(r.AgentID), QueueID: zn(r.QueueID),
		From: r.FromURI, To: r.ToURI, SIPCallID: r.SIPCallID, StartedAt: r.StartedAt, RingingAt: r.RingingAt,
		AnsweredAt: r.AnsweredAt, QueuedAt: r.QueuedAt, EndedAt: r.EndedAt, SIPStatus: r.SIPStatus,
		Outcome: Outcome(r.Outcome), HangupSide: r.HangupSide, Disposition: r.Disposition, Note: r.Note, RecordingID: zn(r.RecordingID)}
}

func toLegRow(g *Leg) legRow {
	return legRow{ID: g.ID, CallID: g.CallID, Kind: g.Kind, AgentID: nz(g.AgentID), FromURI: g.From, ToURI: g.To,
		SIPCallID: g.SIPCallID, Codec: g.Codec, StartedAt: g.StartedAt.UTC(), RingingAt: utc(g.RingingAt),
		AnsweredAt: utc(g.AnsweredAt), EndedAt: utc(g.EndedAt), SIPStatus: g.SIPStatus, Outcome: string(g.Outcome),
		HangupSide: g.HangupSide}
}

func (r legRow) toLeg() Leg {
	return Leg{ID: r.ID, CallID: r.CallID, Kind: r.Kind, AgentID: zn(r.AgentID), From: r.FromURI, To: r.ToURI,
		SIPCallID: r.SIPCallID, Codec: r.Codec, StartedAt: r.StartedAt, RingingAt: r.RingingAt,
		AnsweredAt: r.AnsweredAt, EndedAt: r.EndedAt, SIPStatus: r.SIPStatus, Outcome: Outcome(r.Outcome),
		HangupSide: r.HangupSide}
}
