package demo

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"
)

// office is a postal office that scans items: an office of exchange (IMPC-style code, country
// + three letters + "A"), a sorting centre ("S"), a delivery office ("D".."F"), a posting
// office ("P").
type office struct {
	code, city, country, zone string
	loc                       *time.Location
	counter                   bool // scans only in opening hours (posting and delivery offices)
}

func newOffice(code, city, country, zone string, counter bool) *office {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		panic(fmt.Sprintf("demo: office %s: %v", code, err))
	}
	return &office{code: code, city: city, country: country, zone: zone, loc: loc, counter: counter}
}

// exchangeRows are the offices of exchange (and transit hubs) the lanes run through.
var exchangeRows = [][4]string{
	{"CNCANA", "Guangzhou", "CN", "Asia/Shanghai"}, {"CNSHAA", "Shanghai", "CN", "Asia/Shanghai"},
	{"CNPEKA", "Beijing", "CN", "Asia/Shanghai"}, {"GBLONA", "London", "GB", "Europe/London"},
	{"DEFRAA", "Frankfurt", "DE", "Europe/Berlin"}, {"DELEJA", "Leipzig", "DE", "Europe/Berlin"},
	{"USJFKA", "New York", "US", "America/New_York"}, {"USLAXA", "Los Angeles", "US", "America/Los_Angeles"},
	{"USORDA", "Chicago", "US", "America/Chicago"}, {"USMIAA", "Miami", "US", "America/New_York"},
	{"FRCDGA", "Roissy-en-France", "FR", "Europe/Paris"}, {"ITMILA", "Milan", "IT", "Europe/Rome"},
	{"ESMADA", "Madrid", "ES", "Europe/Madrid"}, {"PLWAWA", "Warsaw", "PL", "Europe/Warsaw"},
	{"TRISTA", "Istanbul", "TR", "Europe/Istanbul"}, {"KRICNA", "Incheon", "KR", "Asia/Seoul"},
	{"RUMOWA", "Moscow", "RU", "Europe/Moscow"}, {"RULEDA", "Saint Petersburg", "RU", "Europe/Moscow"},
	{"RUNVSA", "Novosibirsk", "RU", "Asia/Novosibirsk"}, {"RUVVOA", "Vladivostok", "RU", "Asia/Vladivostok"},
	{"KZALAA", "Almaty", "KZ", "Asia/Almaty"}, {"BYMSQA", "Minsk", "BY", "Europe/Minsk"},
	{"CATORA", "Toronto", "CA", "America/Toronto"}, {"CAYVRA", "Vancouver", "CA", "America/Vancouver"},
	{"AUSYDA", "Sydney", "AU", "Australia/Sydney"}, {"BRCWBA", "Curitiba", "BR", "America/Sao_Paulo"},
	{"MXMEXA", "Mexico City", "MX", "America/Mexico_City"}, {"ILTLVA", "Tel Aviv", "IL", "Asia/Jerusalem"},
	{"AEDXBA", "Dubai", "AE", "Asia/Dubai"}, {"FIHELA", "Helsinki", "FI", "Europe/Helsinki"},
	{"NLAMSA", "Amsterdam", "NL", "Europe/Amsterdam"},
}

// inwardOffice is each destination's main inward office of exchange.
var inwardOffice = map[string]string{
	"RU": "RUMOWA", "KZ": "KZALAA", "BY": "BYMSQA", "US": "USJFKA", "CA": "CATORA", "AU": "AUSYDA",
	"BR": "BRCWBA", "MX": "MXMEXA", "DE": "DEFRAA", "FR": "FRCDGA", "GB": "GBLONA", "IL": "ILTLVA",
}

// Transit hubs for lanes from Asia and from elsewhere.
var (
	asiaHubs  = []string{"AEDXBA", "KZALAA", "FIHELA"}
	otherHubs = []string{"FIHELA", "NLAMSA", "AEDXBA", "TRISTA"}
)

