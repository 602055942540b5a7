package demo

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Recipient names by destination. Russian surnames are listed in their masculine form; the
// feminine form is derived (Петров → Петрова, Козловский → Козловская, Ерёменко stays).
var (
	ruMale = strings.Fields(`Александр Алексей Андрей Артём Борис Вадим Василий Виктор Владимир Глеб
		Дмитрий Евгений Егор Иван Игорь Кирилл Константин Лев Максим Матвей Михаил Никита Николай
		Олег Павел Пётр Роман Семён Сергей Степан Тимофей Фёдор Юрий Ярослав`)
	ruFemale = strings.Fields(`Алёна Анастасия Анна Валентина Варвара Вера Виктория Галина Дарья
		Евгения Екатерина Елена Ирина Ксения Любовь Людмила Маргарита Марина Мария Надежда Наталья
		Ольга Полина Светлана София Таисия Татьяна Ульяна Юлия Яна`)
	ruSurnames = strings.Fields(`Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов
		Новиков Фёдоров Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев
		Орлов Андреев Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов
		Воробьёв Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов
		Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов
		Комаров Давыдов Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов
		Куликов Карпов Власов Мельников Денисов Тихонов Казаков Афанасьев Данилов Фомин Чернов
		Щербаков Назаров Калинин Чернышёв Быков Пономарёв Журавлёв Голубев Кудрявцев Соболев Грачёв
		Ерёменко Бондаренко Шевченко Ткачук Лёвкин Троицкий Успенский Толстой`)
	ruPatronymics = strings.Fields(`Александров Сергеев Иванов Дмитриев Андреев Алексеев Владимиров
		Михайлов Николаев Викторов Юрьев Олегов Евгеньев Петров Фёдоров Семёнов Артёмов Павлов Игорев`)
	kzMale   = strings.Fields(`Нурлан Ерлан Асхат Бауыржан Ержан Данияр Айдар Арман Тимур Санжар Алмас Ерболат Мирас`)
	kzFemale = strings.Fields(`Айгерим Асель Динара Гульнара Жанар Айгуль Мадина Салтанат Алия Камила Дана Жансая`)
	kzSur    = strings.Fields(`Ахметов Сулейменов Искаков Жумабаев Омаров Абдрахманов Касымов Нуржанов
		Байжанов Тулегенов Сагинтаев Мусин Садыков Кенжебаев Есенов Утепов`)
	bySur = strings.Fields(`Козловский Новик Шевчук Ковалёв Лукашевич Климович Жук Мельник Станкевич
		Кравченко Казак Ярошевич Лисовский Гончаров Василевский Ковальчук`)

	enFirst = strings.Fields(`James Mary Olivia Liam Emma Noah Ava William Sophia Oliver Charlotte Jack
		Amelia Harry Isla Ethan Chloe Lucas Mia Daniel Grace Thomas Emily Michael Sarah David Jessica
		Ryan Hannah Aisha Priya Wei Mohammed Zoe`)
	enLast = strings.Fields(`Smith Johnson Williams Brown Jones Miller Davis Wilson Taylor Anderson
		Thomas Moore Martin Jackson White Harris Clark Lewis Walker Hall Young King Wright Scott Green
		Baker Adams Campbell Mitchell Roberts Evans O'Brien MacDonald Nguyen Patel Kowalski Singh Chen`)
	caLast  = strings.Fields(`Tremblay Gagnon Roy Côté Bouchard Gauthier Morin Lavoie Fortin Pelletier`)
	deFirst = strings.Fields(`Lukas Leon Finn Paul Jonas Felix Maximilian Jürgen Jörg Anna Lena Laura Julia Sophie Marie Lea Hannah Käthe`)
	deLast  = strings.Fields(`Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Krüger Weiß`)
	frFirst = strings.Fields(`Louis Gabriel Léo Raphaël Arthur Jules Hugo Lucas Camille Léa Chloé Manon Inès Jade Louise Zoé Émilie Hélène`)
	frLast  = strings.Fields(`Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefèvre Michel Garcia David Bertrand Roux Fournier Girard`)
	ilFirst = strings.Fields(`Noa Tamar Maya Yael Shira Avigail David Yosef Itai Noam Ariel Daniel Eitan Omer Lior`)
	ilLast  = strings.Fields(`Cohen Levi Mizrahi Peretz Biton Dahan Avraham Friedman Azoulay Katz Goldberg Shapiro Ben-David Ohana`)
	brFirst = strings.Fields(`Miguel Arthur Heitor Davi Gabriel Pedro João Lucas Maria Alice Helena Laura Valentina Beatriz Ana Júlia`)
	brLast  = strings.Fields(`Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro Martins Carvalho Almeida Araújo`)
	mxFirst = strings.Fields(`José Juan Luis Carlos Miguel Jorge Santiago Mateo Sofía María Valentina Ximena Regina Camila Guadalupe Fernanda`)
	mxLast  = strings.Fields(`Hernández García Martínez López González Pérez Rodríguez Sánchez Ramírez Cruz Flores Gómez Morales Vázquez Reyes Jiménez`)
)

