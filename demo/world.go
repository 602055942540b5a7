package demo

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wismo/wismo/geo"
)

// place is a destination city with its offices.
type place struct {
	country, region, city, latin, post string
	zone                               string
	offset                             int // UTC offset in hours (mid-January)
	phones                             []string
	sort                               *office
	deliv                              [3]*office
	northWest, remote                  bool
}

// world is the demo's geography, built once from the tables.
type world struct {
	exch    map[string]*office
	places  map[string][]*place
	weights map[string]weighted
}

var theWorld = sync.OnceValue(buildWorld)

// refInstant is when UTC offsets are taken for transit-time estimates.
var refInstant = time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC)

var (
	northWestRU = " RU-SPE RU-LEN RU-KR RU-MUR RU-ARK RU-NGR RU-PSK RU-KGD RU-VLG RU-KO RU-NEN "
	remoteRU    = " RU-CHU RU-NEN RU-MAG RU-KAM RU-SA RU-YAN RU-SAK RU-TY "
)

func buildWorld() *world {
	w := &world{exch: map[string]*office{}, places: map[string][]*place{}, weights: map[string]weighted{}}
	for _, r := range exchangeRows {
		w.exch[r[0]] = newOffice(r[0], r[1], r[2], r[3], false)
	}
	for cc, cities := range origins {
		for _, c := range cities {
			c.post = newOffice(cc+c.stem+"P", c.latin, cc, c.zone, true)
			if w.exch[c.exch] == nil {
				panic("demo: unknown office of exchange " + c.exch)
			}
		}
	}
	add := func(cc string, row placeRow) {
		zone, ok := geo.CountryZone(cc)
		if row.region != "" {
			zone, ok = geo.RegionZone(row.region)
		}
		if !ok {
			panic(fmt.Sprintf("demo: no zone for %s %s", cc, row.region))
		}
		pl := &place{country: cc, region: row.region, city: row.city, latin: row.latin, post: row.post, zone: zone,
			northWest: strings.Contains(northWestRU, " "+row.region+" "), remote: strings.Contains(remoteRU, " "+row.region+" ")}
		pl.sort = newOffice(cc+row.stem+"S", row.latin, cc, zone, false)
		for i := range pl.deliv {
			pl.deliv[i] = newOffice(cc+row.stem+string(rune('D'+i)), row.latin, cc, zone, true)
		}
		_, off := refInstant.In(pl.sort.loc).Zone()
		pl.offset = off / 3600
		pl.phones = phonePlans[cc].national
		switch cc {
		case "US", "CA":
			pl.phones = nil
			for _, ac := range strings.Fields(row.phones) {
				pl.phones = append(pl.phones, ac+" 555-01XX")
			}
		case "BR":
			pl.phones = []string{row.phones + " 9XXXX-XXXX"}
		case "MX":
			pl.phones = []string{row.phones + " XXXX XXXX"}
			if len(row.phones) == 3 {
				pl.phones = []string{row.phones + " XXX XXXX"}
			}
		case "GB":
			pl.phones = []string{row.phones}
		case "AU":
			pl.phones = append([]string{row.phones}, phonePlans[cc].national...)
		}
		w.places[cc] = append(w.places[cc], pl)
	}
	for _, row := range ruPlaces {
		add("RU", row)
	}
	for cc, rows := range otherPlaces {
		for _, row := range rows {
			add(cc, row)
		}
	}
	for cc, pls := range w.places {
		var pairs []any
		for _, pl := range pls {
			pairs = append(pairs, pl.latin, placeWeight(pl, ruPlaces, otherPlaces[cc]))
		}
		w.weights[cc] = newWeighted(pairs...)
	}
	return w
}

func placeWeight(pl *place, ru []placeRow, other []placeRow) int {
	rows := other
	if pl.country == "RU" {
		rows = ru
	}
	for _, r := range rows {
		if r.latin == pl.latin {
			return r.weight
		}
	}
	panic("demo: place without a row: " + pl.latin)
}

// place draws a city of a destination country.
func (g *gen) place(cc string) *place {
	w := g.world
	return w.places[cc][w.weights[cc].pickIndex(g.r)]
}

// inward chooses the inward office of exchange for an item from origin to pl: Russian items
// from Asia clear in Novosibirsk or Vladivostok when they go east of the Urals, items from
// Europe for the north-west in Saint Petersburg.
func (w *world) inward(pl *place, origin string) *office {
	asia := origin == "CN" || origin == "KR"
	code := inwardOffice[pl.country]
	switch pl.country {
	case "RU":
		switch {
		case asia && pl.offset >= 9:
			code = "RUVVOA"
		case asia && pl.offset >= 6:
			code = "RUNVSA"
		case pl.northWest && !asia:
			code = "RULEDA"
		}
	case "US":
		if asia && pl.offset <= -8 || pl.offset <= -9 {
			code = "USLAXA"
		}
	case "CA":
		if asia || pl.offset <= -7 {
			code = "CAYVRA"
		}
	}
	return w.exch[code]
}

// haul is the typical time from the inward office of exchange to a place's sorting centre.
func haul(in *office, pl *place) time.Duration {
	_, off := refInstant.In(in.loc).Zone()
	d := off/3600 - pl.offset
	if d < 0 {
		d = -d
	}
	h := 18 + 8*d
	if pl.remote {
		h += 72
	}
	return time.Duration(h) * time.Hour
}

