// Package portal is wismo's web face: the fiber app that serves the JSON API, health and
// metrics endpoints and the pages (public tracking page, agent desktop, editors and
// dashboards grow here). Domains mount their own routes; portal assembles them.
package portal

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/reports"
	"github.com/wismo/wismo/search"
	"github.com/wismo/wismo/tracking"
)

// Pinger reports whether a dependency (the database) answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// JobStates reports this node's background jobs that are down (stopped unexpectedly and
// waiting to be restarted): /readyz answers 503 naming them.
type JobStates interface {
	Down() []string
}

// Deps are the services the portal serves.
type Deps struct {
	Log *slog.Logger
	DB  Pinger
	// Jobs reports background jobs that are down (nil: /readyz checks the database only).
	Jobs     JobStates
	Access   *access.Service
	Cases    *tracking.Service
	Registry *prometheus.Registry
	// SecureCookies marks session cookies Secure (when serving HTTPS).
	SecureCookies bool
	// PublicURL is where users reach wismo, for links on pages.
	PublicURL string
	// DemoHints, when set, is shown on the home page (demo logins and parcels).
	DemoHints *DemoHints
	// Dashboard reads the supervisor dashboard's live view and KPIs (dashboard*.go); nil
	// answers /dashboard with 503.
	Dashboard *reports.Dashboard
	// Comms reads a parcel's calls, SMS and e-mails for the public tracking page (nil: the
	// page shows none).
	Comms CommsHistory
	// CaseDesk opens the cases the tracking page's forms ask for (nil: no forms).
	CaseDesk CaseDesk
	// Days lists the days a parcel may be moved to and records the customer's choice on the
	// tracking page (nil: no such block).
	Days DeliveryDays
	// Requests lists the customer's requests (cases) on the tracking page (nil: none).
	Requests RequestHistory
	// FeedbackLimits bound the tracking page's form posts per IP and per parcel, in memory
	// on each node (zero: DefaultFeedbackLimits).
	FeedbackLimits FeedbackLimits
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is believed: c.IP() is the
	// client they name for requests from them, and the peer's address for everyone else.
	TrustedProxies []netip.Prefix
	// MetricsToken, when set, is the Bearer token /metrics asks for; when empty, /metrics
	// answers requests from this machine only (loopback, not forwarded by a proxy).
	MetricsToken string
	// TimeZone is the deployment's zone, for staff who have not chosen their own (nil:
	// Europe/Moscow).
	TimeZone *time.Location
	// IdleTimeout closes a keep-alive connection that sends no next request (0: 60 s).
	IdleTimeout time.Duration
	// TrackCache keeps rendered tracking pages on this node (nil: every view is rendered);
	// the wiring drops the pages of parcels that change.
	TrackCache *TrackCache
	// Search is the one search box's page, /search (nil: the page says search is not available).
	Search *search.Search
	// DeadLetters lists, retries and discards the outbox messages consumers set aside
	// (deadletters.go; nil: the API and page answer 503).
	DeadLetters DeadLetters
	// Routes mount other domains' routes and pages. Requests under /api/ reach them
	// authenticated (access.PrincipalOf); other paths are public unless the domain checks.
	Routes []func(r fiber.Router)
}

// DefaultIdleTimeout closes an idle keep-alive connection: a browser opens a new one when it
// needs one, and an idle connection holds a file descriptor and a slot of the caps.
const DefaultIdleTimeout = 60 * time.Second

// DemoHints tells a first-time user what to try.
type DemoHints struct {
	Parcels []DemoParcel
	Logins  []string
}

// DemoParcel is a demo parcel and the API key of the brand it belongs to.
type DemoParcel struct {
	ID, APIKey string
}

// New returns the fiber app with every route mounted.
func New(d Deps) *fiber.App {
	idle := d.IdleTimeout
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	proxies := make([]string, len(d.TrustedProxies))
	for i, p := range d.TrustedProxies {
		proxies[i] = p.String()
	}
	app := fiber.New(fiber.Config{
		AppName:               "wismo",
		DisableStartupMessage: true,
		BodyLimit:             64 << 20,
		// A connection has ReadTimeout to send a whole request, its first one included: a
		// client that connects and says nothing, or trickles its headers, is cut off.
		ReadTimeout:  30 * time.Second,
		WriteTimeout: 60 * time.Second,
		IdleTimeout:  idle,
		ErrorHandler: errorHandler(d.Log),
		// X-Forwarded-* are believed from the trusted proxies only (c.IP, c.Hostname,
		// c.Protocol); clientAddr puts the client they name where c.IP() reads it.
		EnableTrustedProxyCheck: true,
		TrustedProxies:          proxies,
		ProxyHeader:             clientAddrHeader,
		EnableIPValidation:      true,
	})
	app.Use(clientAddr(d.TrustedProxies))
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wismo_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "status"})
	if d.Registry != nil {
		d.Registry.MustRegister(requests)
	}
	app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: func(c *fiber.Ctx, e any) {
		d.Log.Error("panic in handler", "path", c.Path(), "panic", e)
	}}))
	app.Use(func(c *fiber.Ctx) error {
		began := time.Now()
		err := c.Next()
		// The handler's own time, for browsers' developer tools and the benchmarks (which
		// report server time beside the round trip): Server-Timing (W3C), milliseconds.
		c.Set("Server-Timing", "app;dur="+strconv.FormatFloat(float64(time.Since(began).Microseconds())/1000, 'f', 2, 64))
		status := c.Response().StatusCode()
		if err != nil {
			var fe *fiber.Error
			status = fiber.StatusInternalServerError
			if errors.As(err, &fe) {
				status = fe.Code
			}
		}
		requests.WithLabelValues(c.Route().Path, strconv.Itoa(status)).Inc()
		securityHeaders(c)
		return err
	})

	app.Get("/healthz", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Get("/readyz", func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
		defer cancel()
		if err := d.DB.Ping(ctx); err != nil {
			d.Log.Warn("not ready", "err", err)
			return c.Status(fiber.StatusServiceUnavailable).SendString("database unreachable")
		}
		// A job that stopped leaves the node serving HTTP but not doing its work (SIP not
		// answering, rules not running): a load balancer should prefer another node. The
		// supervisor logs the reasons; this public answer names the jobs only.
		if d.Jobs != nil {
			if down := d.Jobs.Down(); len(down) > 0 {
				return c.Status(fiber.StatusServiceUnavailable).SendString("background jobs down: " + strings.Join(down, ", "))
			}
		}
		return c.SendString("ready")
	})
	if d.Registry != nil {
		app.Get("/metrics", metricsAccess(d.MetricsToken), adaptor.HTTPHandler(promhttp.HandlerFor(d.Registry, promhttp.HandlerOpts{})))
	}
	app.Get("/", home(d))
	mountStatic(app)
	trackRoutes(app, d)
	loginRoutes(app, d)
	deskRoutes(app, d)
	dashboardRoutes(app, d)
	searchRoutes(app, d)
	settingsRoutes(app, d)

	access.SessionRoutes(app, d.Access, d.SecureCookies)
	domains := app.Group("", apiAuth(d.Access))
	tracking.Routes(domains, d.Cases)
	for _, mount := range d.Routes {
		mount(domains)
	}
	deadLetterRoutes(app, domains, d)
	return app
}

// apiAuth authenticates /api/ requests and leaves the rest to the routes after it.
func apiAuth(svc *access.Service) fiber.Handler {
	auth := access.Authenticate(svc)
	return func(c *fiber.Ctx) error {
		if strings.HasPrefix(c.Path(), "/api/") {
			return auth(c)
		}
		return c.Next()
	}
}
