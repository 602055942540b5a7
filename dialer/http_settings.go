package dialer

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
)

func (h handlers) getWindows(c *fiber.Ctx) error {
	brand, err := access.QueryBrand(c)
	if err != nil {
		return err
	}
	w, err := h.svc.Windows(c.UserContext(), brand)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"brand_id": brand, "windows": w})
}

// putWindows takes {"windows": {"sms": {"all": ["09:00-21:00"], "sun": []}, ...}}; channels
// left out keep their windows.
func (h handlers) putWindows(c *fiber.Ctx) error {
	brand, err := access.QueryBrand(c, managers...)
	if err != nil {
		return err
	}
	var in struct {
		Windows map[Channel]Week `json:"windows"`
	}
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "windows: "+err.Error())
	}
	w, err := h.svc.SetWindows(c.UserContext(), brand, in.Windows)
	if err != nil {
		return dialerErrors.Answer(c, err)
	}
	return c.JSON(fiber.Map{"brand_id": brand, "windows": w})
}

func (h handlers) getAlgorithm(c *fiber.Ctx) error {
	brand, err := access.QueryBrand(c)
	if err != nil {
		return err
	}
	a, err := h.svc.Algorithm(c.UserContext(), brand)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"brand_id": brand, "algorithm": a})
}

// putAlgorithm takes {"algorithm": {"max_attempts": 3, "spacing": "2h", "daily_cap": 2,
// "retry": {"busy": "15m"}, "stop": ["reached", "wrong_number", "refused"]}}; fields left out
// keep wismo's defaults.
func (h handlers) putAlgorithm(c *fiber.Ctx) error {
	brand, err := access.QueryBrand(c, managers...)
	if err != nil {
		return err
	}
	in := struct {
		Algorithm Algorithm `json:"algorithm"`
	}{Algorithm: DefaultAlgorithm()}
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "algorithm: "+err.Error())
	}
	if err := h.svc.SetAlgorithm(c.UserContext(), brand, in.Algorithm); err != nil {
		return dialerErrors.Answer(c, err)
	}
	return c.JSON(fiber.Map{"brand_id": brand, "algorithm": in.Algorithm})
}

func (h handlers) getOptOuts(c *fiber.Ctx) error {
	brand, err := access.QueryBrand(c)
	if err != nil {
		return err
	}
	list, err := h.svc.OptOuts(c.UserContext(), brand, min(max(c.QueryInt("limit", 100), 1), 1000))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"opt_outs": list})
}

// postOptOut adds {"channel": "sms", "address": "+79131234567"} (a customer asked by phone).
func (h handlers) postOptOut(c *fiber.Ctx) error {
	brand, err := access.QueryBrand(c, managers...)
	if err != nil {
		return err
	}
	var in struct {
		Channel Channel `json:"channel"`
		Address string  `json:"address"`
	}
	if err := c.BodyParser(&in); err != nil {
		return bodyErr(err)
	}
	if _, err := ParseChannel(string(in.Channel)); err != nil {
		return fiber.NewError(fiber.StatusUnprocessableEntity, err.Error())
	}
	if err := h.svc.OptOut(c.UserContext(), brand, in.Channel, in.Address, "api"); err != nil {
		return dialerErrors.Answer(c, err)
	}
	return c.SendStatus(fiber.StatusNoContent)
}
