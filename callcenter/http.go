package callcenter

import (
	"github.com/gofiber/fiber/v2"
)

// Routes mounts the call center's API on r (authenticated under /api/ by the portal): agents'
// state and SIP account, preview calls (the call log: package calllogapi; telephony settings:
// package telephonyadmin).
func Routes(r fiber.Router, c *Center) {
	agentRoutes(r, c)
	softphoneRoutes(r, c)
}
