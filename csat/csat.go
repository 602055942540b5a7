// Package csat keeps customers' ratings (table ratings; docs/csat.md): after delivery the
// tracking page offers a 1-5 rating with an optional comment, credited to the brand, the
// destination country's post and region and the origin country; after a case about the
// parcel is resolved, a rating of the service, credited also to the agent who resolved it. A
// parcel has one delivery rating and one per case; the customer may change a rating for
// ChangeWindow after giving it. Supervisors read CSAT (Summary) on the dashboard.
package csat

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
)

// ChangeWindow is how long after a rating is first given the customer may change it.
const ChangeWindow = 14 * 24 * time.Hour

// MaxComment bounds a rating's comment, in characters.
const MaxComment = 1000

// ErrClosed: the rating can no longer be given or changed (the window passed, or the case is
// not resolved, or it is not about this parcel).
var ErrClosed = errors.New("this rating can no longer be given or changed")

// Rating is one customer rating.
type Rating struct {
	ParcelID   string
	CaseNumber string // "" for the delivery
	AgentID    *int64
	Score      int
	Comment    string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Changeable reports whether the customer may still change the rating at now.
func (r Rating) Changeable(now time.Time) bool { return now.Before(r.CreatedAt.Add(ChangeWindow)) }

// Subject is what a rating is about and credited to, as the tracking page knows it.
type Subject struct {
	BrandID            int64
	ParcelID           string
	CaseNumber         string // "" for the delivery
	OriginCountry      string
	DestinationCountry string
	Region             string
}

// Service reads and writes ratings.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New returns the ratings service.
func New(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

// SetClock replaces the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Check validates a score and comment, naming the field that is wrong.
func Check(score int, comment string) error {
	switch {
	case score < 1 || score > 5:
		return input.Errorf("score", "must be 1 to 5")
	case utf8.RuneCountInString(comment) > MaxComment:
		return input.Errorf("comment", "must be at most %d characters", MaxComment)
	}
	return nil
}

// ParcelRatings returns the parcel's ratings in its brand, by case number ("" for the
// delivery).
func (s *Service) ParcelRatings(ctx context.Context, brandID int64, parcelID string) (map[string]Rating, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT case_number, agent_id, score, comment, created_at, updated_at
		FROM ratings WHERE parcel_id = ? AND brand_id = ?`), parcelID, brandID)
	if err != nil {
		return nil, fmt.Errorf("ratings of %s: %w", parcelID, err)
	}
	defer rows.Close()
	out := map[string]Rating{}
	for rows.Next() {
		r := Rating{ParcelID: parcelID}
		var agent sql.NullInt64
		if err := rows.Scan(&r.CaseNumber, &agent, &r.Score, &r.Comment, &r.CreatedAt, &r.UpdatedAt); err != nil {
			return nil, fmt.Errorf("ratings of %s: %w", parcelID, err)
		}
		if agent.Valid {
			r.AgentID = &agent.Int64
		}
		r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
		out[r.CaseNumber] = r
	}
	return out, rows.Err()
}

// ResolvedCase reports whether the case numbered number is the brand's, about the parcel, and
// resolved or closed; agent is its assignee then (the agent who resolved it; nil: none).
func (s *Service) ResolvedCase(ctx context.Context, brandID int64, parcelID, number string) (ok bool, agent *int64, err error) {
	var status string
	var assignee sql.NullInt64
	err = s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT c.status, c.assignee_id FROM cases c
		JOIN case_parcels cp ON cp.case_id = c.id AND cp.parcel_id = ?
		WHERE c.brand_id = ? AND c.number = ?`), parcelID, brandID, number).Scan(&status, &assignee)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, fmt.Errorf("case %s: %w", number, err)
	}
	if assignee.Valid {
		agent = &assignee.Int64
	}
	return status == "resolved" || status == "closed", agent, nil
}