// person is a generated recipient.
type person struct {
	name      string // as written in the shop's data
	signature string // how they sign for a premium item
	first     string // Latin, for the email address
	last      string
}

// feminine returns the feminine form of a Russian masculine surname or patronymic stem.
func feminine(s string) string {
	switch {
	case strings.HasSuffix(s, "ский"), strings.HasSuffix(s, "цкий"):
		return strings.TrimSuffix(s, "ий") + "ая"
	case strings.HasSuffix(s, "ой"):
		return strings.TrimSuffix(s, "ой") + "ая"
	case strings.HasSuffix(s, "ов"), strings.HasSuffix(s, "ев"), strings.HasSuffix(s, "ёв"), strings.HasSuffix(s, "ин"):
		return s + "а"
	}
	return s
}

// person draws a recipient for a destination country.
func (g *gen) person(country string) person {
	r := g.r
	female := r.IntN(100) < 55
	switch country {
	case "RU", "BY", "KZ":
		first, last := pickS(r, ruMale), pickS(r, ruSurnames)
		if female {
			first = pickS(r, ruFemale)
		}
		switch {
		case country == "KZ" && r.IntN(100) < 60:
			first, last = pickS(r, kzMale), pickS(r, kzSur)
			if female {
				first = pickS(r, kzFemale)
			}
		case country == "BY" && r.IntN(100) < 50:
			last = pickS(r, bySur)
		}
		if female {
			last = feminine(last)
		}
		lf, ll := translit(first), translit(last)
		p := person{first: lf, last: ll}
		initial, _ := utf8.DecodeRuneInString(first)
		p.signature = last + " " + string(initial) + "."
		switch n := r.IntN(100); {
		case n < 15: // typed in Latin letters on a foreign shop's checkout
			p.name, p.signature = lf+" "+ll, ll
		case n < 45:
			pat := pickS(r, ruPatronymics)
			if female {
				pat += "на"
			} else {
				pat += "ич"
			}
			p.name = last + " " + first + " " + pat
		case n < 80:
			p.name = last + " " + first
		default:
			p.name = first + " " + last
		}
		return p
	}
	var firsts, lasts []string
	switch country {
	case "DE":
		firsts, lasts = deFirst, deLast
	case "FR":
		firsts, lasts = frFirst, frLast
	case "IL":
		firsts, lasts = ilFirst, ilLast
	case "BR":
		firsts, lasts = brFirst, brLast
	case "MX":
		firsts, lasts = mxFirst, mxLast
	case "CA":
		firsts, lasts = enFirst, enLast
		if r.IntN(100) < 30 {
			lasts = caLast
		}
	default:
		firsts, lasts = enFirst, enLast
	}
	first, last := pickS(r, firsts), pickS(r, lasts)
	p := person{first: translit(first), last: translit(last), signature: last}
	p.name = first + " " + last
	if (country == "MX" || country == "BR") && r.IntN(100) < 50 {
		p.name += " " + pickS(r, lasts)
	}
	return p
}

