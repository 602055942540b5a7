package tracking

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/store"
)

const parcelCols = `id, brand_id, origin_country, destination_country, service_level, kind, weight_g, cod_minor,
	cod_currency, declared_minor, declared_currency, contents, sender, recipient_name, recipient_phone,
	recipient_email, recipient_address, recipient_region, recipient_language, time_zone, time_zone_rule,
	promised_date, phase, phase_at, is_returning, last_event_at, posted_at, delivered_at, fingerprint, created_at, updated_at`

const parcelColCount = 31

// fingerprint hashes everything an integrator sends about a parcel, so an upsert of the same
// data is a duplicate and a changed one an update.
func (p *Parcel) fingerprint() string {
	b, _ := json.Marshal(struct {
		O, D     string
		S        ServiceLevel
		K        Kind
		W        int
		C, V     *Money
		Contents []ContentItem
		Sender   Party
		R        Recipient
	}{p.OriginCountry, p.DestinationCountry, p.ServiceLevel, p.Kind, p.WeightGrams, p.COD, p.DeclaredValue, p.Contents, p.Sender, p.Recipient})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16])
}

func moneyArgs(m *Money) (any, string) {
	if m == nil {
		return nil, ""
	}
	return m.Minor, m.Currency
}

// shopData is the values of the columns a shop's upsert sets, from origin_country to
// promised_date, in parcelCols order.
func shopData(p *Parcel) []any {
	contents, _ := json.Marshal(p.Contents)
	if p.Contents == nil {
		contents = []byte("[]")
	}
	sender, _ := json.Marshal(p.Sender)
	codMinor, codCur := moneyArgs(p.COD)
	decMinor, decCur := moneyArgs(p.DeclaredValue)
	r := p.Recipient
	return []any{p.OriginCountry, p.DestinationCountry, string(p.ServiceLevel), string(p.Kind), p.WeightGrams,
		codMinor, codCur, decMinor, decCur, string(contents), string(sender), r.Name, r.Phone, r.Email, r.Address, r.Region,
		r.Language, r.TimeZone, string(r.ZoneRule), p.PromisedDate}
}

func parcelArgs(p *Parcel, fp string) []any {
	args := append([]any{p.ID, p.BrandID}, shopData(p)...)
	return append(args, string(p.Phase), store.TimeArg(p.PhaseAt), p.Returning, store.TimeArg(p.LastEventAt), store.TimeArg(p.PostedAt),
		store.TimeArg(p.DeliveredAt), fp, p.CreatedAt, p.UpdatedAt)
}

func insertParcels(ctx context.Context, db *store.DB, q store.Tx, parcels []*Parcel) error {
	casts := make([]string, parcelColCount)
	casts[7], casts[9] = "bigint", "bigint"
	casts[11], casts[12] = "jsonb", "jsonb"
	casts[23], casts[25], casts[26], casts[27] = "timestamptz", "timestamptz", "timestamptz", "timestamptz"
	err := db.BulkExec(ctx, q, `INSERT INTO parcels (`+parcelCols+`)`, "", parcelColCount, len(parcels), casts,
		func(i int, dst []any) []any { return append(dst, parcelArgs(parcels[i], parcels[i].fingerprint())...) })
	if err != nil {
		return fmt.Errorf("insert parcels: %w", err)
	}
	return nil
}

// updateParcelData stores new shop data of an existing parcel; the tracking state is kept.
func updateParcelData(ctx context.Context, db *store.DB, q store.Tx, p *Parcel) error {
	args := append(shopData(p), p.fingerprint(), p.UpdatedAt, p.ID)
	_, err := q.ExecContext(ctx, db.Rebind(`UPDATE parcels SET origin_country = ?, destination_country = ?, service_level = ?,
		kind = ?, weight_g = ?, cod_minor = ?, cod_currency = ?, declared_minor = ?, declared_currency = ?, contents = ?,
		sender = ?, recipient_name = ?, recipient_phone = ?, recipient_email = ?, recipient_address = ?, recipient_region = ?,
		recipient_language = ?, time_zone = ?, time_zone_rule = ?, promised_date = ?, fingerprint = ?, updated_at = ?
		WHERE id = ?`), args...)
	if err != nil {
		return fmt.Errorf("update parcel %s: %w", p.ID, err)
	}
	return nil
}