// Rate records or changes the rating of sub. A case rating needs the case resolved (its agent
// is credited); a rating older than ChangeWindow is ErrClosed. It returns the rating as
// stored.
func (s *Service) Rate(ctx context.Context, sub Subject, score int, comment string) (Rating, error) {
	comment = strings.TrimSpace(comment)
	if err := Check(score, comment); err != nil {
		return Rating{}, err
	}
	var agent *int64
	if sub.CaseNumber != "" {
		ok, a, err := s.ResolvedCase(ctx, sub.BrandID, sub.ParcelID, sub.CaseNumber)
		if err != nil {
			return Rating{}, err
		}
		if !ok {
			return Rating{}, ErrClosed
		}
		agent = a
	}
	now := s.now().UTC().Truncate(time.Second)
	r := Rating{ParcelID: sub.ParcelID, CaseNumber: sub.CaseNumber, AgentID: agent, Score: score, Comment: comment, CreatedAt: now, UpdatedAt: now}
	err := s.db.WriteTx(ctx, func(tx store.Tx) error {
		var created time.Time
		err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT created_at FROM ratings WHERE parcel_id = ? AND case_number = ? AND brand_id = ?`),
			sub.ParcelID, sub.CaseNumber, sub.BrandID).Scan(&created)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO ratings (brand_id, parcel_id, case_number, agent_id, score, comment,
				origin_country, destination_country, region, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
				sub.BrandID, sub.ParcelID, sub.CaseNumber, store.Int64Arg(agent), score, comment,
				sub.OriginCountry, sub.DestinationCountry, sub.Region, now, now)
			return err
		case err != nil:
			return err
		}
		r.CreatedAt = created.UTC()
		if !r.Changeable(now) {
			return ErrClosed
		}
		_, err = tx.ExecContext(ctx, s.db.Rebind(`UPDATE ratings SET score = ?, comment = ?, agent_id = ?, updated_at = ?
			WHERE parcel_id = ? AND case_number = ? AND brand_id = ?`), score, comment, store.Int64Arg(agent), now,
			sub.ParcelID, sub.CaseNumber, sub.BrandID)
		return err
	})
	if errors.Is(err, ErrClosed) {
		return Rating{}, err
	}
	if err != nil {
		return Rating{}, fmt.Errorf("rate %s: %w", sub.ParcelID, err)
	}
	return r, nil
}

// Group is the CSAT of one brand, post, region or agent: the share of ratings of 4 or 5, the
// mean score and the count.
type Group struct {
	Key, Name string // the brand id, country, region or agent id; its name where known
	Ratings   int
	Satisfied int // ratings of 4 or 5
	Sum       int
}

// CSAT is the share of satisfied ratings (0 to 1; NaN-free: 0 with no ratings).
func (g Group) CSAT() float64 {
	if g.Ratings == 0 {
		return 0
	}
	return float64(g.Satisfied) / float64(g.Ratings)
}

// Mean is the mean score (0 with no ratings).
func (g Group) Mean() float64 {
	if g.Ratings == 0 {
		return 0
	}
	return float64(g.Sum) / float64(g.Ratings)
}

// Summary is CSAT over a period, by what ratings are credited to. Deliveries are the parcels'
// ratings (brand, post, region); Service the resolved cases' ratings (brand, agent).
type Summary struct {
	Delivery, Service      Group
	Brands, Posts, Regions []Group // delivery ratings
	ServiceBrands, Agents  []Group // case ratings
}

// Summary reads CSAT of the ratings given or changed in [from, to) within scope.
func (s *Service) Summary(ctx context.Context, scope access.Scope, from, to time.Time) (Summary, error) {
	where, args := scope.SQL("r.brand_id", "r.origin_country", "r.destination_country")
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT r.brand_id, b.name, r.case_number <> '', r.destination_country,
		r.region, COALESCE(u.email, ''), COALESCE(r.agent_id, 0), r.score
		FROM ratings r JOIN brands b ON b.id = r.brand_id LEFT JOIN users u ON u.id = r.agent_id
		WHERE `+where+` AND r.updated_at >= ? AND r.updated_at < ?`), append(args, from.UTC(), to.UTC())...)
	if err != nil {
		return Summary{}, fmt.Errorf("csat: %w", err)
	}
	defer rows.Close()
	var sum Summary
	type acc struct {
		list *[]Group
		idx  map[string]int
	}
	accs := map[*[]Group]*acc{}
	add := func(list *[]Group, key, name string, score int) {
		a := accs[list]
		if a == nil {
			a = &acc{list: list, idx: map[string]int{}}
			accs[list] = a
		}
		i, ok := a.idx[key]
		if !ok {
			i = len(*list)
			a.idx[key] = i
			*list = append(*list, Group{Key: key, Name: name})
		}
		(*list)[i].add(score)
	}
	for rows.Next() {
		var brand, agent int64
		var brandName, dest, region, email string
		var isCase bool
		var score int
		if err := rows.Scan(&brand, &brandName, &isCase, &dest, &region, &email, &agent, &score); err != nil {
			return Summary{}, fmt.Errorf("csat: %w", err)
		}
		bkey := fmt.Sprint(brand)
		if isCase {
			sum.Service.add(score)
			add(&sum.ServiceBrands, bkey, brandName, score)
			if agent != 0 {
				add(&sum.Agents, fmt.Sprint(agent), email, score)
			}
			continue
		}
		sum.Delivery.add(score)
		add(&sum.Brands, bkey, brandName, score)
		add(&sum.Posts, dest, dest, score)
		add(&sum.Regions, region, region, score)
	}
	return sum, rows.Err()
}

func (g *Group) add(score int) {
	g.Ratings++
	g.Sum += score
	if score >= 4 {
		g.Satisfied++
	}
}
