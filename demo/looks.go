package demo

import (
	"context"
	"fmt"

	"github.com/wismo/wismo/branding"
)

// matryoshkaLogo is the first demo brand's logo: a nesting doll (the header writes the shop's
// name beside it), an SVG of plain shapes (as the brand manager's upload is checked: branding.CheckLogo).
const matryoshkaLogo = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 44 48" width="44" height="48">
<title>Matryoshka Market</title>
<ellipse cx="22" cy="32" rx="16" ry="15" fill="#ffd8a8"/>
<circle cx="22" cy="14" r="12" fill="#ffd8a8"/>
<circle cx="22" cy="15" r="8" fill="#fff4e6"/>
<circle cx="19" cy="14" r="1.3" fill="#4a1520"/><circle cx="25" cy="14" r="1.3" fill="#4a1520"/>
<path d="M19 18.5 q3 2.2 6 0" stroke="#c92a2a" stroke-width="1.5" fill="none"/>
<ellipse cx="22" cy="35" rx="9" ry="8" fill="#f08c00"/><circle cx="22" cy="35" r="3.5" fill="#ffec99"/>
</svg>`

// Looks gives the first demo brand (the demo brand manager's) its look on the tracking page:
// logo, colours, hotline and hours, a link back to the shop and a footer. The other brands keep
// the neutral look, so `make run` shows both.
func Looks(ctx context.Context, looks *branding.Service, sum Summary) error {
	if len(sum.Brands) == 0 {
		return nil
	}
	b := sum.Brands[0]
	_, err := looks.Save(ctx, b.ID, branding.Change{Look: branding.Look{
		ShopURL: "https://matryoshka.example", Hotline: "+7 495 777-12-34",
		Hours: map[string]string{"en": "Mon-Sat 9:00-21:00 Moscow time", "ru": "Пн-Сб 9:00-21:00 по Москве"},
		Footer: map[string]string{"en": "Matryoshka Market · clothes and gifts from Europe and Asia\nReturns within 30 days of delivery",
			"ru": "Matryoshka Market · одежда и подарки из Европы и Азии\nВозврат в течение 30 дней после получения"},
		Bar: "#5c1a28", Accent: "#a3263a",
		Words: branding.Words{"ru": {"event.EMI": "Посылка у вас — спасибо, что выбрали Matryoshka Market!"},
			"en": {"event.EMI": "Delivered — thank you for shopping at Matryoshka Market!"}},
	}, NewLogo: []byte(matryoshkaLogo)}, "demo")
	if err != nil {
		return fmt.Errorf("demo look of %s: %w", b.Name, err)
	}
	return nil
}
