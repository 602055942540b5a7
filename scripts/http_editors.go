package scripts

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
)

func (h handlers) listTemplates(c *fiber.Ctx) error {
	brand, err := h.brand(c)
	if err != nil {
		return err
	}
	list, err := h.svc.Templates(c.UserContext(), brand)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"templates": list})
}

func (h handlers) getTemplate(c *fiber.Ctx) error {
	brand, err := h.brand(c)
	if err != nil {
		return err
	}
	t, err := h.svc.Template(c.UserContext(), brand, idParam(c, "id"), int(idParam(c, "v")))
	if err != nil {
		return scriptErrors.Answer(c, err)
	}
	return c.JSON(t)
}

func (h handlers) saveTemplate(c *fiber.Ctx) error {
	brand, err := h.brand(c, managers...)
	if err != nil {
		return err
	}
	var in TemplateInput
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return bodyErr(err)
	}
	t, err := h.svc.SaveTemplate(c.UserContext(), brand, idParam(c, "id"), in, author(c))
	if err != nil {
		return scriptErrors.Answer(c, err)
	}
	if c.Method() == fiber.MethodPost {
		c.Status(fiber.StatusCreated)
	}
	return c.JSON(t)
}

func (h handlers) templateVersions(c *fiber.Ctx) error {
	brand, err := h.brand(c)
	if err != nil {
		return err
	}
	list, err := h.svc.TemplateVersions(c.UserContext(), brand, idParam(c, "id"))
	if err != nil {
		return scriptErrors.Answer(c, err)
	}
	return c.JSON(fiber.Map{"versions": list})
}

// preview renders unsaved content: {"channel": "sms", "content": {...}, "parcel_id": "..."}.
// Without a parcel the sample parcel fills it. Problems come back with their lines.
func (h handlers) preview(c *fiber.Ctx) error {
	brand, err := h.brand(c)
	if err != nil {
		return err
	}
	var in struct {
		Channel  string  `json:"channel"`
		Content  Content `json:"content"`
		ParcelID string  `json:"parcel_id"`
	}
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return bodyErr(err)
	}
	// The parcel must be the previewed brand's, not any the account can see (brand checked
	// that the account may act for brand).
	r, err := h.svc.Preview(c.UserContext(), access.Brands(brand), brand, in.Channel, in.Content, in.ParcelID)
	if err != nil {
		return scriptErrors.Answer(c, err)
	}
	return c.JSON(r)
}

func (h handlers) listScripts(c *fiber.Ctx) error {
	brand, err := h.brand(c)
	if err != nil {
		return err
	}
	list, err := h.svc.Scripts(c.UserContext(), brand)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"scripts": list})
}

func (h handlers) getScript(c *fiber.Ctx) error {
	brand, err := h.brand(c)
	if err != nil {
		return err
	}
	s, err := h.svc.Script(c.UserContext(), brand, idParam(c, "id"), c.QueryInt("version"))
	if err != nil {
		return scriptErrors.Answer(c, err)
	}
	return c.JSON(s)
}

func (h handlers) saveScript(c *fiber.Ctx) error {
	brand, err := h.brand(c, managers...)
	if err != nil {
		return err
	}
	var in ScriptInput
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return bodyErr(err)
	}
	s, err := h.svc.SaveScript(c.UserContext(), brand, idParam(c, "id"), in, author(c))
	if err != nil {
		return scriptErrors.Answer(c, err)
	}
	if c.Method() == fiber.MethodPost {
		c.Status(fiber.StatusCreated)
	}
	return c.JSON(s)
}

func (h handlers) scriptVersions(c *fiber.Ctx) error {
	brand, err := h.brand(c)
	if err != nil {
		return err
	}
	list, err := h.svc.ScriptVersions(c.UserContext(), brand, idParam(c, "id"))
	if err != nil {
		return scriptErrors.Answer(c, err)
	}
	return c.JSON(fiber.Map{"versions": list})
}

// runScript is the script with the parcel's data in it, as the agent desktop shows it.
func (h handlers) runScript(c *fiber.Ctx) error {
	brand, err := h.brand(c)
	if err != nil {
		return err
	}
	s, err := h.svc.RunScriptIn(c.UserContext(), access.Brands(brand), brand, idParam(c, "id"), c.QueryInt("version"), c.Query("parcel"), c.Query("lang"))
	if err != nil {
		return scriptErrors.Answer(c, err)
	}
	return c.JSON(s)
}

func (h handlers) listRules(c *fiber.Ctx) error {
	brand, err := h.brand(c)
	if err != nil {
		return err
	}
	list, err := h.svc.Rules(c.UserContext(), brand)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"rules": list})
}

func (h handlers) getRule(c *fiber.Ctx) error {
	brand, err := h.brand(c)
	if err != nil {
		return err
	}
	r, err := h.svc.Rule(c.UserContext(), brand, idParam(c, "id"))
	if err != nil {
		return scriptErrors.Answer(c, err)
	}
	return c.JSON(r)
}

func (h handlers) saveRule(c *fiber.Ctx) error {
	brand, err := h.brand(c, managers...)
	if err != nil {
		return err
	}
	r := Rule{Enabled: true}
	if err := json.Unmarshal(c.Body(), &r); err != nil {
		return bodyErr(err)
	}
	r, err = h.svc.SaveRule(c.UserContext(), brand, idParam(c, "id"), r)
	if err != nil {
		return scriptErrors.Answer(c, err)
	}
	if c.Method() == fiber.MethodPost {
		c.Status(fiber.StatusCreated)
	}
	return c.JSON(r)
}

// checkRule validates a rule without saving it: {"condition": "...", ...}.
func (h handlers) checkRule(c *fiber.Ctx) error {
	if _, err := h.brand(c); err != nil {
		return err
	}
	r := Rule{Enabled: true}
	if err := json.Unmarshal(c.Body(), &r); err != nil {
		return bodyErr(err)
	}
	if probs := r.validate(c.UserContext()); len(probs) > 0 {
		return scriptErrors.Answer(c, probs)
	}
	return c.JSON(fiber.Map{"ok": true})
}
