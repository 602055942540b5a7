package demo

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/wismo/wismo/tracking"
)

// article is a catalogue line: what customs sees in ITMATT.
type article struct {
	desc   string
	hs     string // six-digit HS code
	lo, hi int    // unit price range, in USD/EUR/GBP
	grams  int
	made   string // countries of manufacture
}

var fashion = []article{
	{"Women's cotton dress", "620442", 25, 120, 350, "TR IT CN"},
	{"Women's dress, synthetic fibres", "620443", 20, 90, 300, "CN TR"},
	{"Cotton T-shirt", "610910", 8, 35, 180, "TR BD CN"},
	{"Wool pullover", "611011", 40, 160, 450, "IT CN"},
	{"Knitted cotton cardigan", "611020", 25, 90, 380, "TR CN"},
	{"Women's cotton trousers", "620462", 25, 90, 450, "TR ES"},
	{"Women's cotton blouse", "620630", 20, 80, 200, "IT TR"},
	{"Leather ankle boots", "640399", 60, 250, 900, "IT ES"},
	{"Textile sneakers", "640411", 40, 140, 700, "CN VN"},
	{"Leather handbag", "420221", 50, 400, 800, "IT FR"},
	{"Silk scarf", "621410", 15, 120, 80, "IT FR"},
	{"Bra", "621210", 10, 50, 80, "PL CN"},
	{"Leather belt", "420330", 15, 80, 200, "IT ES"},
	{"Sunglasses", "900410", 20, 180, 60, "CN IT"},
	{"Imitation jewellery earrings", "711719", 5, 40, 30, "CN"},
}

var knitwear = []article{
	{"Hand-knitted wool sweater", "611011", 80, 260, 650, "NO IS LT"},
	{"Merino wool cardigan", "611011", 70, 220, 500, "LT PL"},
	{"Knitted wool hat", "650500", 20, 60, 100, "NO LT"},
	{"Wool mittens", "611691", 18, 55, 90, "NO IS"},
	{"Knitted wool scarf", "611710", 25, 90, 180, "LT PL"},
	{"Wool socks", "611594", 10, 30, 80, "NO PL"},
	{"Knitting yarn, 100% wool", "510910", 6, 25, 100, "NO PE"},
	{"Wool blanket", "630120", 70, 220, 1400, "LT"},
	{"Baby romper, knitted cotton", "611120", 20, 60, 150, "PL LT"},
}

var gadgets = []article{
	{"Smartphone", "851713", 150, 900, 400, "CN KR VN"},
	{"Wireless earbuds", "851830", 20, 250, 80, "CN VN"},
	{"Phone case, plastic", "420232", 5, 30, 50, "CN"},
	{"USB-C cable", "854442", 4, 20, 60, "CN"},
	{"USB wall charger", "850440", 10, 60, 120, "CN"},
	{"Power bank, lithium-ion", "850760", 15, 80, 300, "CN"},
	{"Smartwatch", "851762", 40, 400, 90, "CN KR"},
	{"Wireless keyboard", "847160", 20, 150, 600, "CN"},
	{"Computer mouse", "847160", 8, 80, 120, "CN"},
	{"microSD memory card", "852351", 6, 60, 5, "KR TW"},
	{"Bluetooth speaker", "851822", 20, 200, 700, "CN"},
	{"Tablet computer", "847130", 120, 800, 500, "CN VN"},
	{"Game controller", "950450", 25, 80, 300, "CN"},
	{"LED light bulbs", "853950", 8, 40, 250, "CN"},
}

