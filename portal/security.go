package portal

import (
	"crypto/subtle"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// ContentSecurityPolicy is sent with every answer (issue 13, defect 10). Pages load scripts,
// styles, images, media (call recordings) and connections (fetch, Server-Sent Events, the
// softphone's WebSocket: CSP Level 3 lets 'self' match ws: and wss: of the same host) from
// wismo itself only; no inline script or style runs, so an injected one would not either. No
// other site may frame a page (clickjacking), no plugin runs, <base> cannot move relative
// links, and forms post to wismo only.
const ContentSecurityPolicy = "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every answer carries. A handler that sets its own
// Content-Security-Policy (a page with hashed inline code) keeps it.
func securityHeaders(c *fiber.Ctx) {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("X-Frame-Options", "DENY") // frame-ancestors for browsers before CSP Level 2
	if len(c.Response().Header.Peek(fiber.HeaderContentSecurityPolicy)) == 0 {
		c.Set(fiber.HeaderContentSecurityPolicy, ContentSecurityPolicy)
	}
}

// clientAddrHeader carries, inside the server only, the client address a trusted proxy
// forwarded: fiber's c.IP() reads it (Config.ProxyHeader) for requests from trusted proxies,
// so that every handler, the login and form limits included, sees the real client.
const clientAddrHeader = "X-Wismo-Client-Addr"

// clientAddr works out the client address of a request that came through trusted proxies.
// Proxies append the address they received a request from to X-Forwarded-For, so the list's
// right end is written by our proxies and its left end by whoever sent the request: walking
// from the right, the first address that is not a trusted proxy is the client. (Fiber's own
// reading takes the leftmost entry, which a client behind the proxy chooses.)
func clientAddr(trusted []netip.Prefix) fiber.Handler {
	return func(c *fiber.Ctx) error {
		h := &c.Request().Header
		h.Del(clientAddrHeader) // never from outside
		if len(trusted) > 0 && c.IsProxyTrusted() {
			peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
			h.Set(clientAddrHeader, forwardedClient(h.PeekAll(fiber.HeaderXForwardedFor), peer.Unmap(), trusted).String())
		}
		return c.Next()
	}
}

// forwardedClient is the rightmost address of X-Forwarded-For that is not a trusted proxy;
// the nearest trusted hop when every entry is trusted or an entry is not an address.
func forwardedClient(headers [][]byte, peer netip.Addr, trusted []netip.Prefix) netip.Addr {
	var hops []string
	for _, v := range headers {
		hops = append(hops, strings.Split(string(v), ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(strings.TrimSpace(hops[i]))
		if !ok {
			break
		}
		client = a
		if !isTrusted(a, trusted) {
			break
		}
	}
	return client
}

// parseHop reads one X-Forwarded-For entry: an address, with or without a port.
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// metricsAccess guards /metrics. With a token set, a scraper must send it as a Bearer token.
// Without one, only this machine may read them: a request from a loopback address that no
// proxy forwarded (a proxy on the same host would otherwise hand them to anyone).
func metricsAccess(token string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if token != "" {
			got, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(token)) != 1 {
				c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="wismo metrics"`)
				return fiber.NewError(fiber.StatusUnauthorized, `the metrics need "Authorization: Bearer <token>" with the token of WISMO_METRICS_TOKEN`)
			}
			return c.Next()
		}
		peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
		forwarded := c.Get(fiber.HeaderXForwardedFor) != "" || c.Get(fiber.HeaderForwarded) != "" || c.Get("X-Real-IP") != ""
		if !peer.Unmap().IsLoopback() || forwarded {
			return fiber.NewError(fiber.StatusForbidden, "the metrics are open to this machine only: set WISMO_METRICS_TOKEN to scrape them from elsewhere with a Bearer token")
		}
		return c.Next()
	}
}