// readParcel returns a parcel visible to scope.
func ReadParcel(ctx context.Context, db *store.DB, q store.Tx, scope access.Scope, id string) (*Parcel, error) {
	where, args := scope.SQL("brand_id", "origin_country", "destination_country")
	rows, err := q.QueryContext(ctx, db.Rebind(`SELECT `+parcelCols+` FROM parcels WHERE id = ? AND `+where), append([]any{id}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("read parcel %s: %w", id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read parcel %s: %w", id, err)
		}
		return nil, fmt.Errorf("parcel %s: %w", id, ErrNotFound)
	}
	p, err := scanParcel(rows)
	if err != nil {
		return nil, fmt.Errorf("read parcel %s: %w", id, err)
	}
	return p, nil
}

func scanParcel(rows *sql.Rows) (*Parcel, error) {
	var p Parcel
	var codMinor, decMinor sql.NullInt64
	var codCur, decCur, contents, sender, zoneRule string
	var phaseAt, last, posted, delivered sql.NullTime
	r := &p.Recipient
	err := rows.Scan(&p.ID, &p.BrandID, &p.OriginCountry, &p.DestinationCountry, &p.ServiceLevel, &p.Kind, &p.WeightGrams,
		&codMinor, &codCur, &decMinor, &decCur, &contents, &sender, &r.Name, &r.Phone, &r.Email, &r.Address, &r.Region,
		&r.Language, &r.TimeZone, &zoneRule, &p.PromisedDate, &p.Phase, &phaseAt, &p.Returning, &last, &posted, &delivered,
		new(string), &p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return nil, err
	}
	r.ZoneRule = geo.ZoneRule(zoneRule)
	if codMinor.Valid {
		p.COD = &Money{Minor: codMinor.Int64, Currency: codCur}
	}
	if decMinor.Valid {
		p.DeclaredValue = &Money{Minor: decMinor.Int64, Currency: decCur}
	}
	if err := json.Unmarshal([]byte(contents), &p.Contents); err != nil {
		return nil, fmt.Errorf("contents: %w", err)
	}
	if err := json.Unmarshal([]byte(sender), &p.Sender); err != nil {
		return nil, fmt.Errorf("sender: %w", err)
	}
	p.PhaseAt, p.LastEventAt, p.PostedAt, p.DeliveredAt = store.TimePtr(phaseAt), store.TimePtr(last), store.TimePtr(posted), store.TimePtr(delivered)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return &p, nil
}

// attachOrphans gives a newly registered parcel the events that arrived before it: those
// pushed by its own brand, by operators, or by a post of its origin or destination country.
// Events claimed by another brand stay unattached.
func attachOrphans(ctx context.Context, db *store.DB, q store.Tx, p *Parcel) (int64, error) {
	res, err := q.ExecContext(ctx, db.Rebind(`UPDATE events SET brand_id = ? WHERE item_id = ? AND brand_id IS NULL AND (
		claim_brand_id = ? OR (claim_brand_id IS NULL AND post_id IS NULL)
		OR post_id IN (SELECT id FROM posts WHERE country IN (?, ?)))`),
		p.BrandID, p.ID, p.BrandID, p.OriginCountry, p.DestinationCountry)
	if err != nil {
		return 0, fmt.Errorf("attach early events of %s: %w", p.ID, err)
	}
	return res.RowsAffected()
}

// orphanItems returns which of ids have events not attached to any parcel.
func orphanItems(ctx context.Context, db *store.DB, q store.Tx, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := store.InChunks(db, ids, func(list string, args []any) error {
		rows, err := q.QueryContext(ctx, db.Rebind(`SELECT DISTINCT item_id FROM events WHERE brand_id IS NULL AND item_id IN (`+list+`)`), args...)
		if err != nil {
			return fmt.Errorf("find early events: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out[id] = true
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// transitDays returns the promised transit days for a brand and lane: the most specific
// override in transit_standards, else wismo's default for the service level.
func transitDays(ctx context.Context, db *store.DB, q store.Tx, brand int64, origin, dest string, lvl ServiceLevel) (int, error) {
	rows, err := q.QueryContext(ctx, db.Rebind(`SELECT days FROM transit_standards WHERE brand_id = ? AND service_level = ?
		AND origin_country IN (?, '') AND destination_country IN (?, '')
		ORDER BY (origin_country <> '') DESC, (destination_country <> '') DESC LIMIT 1`), brand, string(lvl), origin, dest)
	if err != nil {
		return 0, fmt.Errorf("transit standard: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		var d int
		if err := rows.Scan(&d); err != nil {
			return 0, err
		}
		return d, nil
	}
	if d, ok := postalReference().transit[lvl]; ok {
		return d, rows.Err()
	}
	return 0, errors.New("no transit standard for " + string(lvl))
}

// promisedDate adds working days (Monday to Friday) to the day of from in the recipient's zone.
func promisedDate(from time.Time, days int, zone string) string {
	loc, err := geo.LoadZone(zone)
	if err != nil {
		loc = time.UTC
	}
	d := from.In(loc)
	d = time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, loc)
	for added := 0; added < days; {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			added++
		}
	}
	return d.Format("2006-01-02")
}
