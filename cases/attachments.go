package cases

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
)

// MaxAttachmentBytes bounds one attachment. Attachments are stored in the database rather
// than the data dir: API nodes stay stateless over a shared PostgreSQL, backups hold
// everything, and photos of damaged parcels and PDFs of receipts are small.
const MaxAttachmentBytes = 10 << 20

// allowedAttachmentTypes are the content types accepted, as sniffed from the bytes (never
// as declared by the client): photos, PDFs and plain text.
var allowedAttachmentTypes = map[string]string{
	"image/jpeg":                ".jpg",
	"image/png":                 ".png",
	"image/gif":                 ".gif",
	"image/webp":                ".webp",
	"application/pdf":           ".pdf",
	"text/plain; charset=utf-8": ".txt",
}

// AttachmentView describes a stored attachment.
type AttachmentView struct {
	ID          int64     `json:"id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Actor       string    `json:"actor,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// Attachment is an attachment with its bytes.
type Attachment struct {
	AttachmentView
	Data []byte
}

// sniffAttachment returns the content type of data if it is allowed.
func sniffAttachment(data []byte) (string, error) {
	if len(data) == 0 {
		return "", fmt.Errorf("empty file: %w", ErrAttachmentType)
	}
	if len(data) > MaxAttachmentBytes {
		return "", fmt.Errorf("%d bytes, at most %d: %w", len(data), MaxAttachmentBytes, ErrAttachmentTooBig)
	}
	ct := http.DetectContentType(data)
	if _, ok := allowedAttachmentTypes[ct]; !ok {
		return "", fmt.Errorf("the content is %s; allowed are JPEG, PNG, GIF, WebP, PDF and UTF-8 text: %w", ct, ErrAttachmentType)
	}
	return ct, nil
}

// cleanFilename keeps a file's base name, printable and short, with an extension that
// matches its sniffed type.
func cleanFilename(name, contentType string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) || r == '"' || r == '/' {
			return '_'
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 120 {
		name = string(r[:120])
	}
	ext := allowedAttachmentTypes[contentType]
	if name == "" || name == "." || name == ".." {
		name = "attachment"
	}
	if !strings.EqualFold(path.Ext(name), ext) && !(ext == ".jpg" && strings.EqualFold(path.Ext(name), ".jpeg")) {
		name += ext
	}
	return name
}

// AddAttachment stores a file on a case after checking its size and sniffed type.
func (s *CaseService) AddAttachment(ctx context.Context, scope access.Scope, actor Actor, number string, brandID int64, filename string, data []byte) (AttachmentView, error) {
	ct, err := sniffAttachment(data)
	if err != nil {
		return AttachmentView{}, err
	}
	sum := sha256.Sum256(data)
	v := AttachmentView{Filename: cleanFilename(filename, ct), ContentType: ct, Size: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]), Actor: actor.Label}
	_, err = s.change(ctx, scope, number, brandID, func(tx store.Tx, c *Case, cfg SLAConfig, now time.Time) ([]logEntry, []outbox.Entry, error) {
		v.CreatedAt = now
		if err := tx.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO case_attachments (case_id, filename, content_type, size, sha256,
			data, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), c.ID, v.Filename, v.ContentType, v.Size,
			v.SHA256, data, v.Actor, now).Scan(&v.ID); err != nil {
			return nil, nil, fmt.Errorf("store attachment: %w", err)
		}
		return []logEntry{{At: now, Kind: "attachment", Actor: actor.Label,
			Summary: fmt.Sprintf("attached %s (%s, %d bytes)", v.Filename, v.ContentType, v.Size)}}, nil, nil
	})
	return v, err
}

// Attachment returns an attachment of a case visible to scope.
func (s *CaseService) Attachment(ctx context.Context, scope access.Scope, number string, brandID, id int64) (*Attachment, error) {
	c, err := caseByNumber(ctx, s.db, s.db.SQL, scope, number, brandID, false)
	if err != nil {
		return nil, err
	}
	var a Attachment
	err = s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT id, filename, content_type, size, sha256, actor, created_at, data
		FROM case_attachments WHERE id = ? AND case_id = ?`), id, c.ID).Scan(&a.ID, &a.Filename, &a.ContentType, &a.Size,
		&a.SHA256, &a.Actor, &a.CreatedAt, &a.Data)
	if isNoRows(err) {
		return nil, fmt.Errorf("attachment %d of case %s: %w", id, number, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("attachment %d: %w", id, err)
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}

// attachments lists a case's attachments (without their bytes).
func (s *CaseService) attachments(ctx context.Context, caseID int64) ([]AttachmentView, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT id, filename, content_type, size, sha256, actor, created_at
		FROM case_attachments WHERE case_id = ? ORDER BY id`), caseID)
	if err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	defer rows.Close()
	var out []AttachmentView
	for rows.Next() {
		var v AttachmentView
		if err := rows.Scan(&v.ID, &v.Filename, &v.ContentType, &v.Size, &v.SHA256, &v.Actor, &v.CreatedAt); err != nil {
			return nil, err
		}
		v.CreatedAt = v.CreatedAt.UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}
