package dialer

import (
	"context"
	"fmt"
	"time"

	"github.com/wismo/wismo/store"
)

// providerKey names one sent part at its provider.
type providerKey struct{ provider, id string }

// Receipt states as wismo stores them.
const (
	ReceiptDelivered = "delivered"
	ReceiptFailed    = "failed"
	ReceiptPending   = "pending" // intermediate (accepted, en route): logged only
)

// HandleReceipt stores a delivery receipt and applies it to its contact: delivered once
// every part is, failed as soon as one part is. A receipt may arrive before the contact's
// provider ids are recorded (the SMSC answers submit_sm and sends the receipt in the same
// breath); it waits in the receipts table until they are, and the sweep applies it then.
// Receipts are idempotent: the same receipt twice changes nothing more. While the dialer
// runs, receipts arriving together are stored in one transaction; HandleReceipt returns
// once its own is committed.
func (s *Service) HandleReceipt(ctx context.Context, provider, messageID, state, detail string) error {
	r := receipt{provider: provider, id: messageID, state: state, detail: detail, done: make(chan error, 1)}
	s.receiptsMu.Lock()
	in := s.receiptsIn
	s.receiptsMu.Unlock()
	if in == nil {
		return s.storeReceipts(ctx, []receipt{r})
	}
	select {
	case in <- r:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// receipt is one receipt on its way to the database.
type receipt struct {
	provider, id, state, detail string
	done                        chan error
}

// runReceipts stores receipts in batches until ctx ends.
func (s *Service) runReceipts(ctx context.Context) {
	in := make(chan receipt, 256)
	s.receiptsMu.Lock()
	s.receiptsIn = in
	s.receiptsMu.Unlock()
	defer func() {
		s.receiptsMu.Lock()
		s.receiptsIn = nil
		s.receiptsMu.Unlock()
	}()
	for {
		var batch []receipt
		select {
		case <-ctx.Done():
			return
		case r := <-in:
			batch = append(batch, r)
		}
	more:
		for len(batch) < 500 {
			select {
			case r := <-in:
				batch = append(batch, r)
			default:
				break more
			}
		}
		err := s.storeReceipts(context.WithoutCancel(ctx), batch)
		for _, r := range batch {
			r.done <- err
		}
	}
}

// storeReceipts inserts receipts and applies those whose contact is known, in one transaction.
func (s *Service) storeReceipts(ctx context.Context, batch []receipt) error {
	now := s.now()
	return s.writeTx(ctx, func(tx store.Tx) error {
		err := s.db.BulkExec(ctx, tx, `INSERT INTO receipts (provider, message_id, state, error, received_at)`, "", 5, len(batch), nil,
			func(i int, dst []any) []any {
				r := batch[i]
				return append(dst, r.provider, r.id, r.state, r.detail, now)
			})
		if err != nil {
			return fmt.Errorf("store receipts: %w", err)
		}
		keys := make([]providerKey, len(batch))
		for i, r := range batch {
			keys[i] = providerKey{r.provider, r.id}
		}
		return s.applyReceipts(ctx, tx, keys, now)
	})
}

// applyReceipts applies the unapplied receipts of the given parts whose contact is known.
func (s *Service) applyReceipts(ctx context.Context, tx store.Tx, keys []providerKey, now time.Time) error {
	want := map[providerKey]bool{}
	var ids []any
	for _, k := range keys {
		if !want[k] {
			want[k] = true
			ids = append(ids, k.id)
		}
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		if err := s.applyWhere(ctx, tx, `r.message_id IN (`+marks(len(chunk))+`)`, chunk, want, now); err != nil {
			return err
		}
	}
	return nil
}

// applyPendingReceipts applies every waiting receipt whose contact is known by now (sweep).
func (s *Service) applyPendingReceipts(ctx context.Context) error {
	return s.writeTx(ctx, func(tx store.Tx) error {
		return s.applyWhere(ctx, tx, "1=1", nil, nil, s.now())
	})
}

type pendingReceipt struct {
	id         int64
	key        providerKey
	state, err string
	contact    int64
	part       int
}

func (s *Service) applyWhere(ctx context.Context, tx store.Tx, where string, args []any, want map[providerKey]bool, now time.Time) error {
	rows, err := tx.QueryContext(ctx, s.db.Rebind(`SELECT r.id, r.provider, r.message_id, r.state, r.error, m.contact_id, m.part
		FROM receipts r JOIN provider_messages m ON m.provider = r.provider AND m.message_id = r.message_id
		WHERE r.applied_at IS NULL AND `+where+` ORDER BY r.id LIMIT 5000`), args...)
	if err != nil {
		return fmt.Errorf("pending receipts: %w", err)
	}
	var list []pendingReceipt
	for rows.Next() {
		var p pendingReceipt
		if err := rows.Scan(&p.id, &p.key.provider, &p.key.id, &p.state, &p.err, &p.contact, &p.part); err != nil {
			rows.Close()
			return err
		}
		if want == nil || want[p.key] {
			list = append(list, p)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var logs []logRow
	for _, p := range list {
		if p.state != ReceiptPending {
			if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE provider_messages SET state = ? WHERE provider = ? AND message_id = ?`),
				p.state, p.key.provider, p.key.id); err != nil {
				return fmt.Errorf("apply receipt: %w", err)
			}
			if err := s.settleFromParts(ctx, tx, p.contact, p.err, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE receipts SET applied_at = ? WHERE id = ?`), now, p.id); err != nil {
			return fmt.Errorf("apply receipt: %w", err)
		}
		logs = append(logs, logRow{contact: p.contact, at: now, kind: "receipt", pid: p.key.id,
			detail: fmt.Sprintf("part %d %s %s", p.part, p.state, p.err)})
	}
	return s.writeLog(ctx, tx, logs)
}

// settleFromParts sets a contact delivered when all its parts are, failed when one is. A
// receipt for a contact listed unknown proves it went out.
func (s *Service) settleFromParts(ctx context.Context, tx store.Tx, contact int64, detail string, now time.Time) error {
	var total, delivered, failed int
	if err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN state = 'delivered' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0) FROM provider_messages WHERE contact_id = ?`), contact).
		Scan(&total, &delivered, &failed); err != nil {
		return fmt.Errorf("receipt parts: %w", err)
	}
	var st Status
	switch {
	case failed > 0:
		st = StatusFailed
	case delivered == total:
		st = StatusDelivered
	default:
		return nil
	}
	_, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE contacts SET status = ?, detail = ?, done_at = ?, updated_at = ?
		WHERE id = ? AND status IN ('sending', 'sent', 'unknown', 'delivered')`), string(st), detail, now, now, contact)
	if err != nil {
		return fmt.Errorf("settle contact %d: %w", contact, err)
	}
	s.sent.WithLabelValues(string(SMS), string(st)).Inc()
	return nil
}