// originCity is a city a brand ships from: its posting office stem, its outward office of
// exchange and the brand's dispatch address there.
type originCity struct {
	latin, stem, exch, zone, address string
	post                             *office
}

var origins = map[string][]*originCity{
	"CN": {
		{latin: "Shenzhen", stem: "SZX", exch: "CNCANA", zone: "Asia/Shanghai", address: "Building 5, Pinghu Logistics Park, Longgang District, Shenzhen 518111"},
		{latin: "Guangzhou", stem: "CAN", exch: "CNCANA", zone: "Asia/Shanghai", address: "18 Huangshi East Road, Baiyun District, Guangzhou 510440"},
		{latin: "Yiwu", stem: "YIW", exch: "CNSHAA", zone: "Asia/Shanghai", address: "Yiwu International Trade City, District 4, Yiwu 322000"},
		{latin: "Shanghai", stem: "SHA", exch: "CNSHAA", zone: "Asia/Shanghai", address: "1200 Jiangchang West Road, Jing'an District, Shanghai 200436"},
		{latin: "Beijing", stem: "PEK", exch: "CNPEKA", zone: "Asia/Shanghai", address: "9 Kechuang 6th Street, Daxing District, Beijing 100176"},
	},
	"GB": {
		{latin: "London", stem: "LON", exch: "GBLONA", zone: "Europe/London", address: "Unit 4, Park Royal Trading Estate, London NW10 7LQ"},
		{latin: "Manchester", stem: "MAN", exch: "GBLONA", zone: "Europe/London", address: "Trafford Park Road, Manchester M17 1HN"},
	},
	"DE": {
		{latin: "Frankfurt", stem: "FRA", exch: "DEFRAA", zone: "Europe/Berlin", address: "Cargo City Süd, Gebäude 537, 60549 Frankfurt am Main"},
		{latin: "Leipzig", stem: "LEJ", exch: "DELEJA", zone: "Europe/Berlin", address: "Radefelder Allee 20, 04435 Schkeuditz"},
		{latin: "Hamburg", stem: "HAM", exch: "DEFRAA", zone: "Europe/Berlin", address: "Billstraße 112, 20539 Hamburg"},
	},
	"US": {
		{latin: "New York", stem: "NYC", exch: "USJFKA", zone: "America/New_York", address: "45-10 Court Square, Long Island City, NY 11101"},
		{latin: "Los Angeles", stem: "LAX", exch: "USLAXA", zone: "America/Los_Angeles", address: "2100 E 7th St, Los Angeles, CA 90021"},
		{latin: "Chicago", stem: "CHI", exch: "USORDA", zone: "America/Chicago", address: "1550 W Carroll Ave, Chicago, IL 60607"},
	},
	"FR": {
		{latin: "Paris", stem: "PAR", exch: "FRCDGA", zone: "Europe/Paris", address: "12 rue de la Logistique, 93200 Saint-Denis"},
		{latin: "Lyon", stem: "LYS", exch: "FRCDGA", zone: "Europe/Paris", address: "40 avenue Jean Jaurès, 69007 Lyon"},
	},
	"IT": {
		{latin: "Milan", stem: "MIL", exch: "ITMILA", zone: "Europe/Rome", address: "Via Mecenate 76, 20138 Milano"},
		{latin: "Florence", stem: "FLR", exch: "ITMILA", zone: "Europe/Rome", address: "Via Pratese 150, 50145 Firenze"},
	},
	"ES": {
		{latin: "Madrid", stem: "MAD", exch: "ESMADA", zone: "Europe/Madrid", address: "Calle de la Logística 8, 28906 Getafe"},
		{latin: "Barcelona", stem: "BCN", exch: "ESMADA", zone: "Europe/Madrid", address: "Carrer de la Marina 215, 08013 Barcelona"},
	},
	"PL": {
		{latin: "Warsaw", stem: "WAW", exch: "PLWAWA", zone: "Europe/Warsaw", address: "ul. Annopol 3, 03-236 Warszawa"},
		{latin: "Poznan", stem: "POZ", exch: "PLWAWA", zone: "Europe/Warsaw", address: "ul. Gnieźnieńska 22, 62-006 Sady"},
	},
	"TR": {
		{latin: "Istanbul", stem: "IST", exch: "TRISTA", zone: "Europe/Istanbul", address: "Mahmutbey Mah. 2622. Sk. No:4, 34218 Bağcılar/İstanbul"},
		{latin: "Izmir", stem: "IZM", exch: "TRISTA", zone: "Europe/Istanbul", address: "Atatürk OSB 10003 Sk. No:12, 35620 Çiğli/İzmir"},
	},
	"KR": {
		{latin: "Seoul", stem: "SEL", exch: "KRICNA", zone: "Asia/Seoul", address: "27 Teheran-ro 10-gil, Gangnam-gu, Seoul 06234"},
		{latin: "Busan", stem: "PUS", exch: "KRICNA", zone: "Asia/Seoul", address: "55 Jungang-daero, Jung-gu, Busan 48939"},
	},
}