var (
	ruStreets = strings.Split("ул. Ленина|ул. Советская|ул. Мира|пр-т Мира|ул. Гагарина|ул. Пушкина|ул. Садовая|"+
		"ул. Молодёжная|ул. Школьная|ул. Лесная|ул. Набережная|ул. Зелёная|ул. Октябрьская|пр-т Ленина|"+
		"ул. Карла Маркса|ул. Строителей|ул. Центральная|ул. Кирова|ул. Чкалова|ул. Победы|б-р Победы|ул. Королёва", "|")
	kzStreets = strings.Split("пр. Абая|ул. Сатпаева|ул. Толе би|ул. Жибек Жолы|пр. Аль-Фараби|ул. Кенесары|"+
		"ул. Байтурсынова|ул. Валиханова|пр. Республики|ул. Сейфуллина", "|")
	byStreets = strings.Split("пр-т Независимости|ул. Немига|ул. Сурганова|ул. Якуба Коласа|ул. Притыцкого|"+
		"пр-т Победителей|ул. Советская|ул. Ленина|ул. Кирова|ул. Гагарина", "|")
	enStreets = strings.Split("Maple Ave|Oak St|Main St|Cedar Ln|Pine St|Elm St|Washington Blvd|Park Ave|"+
		"Lakeview Dr|Sunset Blvd|2nd St|5th Ave|Highland Ave|Church St", "|")
	caStreets = strings.Split("King St W|Queen St E|Yonge St|Rue Sainte-Catherine O|Robson St|Jasper Ave|"+
		"Portage Ave|Spring Garden Rd|Bank St", "|")
	auStreets = strings.Split("George St|Collins St|Queen St|Hay St|King William St|Elizabeth St|Bourke St|"+
		"Northbourne Ave|Smith St", "|")
	gbStreets = strings.Split("High Street|Station Road|Church Lane|Victoria Road|Baker Street|Park Road|"+
		"Mill Lane|Queen's Road|Manor Way", "|")
	deStreets = strings.Split("Hauptstraße|Schulstraße|Gartenstraße|Bahnhofstraße|Lindenstraße|Goethestraße|"+
		"Friedrichstraße|Kastanienallee|Schillerstraße", "|")
	frStreets = strings.Split("rue de la République|avenue Victor Hugo|rue Pasteur|boulevard Voltaire|"+
		"rue des Lilas|place de la Mairie|rue Nationale", "|")
	ilStreets = strings.Split("Herzl St|Rothschild Blvd|Ben Yehuda St|Dizengoff St|Jabotinsky St|"+
		"HaNevi'im St|Allenby St|HaPalmach St", "|")
	brStreets = strings.Split("Rua Augusta|Avenida Paulista|Rua das Flores|Rua XV de Novembro|Avenida Brasil|"+
		"Rua da Consolação|Rua Sete de Setembro", "|")
	mxStreets = strings.Split("Av. Insurgentes Sur|Calle Madero|Av. Juárez|Calle Hidalgo|Paseo de la Reforma|"+
		"Calle Morelos|Av. Revolución", "|")
	mxStates   = map[string]string{"CMX": "CDMX", "JAL": "Jal.", "NLE": "N.L.", "PUE": "Pue.", "BCN": "B.C.", "YUC": "Yuc.", "ROO": "Q.R."}
	mxColonias = strings.Split("Centro|Roma Norte|Del Valle|Las Américas|Jardines del Bosque|San Benito|Obrera", "|")
)

// address writes a street address the way the destination writes it.
func (g *gen) address(pl *place) string {
	r := g.r
	post := g.fill(pl.post)
	n, flat := strconv.Itoa(1+r.IntN(150)), strconv.Itoa(1+r.IntN(280))
	state := strings.TrimPrefix(pl.region, pl.country+"-")
	switch pl.country {
	case "RU", "KZ", "BY":
		streets := ruStreets
		if pl.country == "KZ" {
			streets = kzStreets
		} else if pl.country == "BY" {
			streets = byStreets
		}
		a := post + ", г. " + pl.city + ", " + pickS(r, streets) + ", д. " + n
		if r.IntN(100) < 10 {
			a += ", корп. " + strconv.Itoa(1+r.IntN(4))
		}
		if r.IntN(100) < 85 {
			a += ", кв. " + flat
		}
		return a
	case "US":
		a := strconv.Itoa(10+r.IntN(9990)) + " " + pickS(r, enStreets)
		if r.IntN(100) < 40 {
			a += ", Apt " + flat
		}
		return a + ", " + pl.city + ", " + state + " " + post
	case "CA":
		return n + " " + pickS(r, caStreets) + ", " + pl.city + " " + state + " " + post
	case "AU":
		return n + " " + pickS(r, auStreets) + ", " + pl.city + " " + state + " " + post
	case "GB":
		a := n + " " + pickS(r, gbStreets) + ", " + pl.city + " " + post
		if r.IntN(100) < 35 {
			a = "Flat " + flat + ", " + a
		}
		return a
	case "DE":
		return pickS(r, deStreets) + " " + n + ", " + post + " " + pl.city
	case "FR":
		return n + " " + pickS(r, frStreets) + ", " + post + " " + pl.city
	case "IL":
		return pickS(r, ilStreets) + " " + n + ", apt " + flat + ", " + pl.city + " " + post
	case "BR":
		return pickS(r, brStreets) + ", " + n + ", apto " + flat + " - " + pl.city + " - " + state + ", " + post
	case "MX":
		if abbr, ok := mxStates[state]; ok {
			state = abbr
		}
		return pickS(r, mxStreets) + " " + n + ", Col. " + pickS(r, mxColonias) + ", " + post + " " + pl.city + ", " + state
	}
	return pl.city
}
