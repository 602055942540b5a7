package portal

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/i18n"
)

// messages holds the page texts per language; English is the fallback for missing keys.
var messages = map[string]map[string]string{
	"en": {
		"title": "Where is my order", "track": "Track", "placeholder": "Tracking number, e.g. RB123456785GB",
		"notfound": "We could not find a parcel with this tracking number.", "badid": "This does not look like a tracking number: %s",
		"hint":     "A tracking number has 13 characters: two letters, nine digits and two letters, for example RB123456785GB.",
		"promised": "Expected by", "late": "Late", "ontime": "On time", "delivered_on": "Delivered on", "history": "Tracking history",
		"from": "From", "to": "To", "signed": "Signed by", "service": "Service", "noevents": "No scans yet: the parcel is registered and waiting for the post.",
		"times": "Times are shown in the recipient's time zone", "cod": "Cash on delivery",
		"premium": "Premium", "standard": "Standard", "economy": "Economy",
		"registered": "Registered", "posted": "Posted", "export": "Export", "in_transit": "In transit", "arrived": "Arrived in the destination country",
		"customs": "Customs", "at_sorting_center": "At the sorting centre", "at_delivery_office": "At the delivery office",
		"out_for_delivery": "Out for delivery", "ready_for_pickup": "Ready for pick-up", "delivery_attempted": "Delivery attempted",
		"delivered": "Delivered", "returning": "Returning to sender", "returned": "Returned to sender", "cancelled": "Cancelled",
	},
	"ru": {
		"title": "Где мой заказ", "track": "Найти", "placeholder": "Номер отслеживания, например RB123456785GB",
		"notfound": "Посылка с таким номером не найдена.", "badid": "Это не похоже на номер отслеживания: %s",
		"hint":     "Номер отслеживания состоит из 13 символов: две буквы, девять цифр и две буквы, например RB123456785GB.",
		"promised": "Ожидается до", "late": "Задерживается", "ontime": "В срок", "delivered_on": "Вручено", "history": "История отслеживания",
		"from": "Откуда", "to": "Куда", "signed": "Получил(а)", "service": "Услуга", "noevents": "Сканирований пока нет: посылка зарегистрирована и ждёт передачи почте.",
		"times": "Время указано в часовом поясе получателя", "cod": "Наложенный платёж",
		"premium": "Премиум", "standard": "Стандарт", "economy": "Эконом",
		"registered": "Зарегистрирована", "posted": "Принята почтой", "export": "Экспорт", "in_transit": "В пути", "arrived": "Прибыла в страну назначения",
		"customs": "Таможня", "at_sorting_center": "В сортировочном центре", "at_delivery_office": "В отделении доставки",
		"out_for_delivery": "Передана курьеру", "ready_for_pickup": "Ожидает в пункте выдачи", "delivery_attempted": "Неудачная попытка вручения",
		"delivered": "Вручена", "returning": "Возвращается отправителю", "returned": "Возвращена отправителю", "cancelled": "Отменена",
	},
}

// language picks the page language: ?lang=, then the lang cookie, then Accept-Language.
func language(c *fiber.Ctx) string {
	if l := c.Query("lang"); messages[l] != nil {
		c.Cookie(&fiber.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: fiber.CookieSameSiteLaxMode})
		return l
	}
	if l := c.Cookies("lang"); messages[l] != nil {
		return l
	}
	for _, part := range strings.Split(c.Get(fiber.HeaderAcceptLanguage), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if l, _, _ := strings.Cut(tag, "-"); messages[l] != nil {
			return l
		}
	}
	return "en"
}

// translator returns the lookup function templates call as {{t "key"}}.
func translator(lang string) func(string) string {
	loc := i18n.New(i18n.Lang(lang), nil)
	cat := i18n.Default()
	return func(key string) string {
		if cat.Has(key) { // the one catalog (i18n/catalog); the maps below move into it
			return loc.T(key)
		}
		if v, ok := messages[lang][key]; ok {
			return v
		}
		if v, ok := trackMessages[lang][key]; ok { // the tracking page's forms and history (track_i18n.go)
			return v
		}
		if v, ok := messages["en"][key]; ok {
			return v
		}
		if v, ok := trackMessages["en"][key]; ok {
			return v
		}
		return key
	}
}

// viewerLocale is the language and time zone a staff page is written for: the page's language
// (?lang=, the lang cookie, Accept-Language) in the zone the viewer works in (UTC until users
// carry their own setting).
func viewerLocale(c *fiber.Ctx, _ access.User) i18n.Locale {
	return i18n.New(i18n.Lang(language(c)), time.UTC)
}

// JSTexts are the catalog's texts for a page's scripts (keys under "js."), given to the page
// as a JSON data block that static/wismo.js reads as T("js.key").
func (p Page) JSTexts() map[string]string { return i18n.Default().Texts(p.L.Lang, "js.") }
