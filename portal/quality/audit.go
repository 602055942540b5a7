package quality

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/recordings"
)

type auditPage struct {
	Frame
	Recording int64
	Entries   []auditRow
}

type auditRow struct {
	recordings.AuditEntry
	Who string
}

// audit is /quality/audit: who played, downloaded or exported which recording when (the
// brand's rows only), newest first; a call's export link beside each row.
func (p *pages) audit(c *fiber.Ctx) error {
	f, err := p.frameOf(c, "audit")
	if err != nil {
		return err
	}
	d := auditPage{Frame: f}
	d.Recording, _ = strconv.ParseInt(c.Query("recording"), 10, 64)
	list, err := p.o.Reviews.AuditLog(c.UserContext(), access.Brands(f.Brand.ID), d.Recording, 300)
	if err != nil {
		return err
	}
	l := p.loc(c)
	for _, e := range list {
		who := strings.TrimPrefix(e.Detail, "user:")
		if e.UserID == 0 && e.Detail == "" {
			who = l.T("q.system")
		}
		d.Entries = append(d.Entries, auditRow{AuditEntry: e, Who: who})
	}
	return p.render(c, "quality_audit.html", "q.audit", d)
}
