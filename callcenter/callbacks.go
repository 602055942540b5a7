package callcenter

import (
	"context"
	"database/sql"
	"time"
)

// Promise is a call promised to a customer: a callback the hotline, an agent's disposition
// or an agent's schedule asks for.
type Promise struct {
	BrandID  int64
	ParcelID string // the parcel it is about; a callback needs one (the dialer's contacts do)
	Phone    string // E.164
	Source   string // after_hours, max_wait, queue, agent, disposition
	CallID   int64  // the call it came from (0: none)
	QueueID  int64  // the hotline queue it came from: its script
	OwnerID  int64  // the agent it is offered to first (0: the queue)
	ScriptID int64  // 0: the queue's, else the brand's first
	At       time.Time
	Grace    time.Duration // how long it waits for its owner before any agent may take it
	Actor    string
	Note     string
}

// Callbacks keeps the calls promised to customers (callback.Service implements it): each
// becomes a dialer contact planned inside the customer's window and placed by the Placer.
type Callbacks interface {
	Promise(ctx context.Context, p Promise) (int64, error)
	// Owner is the agent a callback contact is offered to until until (0: any agent).
	Owner(ctx context.Context, contactID int64) (agentID int64, until time.Time, err error)
}

// UseCallbacks makes the hotline's callback requests and the agents' callback_requested
// dispositions real calls, and lets the Placer offer callbacks to their owners.
func (c *Center) UseCallbacks(cb Callbacks) { c.callbacks = cb }

// QueueScript returns the call script a hotline queue's callbacks follow (0: none set).
func (c *Center) QueueScript(ctx context.Context, queue int64) int64 {
	var id sql.NullInt64
	c.db.SQL.QueryRowContext(ctx, c.db.Rebind(`SELECT script_id FROM hotline_queues WHERE id = ?`), queue).Scan(&id)
	return id.Int64
}

// SetQueueScript sets the call script of a hotline queue's callbacks (0: the brand's first).
func (c *Center) SetQueueScript(ctx context.Context, queue, script int64) error {
	_, err := c.db.SQL.ExecContext(ctx, c.db.Rebind(`UPDATE hotline_queues SET script_id = ? WHERE id = ?`), nz(script), queue)
	return err
}
