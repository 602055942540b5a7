package callcenter

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/telephony"
)

// Agents keeps agents' states in the database, so that a supervisor on any node sees them
// and the states survive a restart, and their SIP accounts through access, which owns the
// users table.
type Agents struct {
	db       *store.DB
	realm    string
	accounts SIPAccounts
	now      func() time.Time
	notify   func(userID int64, s AgentState) // OnChange
}

// SIPAccounts stores users' SIP accounts (access.Service implements it: only the users
// table's owner writes it).
type SIPAccounts interface {
	SetSIPCredentials(ctx context.Context, userID int64, username, ha1 string) error
	SIPHA1(ctx context.Context, username string) (string, error)
}

// OnChange registers fn to learn every state an agent moves to, after it is stored (the
// softphone pushes it to the agent's page). Set it before serving.
func (a *Agents) OnChange(fn func(userID int64, s AgentState)) { a.notify = fn }

func (a *Agents) changed(userID int64, s AgentState) {
	if a.notify != nil {
		a.notify(userID, s)
	}
}

// NewAgents returns the agents of db whose SIP accounts accounts keeps; realm is the SIP
// digest realm of their phones.
func NewAgents(db *store.DB, realm string, accounts SIPAccounts) *Agents {
	return &Agents{db: db, realm: realm, accounts: accounts, now: func() time.Time { return time.Now().UTC() }}
}

// Agent is a user who takes calls, as call control sees them.
type Agent struct {
	UserID    int64
	SIPUser   string
	State     AgentState
	IdleSince *time.Time
}

// SetSIPSecret gives user userID the SIP account username with secret; only
// HA1 = MD5(username:realm:secret) is stored (RFC 2617 §3.2.2.2), apart from the login
// password, which stays hashed on its own.
func (a *Agents) SetSIPSecret(ctx context.Context, userID int64, username, secret string) error {
	if username == "" || strings.ContainsAny(username, "@:; <>\"") || len(secret) < 8 {
		return fmt.Errorf("%w: SIP username must be a plain token and the secret at least 8 characters", ErrInvalid)
	}
	err := a.accounts.SetSIPCredentials(ctx, userID, username, telephony.HA1(username, a.realm, secret))
	if errors.Is(err, access.ErrNotFound) {
		return fmt.Errorf("user %d: %w", userID, ErrNotFound)
	}
	return err
}

// SIPHA1 implements telephony.Credentials for enabled users.
func (a *Agents) SIPHA1(ctx context.Context, username string) (string, error) {
	ha1, err := a.accounts.SIPHA1(ctx, username)
	if errors.Is(err, access.ErrNotFound) {
		return "", telephony.ErrUnknownUser
	}
	return ha1, err
}

// Get returns agent userID (offline when never seen).
func (a *Agents) Get(ctx context.Context, userID int64) (Agent, error) {
	ag := Agent{UserID: userID, State: Offline}
	var sipUser sql.NullString
	var state sql.NullString
	var idle sql.NullTime
	err := a.db.SQL.QueryRowContext(ctx, a.db.Rebind(`SELECT u.sip_username, s.state, s.idle_since FROM users u
		LEFT JOIN agent_states s ON s.user_id = u.id WHERE u.id = ?`), userID).Scan(&sipUser, &state, &idle)
	if errors.Is(err, sql.ErrNoRows) {
		return ag, fmt.Errorf("agent %d: %w", userID, ErrNotFound)
	}
	if err != nil {
		return ag, fmt.Errorf("agent %d: %w", userID, err)
	}
	ag.SIPUser = sipUser.String
	if state.Valid {
		ag.State = AgentState(state.String)
	}
	if idle.Valid {
		t := idle.Time
		ag.IdleSince = &t
	}
	return ag, nil
}

// SetState moves agent userID to state to if the state machine allows it from where the
// agent is; becoming available starts the idle clock that "longest idle" orders by.
func (a *Agents) SetState(ctx context.Context, userID int64, to AgentState) error {
	err := a.db.WriteTx(ctx, func(tx store.Tx) error {
		from := Offline
		var cur string
		err := tx.QueryRowContext(ctx, a.db.Rebind(`SELECT state FROM agent_states WHERE user_id = ?`), userID).Scan(&cur)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			from = AgentState(cur)
		}
		if _, err := Move(from, to); err != nil {
			return fmt.Errorf("agent %d: %w", userID, err)
		}
		return a.write(ctx, tx, userID, to, from == to)
	})
	if err == nil {
		a.changed(userID, to)
	}
	return err
}

func (a *Agents) write(ctx context.Context, tx store.Tx, userID int64, to AgentState, same bool) error {
	now := a.now()
	var idle any
	if to == Available {
		idle = now
	}
	q := `INSERT INTO agent_states (user_id, state, since, idle_since) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, since = excluded.since, idle_since = excluded.idle_since`
	if same {
		return nil // idempotent: keep the idle clock running
	}
	_, err := tx.ExecContext(ctx, a.db.Rebind(q), userID, string(to), now, idle)
	return err
}

// Reserve moves agent userID from available to ringing if, and only if, the agent is still
// available (two calls never ring the same agent).
func (a *Agents) Reserve(ctx context.Context, userID int64) (bool, error) {
	res, err := a.db.SQL.ExecContext(ctx, a.db.Rebind(`UPDATE agent_states SET state = 'ringing', since = ? WHERE user_id = ? AND state = 'available'`), a.now(), userID)
	if err != nil {
		return false, fmt.Errorf("reserve agent %d: %w", userID, err)
	}
	n, _ := res.RowsAffected()
	if n == 1 {
		a.changed(userID, Ringing)
	}
	return n == 1, nil
}

// Idle lists available agents who may take calls of brand (0: any brand), longest idle
// first, skipping those in skip.
func (a *Agents) Idle(ctx context.Context, brand int64, skip map[int64]bool) ([]Agent, error) {
	q := `SELECT u.id, u.sip_username, s.idle_since FROM agent_states s JOIN users u ON u.id = s.user_id
		WHERE s.state = 'available' AND u.disabled_at IS NULL`
	var args []any
	if brand != 0 {
		q += ` AND (u.role IN ('admin','supervisor') OR EXISTS (SELECT 1 FROM user_brands b WHERE b.user_id = u.id AND b.brand_id = ?))`
		args = append(args, brand)
	}
	rows, err := a.db.SQL.QueryContext(ctx, a.db.Rebind(q+` ORDER BY s.idle_since, u.id LIMIT 50`), args...)
	if err != nil {
		return nil, fmt.Errorf("idle agents: %w", err)
	}
	defer rows.Close()
	var out []Agent
	for rows.Next() {
		ag := Agent{State: Available}
		var idle sql.NullTime
		var sipUser sql.NullString // agents with a desk page need no SIP account
		if err := rows.Scan(&ag.UserID, &sipUser, &idle); err != nil {
			return nil, err
		}
		ag.SIPUser = sipUser.String
		if skip[ag.UserID] {
			continue
		}
		if idle.Valid {
			t := idle.Time
			ag.IdleSince = &t
		}
		out = append(out, ag)
	}
	return out, rows.Err()
}
