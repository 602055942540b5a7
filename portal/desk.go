package portal

import (
	"encoding/json"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
)

// deskPage is the agent desktop's own data; everything live (state, queue, calls, the
// screen pop) comes over the softphone's WebSocket (GET /api/v1/agent/softphone, mounted by
// callcenter) once the page's script runs.
type deskPage struct {
	BrandsJSON string // [{"id":1,"name":"..."}] for the dial box
	// Click-to-call: /desk?call=+7...&parcel=RB...&brand=1 fills the dial box.
	CallTo, CallParcel, CallBrand string
}

// deskRoutes serve the agent desktop:
//
//	GET /desk[?call=&parcel=&brand=]   agents and supervisors (admins too)
func deskRoutes(app *fiber.App, d Deps) {
	app.Get("/desk", requirePage(d, access.RoleAgent, access.RoleSupervisor), func(c *fiber.Ctx) error {
		sess := pageSession(c)
		type brand struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		}
		list := []brand{}
		if d.Access != nil {
			bs, err := d.Access.Brands(c.UserContext(), access.ScopeOf(&sess.User))
			if err != nil {
				return err
			}
			for _, b := range bs {
				list = append(list, brand{ID: b.ID, Name: b.Name})
			}
		}
		js, err := json.Marshal(list)
		if err != nil {
			return err
		}
		p := deskPage{BrandsJSON: string(js), CallTo: c.Query("call"), CallParcel: c.Query("parcel")}
		if b, err := strconv.ParseInt(c.Query("brand"), 10, 64); err == nil {
			p.CallBrand = strconv.FormatInt(b, 10)
		}
		return render(c, d, "desk.html", "desk.title", p)
	})
}