// currencyOf is the currency a shop declares its goods in, by origin country.
var currencyOf = map[string]string{
	"CN": "USD", "KR": "USD", "US": "USD", "TR": "USD", "GB": "GBP", "PL": "PLN",
	"DE": "EUR", "FR": "EUR", "IT": "EUR", "ES": "EUR",
}

// weighted picks one of its items with probability proportional to its weight.
type weighted struct {
	items []string
	cum   []int
}

// newWeighted takes alternating item, weight pairs.
func newWeighted(pairs ...any) weighted {
	var w weighted
	total := 0
	for i := 0; i < len(pairs); i += 2 {
		total += pairs[i+1].(int)
		w.items = append(w.items, pairs[i].(string))
		w.cum = append(w.cum, total)
	}
	return w
}

func (w weighted) pickIndex(r *rand.Rand) int {
	return sort.SearchInts(w.cum, r.IntN(w.cum[len(w.cum)-1])+1)
}

func (w weighted) pick(r *rand.Rand) string { return w.items[w.pickIndex(r)] }

// brandProfile is one demo shop: where it ships from and to, and what it sells.
type brandProfile struct {
	name, mailbox string
	weight        int
	origins       weighted
	dests         weighted
	catalog       []article
}

// brands: about 62% of all parcels go to Russia.
var brands = []brandProfile{
	{name: "Matryoshka Market", mailbox: "orders.matryoshka", weight: 45,
		origins: newWeighted("CN", 30, "TR", 25, "IT", 20, "PL", 10, "FR", 8, "ES", 7),
		dests:   newWeighted("RU", 85, "KZ", 9, "BY", 6),
		catalog: fashion},
	{name: "Nordic Knits", mailbox: "shop.nordicknits", weight: 25,
		origins: newWeighted("DE", 40, "PL", 30, "GB", 30),
		dests: newWeighted("RU", 30, "US", 15, "GB", 10, "CA", 8, "DE", 8, "AU", 7, "FR", 7, "IL", 5,
			"BR", 4, "MX", 3, "KZ", 3),
		catalog: knitwear},
	{name: "Pixel Gadgets", mailbox: "dispatch.pixelgadgets", weight: 30,
		origins: newWeighted("CN", 50, "KR", 20, "US", 15, "DE", 10, "ES", 5),
		dests: newWeighted("RU", 55, "US", 10, "BR", 7, "KZ", 5, "MX", 5, "IL", 4, "BY", 3, "CA", 3,
			"AU", 3, "DE", 3, "GB", 2),
		catalog: gadgets},
}

var brandWeights = newWeighted("0", brands[0].weight, "1", brands[1].weight, "2", brands[2].weight)

// Mailboxes are the demo brands' mail box names, in brand order (the demo's customers write
// to them: demo/feedback).
func Mailboxes() []string {
	out := make([]string, len(brands))
	for i, b := range brands {
		out[i] = b.mailbox
	}
	return out
}
