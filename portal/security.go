package portal

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

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