func pickS(r interface{ IntN(int) int }, list []string) string { return list[r.IntN(len(list))] }

// translitTable writes Cyrillic in Latin letters the way people type their names on foreign
// checkouts (Фёдор → Fyodor, Юлия → Yuliya), and folds Latin diacritics to ASCII.
var translitTable = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "yo", 'ж': "zh", 'з': "z",
	'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r",
	'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
	'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
	'á': "a", 'à': "a", 'â': "a", 'ã': "a", 'ä': "a", 'ç': "c", 'é': "e", 'è': "e", 'ê': "e",
	'ë': "e", 'í': "i", 'ï': "i", 'î': "i", 'ñ': "n", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o",
	'ú': "u", 'ü': "u", 'ß': "ss",
}

// translit transliterates a name to Latin letters, keeping capitals: Семён → Semyon,
// Елена → Yelena, Müller → Muller.
func translit(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	prevVowel := true // word start
	for _, c := range s {
		lower := unicode.ToLower(c)
		upper := lower != c
		out, ok := translitTable[lower]
		switch {
		case !ok:
			out = string(c)
			upper = false
		case lower == 'е' && prevVowel:
			out = "ye"
		}
		if upper && out != "" {
			out = strings.ToUpper(out[:1]) + out[1:]
		}
		b.WriteString(out)
		prevVowel = strings.ContainsRune("аеёиоуыэюяьъ -", lower)
	}
	return b.String()
}

// emailLocal turns a Latin name part into an email local part: lower case letters and digits.
func emailLocal(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
		}
	}
	return b.String()
}

var emailDomains = []string{"example.com", "example.org", "example.net"}

// email draws an address on a reserved example domain.
func (g *gen) email(p person) string {
	r := g.r
	first, last := emailLocal(p.first), emailLocal(p.last)
	if first == "" {
		first = "client"
	}
	if last == "" {
		last = "mail"
	}
	var local string
	switch r.IntN(5) {
	case 0:
		local = first + "." + last
	case 1:
		local = first[:1] + last + strconv.Itoa(1960+r.IntN(46))
	case 2:
		local = last + "." + first[:1]
	case 3:
		local = first + "_" + last + strconv.Itoa(r.IntN(100))
	default:
		local = first + strconv.Itoa(10+r.IntN(90))
	}
	return local + "@" + emailDomains[r.IntN(len(emailDomains))]
}

// phone draws a phone number for a place, in one of the ways people write them; the test
// checks that every one is a valid number for the destination.
func (g *gen) phone(pl *place) string {
	r := g.r
	plan := phonePlans[pl.country]
	pat := pl.phones[r.IntN(len(pl.phones))]
	num := g.fill(pat)
	if r.IntN(100) < 55 {
		return "+" + plan.cc + " " + num
	}
	return plan.trunk + num
}

// fill expands a pattern: X is a random digit, A a letter valid in British and Canadian
// postcodes, {abc} one of a, b, c; anything else is copied.
func (g *gen) fill(pat string) string {
	const letters = "ABEGHJLNPRSTWXYZ"
	b := g.buf[:0]
	for i := 0; i < len(pat); i++ {
		switch c := pat[i]; c {
		case 'X':
			b = append(b, byte('0'+g.r.IntN(10)))
		case 'A':
			b = append(b, letters[g.r.IntN(len(letters))])
		case '{':
			end := i + 1
			for pat[end] != '}' {
				end++
			}
			b = append(b, pat[i+1+g.r.IntN(end-i-1)])
			i = end
		default:
			b = append(b, c)
		}
	}
	g.buf = b
	return string(b)
}