// gen generates parcels deterministically: parcel i of a seed is always the same parcel, with
// the same history, whatever the batch size.
type gen struct {
	seed    int64
	now     time.Time
	world   *world
	pcg     *rand.PCG
	r       *rand.Rand
	mul     uint64 // serial = (mul*i + add) mod 1e8: a bijection, so a run never repeats an id
	add     uint64
	buf     []byte
	scans   []scan
	events  []tracking.EventInput
	senders map[*originCity]map[int]*tracking.Party
	t       time.Time // the history's clock
	speed   float64
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func newGen(seed int64, now time.Time) *gen {
	g := &gen{seed: seed, now: now, world: theWorld(), pcg: rand.NewPCG(0, 0),
		senders: map[*originCity]map[int]*tracking.Party{}}
	g.r = rand.New(g.pcg)
	g.mul = splitmix(uint64(seed)^0x5103) % 100000000
	g.mul |= 1
	if g.mul%5 == 0 {
		g.mul += 2
	}
	g.add = splitmix(uint64(seed)^0xa11ce) % 100000000
	return g
}

func (g *gen) reseed(i int) {
	s := uint64(g.seed)
	g.pcg.Seed(splitmix(s^splitmix(uint64(2*i))), splitmix(s+splitmix(uint64(2*i+1))))
}

func (g *gen) serial(i int) int { return int((g.mul*uint64(i) + g.add) % 100000000) }

// plan is one generated parcel and its history (events alias the generator's scratch space
// and are valid until the next call).
type plan struct {
	brand  int
	story  string
	parcel tracking.ParcelInput
	events []tracking.EventInput
}

// parcel generates parcel i of the run.
func (g *gen) parcel(i int) plan {
	g.reseed(i)
	r := g.r
	var s spec
	if i < len(forced) {
		s = forced[i]
	} else {
		s = g.randomSpec()
	}
	b := &brands[s.brand]
	origin := b.origins.pick(r)
	for origin == s.dest {
		origin = b.origins.pick(r)
	}
	oc := origins[origin][r.IntN(len(origins[origin]))]
	pl := g.place(s.dest)
	kind := tracking.KindPacket
	if r.IntN(100) < 30 {
		kind = tracking.KindParcel
	}
	p := tracking.ParcelInput{
		ID:                 tracking.MakeS10(g.prefix(s.level, kind), g.serial(i), origin),
		ServiceLevel:       string(s.level),
		Kind:               string(kind),
		OriginCountry:      origin,
		DestinationCountry: s.dest,
		Sender:             g.sender(s.brand, oc, origin),
	}
	grams := g.contents(&p, b.catalog, origin)
	switch {
	case kind == tracking.KindPacket && grams > tracking.MaxPacketGrams:
		grams = 1700 + r.IntN(301)
	case kind == tracking.KindParcel:
		grams += 300 + r.IntN(5000)
		if r.IntN(100) < 10 {
			grams += r.IntN(22000)
		}
		grams = min(grams, tracking.MaxParcelGrams)
	}
	p.WeightKg = float64(max(grams, 50)) / 1000
	codCountry := s.dest == "RU" || s.dest == "KZ" || s.dest == "BY"
	if codCountry && (s.cod == 1 || s.cod == 0 && r.IntN(100) < 35) {
		p.COD = codAmount(r, p.DeclaredValue, s.dest)
	}
	per := g.person(s.dest)
	p.Recipient = tracking.RecipientInput{Name: per.name, Email: g.email(per), Address: g.address(pl), Language: "en"}
	if codCountry {
		p.Recipient.Language = "ru"
	}
	if !s.noPhone {
		p.Recipient.Phone = g.phone(pl)
	}
	switch s.zone {
	case zoneAuto:
		p.Recipient.Region = pl.region
	case zoneGiven:
		p.Recipient.TimeZone = pl.zone
	}
	if i >= len(forced) {
		g.drawOutcome(&s, p.COD != nil)
	}
	return plan{brand: s.brand, story: s.story, parcel: p, events: g.history(&s, p.ID, oc, pl, p.COD != nil, per)}
}

// prefix chooses the S10 service indicator: EMS for premium, registered/tracked letter post
// or parcel post for standard, e-commerce or customs letter post for economy.
func (g *gen) prefix(lvl tracking.ServiceLevel, kind tracking.Kind) string {
	r := g.r
	const az = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	switch {
	case lvl == tracking.Premium:
		return "E" + string(az[r.IntN(23)]) // EA..EW: EX-EZ need bilateral agreements
	case lvl == tracking.Standard && kind == tracking.KindParcel:
		return "C" + string(az[r.IntN(21)]) // CA..CU
	case lvl == tracking.Standard && r.IntN(100) < 65:
		return "R" + string(az[r.IntN(26)])
	case lvl == tracking.Standard:
		return "L" + string(az[r.IntN(26)])
	case kind == tracking.KindPacket && r.IntN(2) == 0:
		return "U" + string(az[r.IntN(26)])
	}
	return "H" + string(az[r.IntN(26)])
}

func (g *gen) sender(brand int, oc *originCity, origin string) *tracking.Party {
	m := g.senders[oc]
	if m == nil {
		m = map[int]*tracking.Party{}
		g.senders[oc] = m
	}
	if p := m[brand]; p != nil {
		return p
	}
	b := &brands[brand]
	p := &tracking.Party{Name: b.name, Address: b.name + " fulfilment, " + oc.address, Country: origin, Email: b.mailbox + "@example.com"}
	m[brand] = p
	return p
}

// contents fills 1-4 ITMATT lines and the declared value, and returns the goods' weight.
func (g *gen) contents(p *tracking.ParcelInput, catalog []article, origin string) int {
	r := g.r
	cur := currencyOf[origin]
	n := 1
	switch x := r.IntN(100); {
	case x >= 95:
		n = 4
	case x >= 80:
		n = 3
	case x >= 50:
		n = 2
	}
	p.Contents = make([]tracking.ContentItem, n)
	var total int64
	grams := 40 + r.IntN(200)
	for k := range p.Contents {
		a := &catalog[r.IntN(len(catalog))]
		qty := 1
		if r.IntN(100) < 20 {
			qty = 2 + r.IntN(2)
		}
		unit := int64(a.lo+r.IntN(a.hi-a.lo+1))*100 - 1
		if cur == "PLN" {
			unit = unit*4 + 3
		}
		total += unit * int64(qty)
		grams += a.grams * qty
		made := strings.Fields(a.made)
		p.Contents[k] = tracking.ContentItem{Description: a.desc, Quantity: qty, HSCode: a.hs,
			Value: minorString(unit * int64(qty)), Currency: cur, OriginCountry: made[r.IntN(len(made))]}
	}
	p.DeclaredValue = &tracking.MoneyInput{Amount: minorString(total), Currency: cur}
	return grams
}

func minorString(m int64) string {
	frac := m % 100
	s := strconv.FormatInt(m/100, 10) + "."
	if frac < 10 {
		s += "0"
	}
	return s + strconv.FormatInt(frac, 10)
}

// codRates convert a declared currency into the cash-on-delivery currency (per unit).
var codRates = map[string]map[string]float64{
	"RUB": {"USD": 92, "EUR": 99, "GBP": 116, "PLN": 23},
	"KZT": {"USD": 480, "EUR": 520, "GBP": 610, "PLN": 120},
	"BYN": {"USD": 3.3, "EUR": 3.55, "GBP": 4.15, "PLN": 0.82},
}

// codAmount prices the goods plus delivery in the destination's currency, ending in 90 the
// way shops price (4 590 RUB, 12 990 KZT, 89.90 BYN).
func codAmount(r *rand.Rand, declared *tracking.MoneyInput, dest string) *tracking.MoneyInput {
	cur := "BYN"
	switch dest {
	case "RU":
		cur = "RUB"
	case "KZ":
		cur = "KZT"
	}
	v, _ := strconv.ParseFloat(declared.Amount, 64)
	x := v * codRates[cur][declared.Currency]
	switch cur {
	case "RUB":
		x += float64(390 + r.IntN(600))
		return &tracking.MoneyInput{Amount: strconv.Itoa(int(x/100+1)*100-10) + ".00", Currency: cur}
	case "KZT":
		x += float64(1990 + r.IntN(3000))
		return &tracking.MoneyInput{Amount: strconv.Itoa(int(x/100+1)*100-10) + ".00", Currency: cur}
	}
	x += float64(12 + r.IntN(18))
	return &tracking.MoneyInput{Amount: strconv.Itoa(int(x)) + ".90", Currency: cur}
}
