package branding

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"image"
	_ "image/jpeg" // the logo's types: decoders for image.DecodeConfig
	_ "image/png"
	"io"
	"strconv"
	"strings"
)

// The logo's caps: the bytes a page loads and the pixels it shows.
const (
	MaxLogoBytes = 256 << 10
	MinLogoSide  = 16
	MaxLogoSide  = 2048
)

// Image is an uploaded logo that passed the checks.
type Image struct {
	Data          []byte
	Type          string
	Width, Height int
}

// CheckLogo checks an upload by its content, never by its name or the type the browser
// claims: a PNG, JPEG or WebP whose header decodes, or an SVG of drawing elements only (no
// script, no event attribute, no link or style that loads anything, no DTD); at most
// MaxLogoBytes; between MinLogoSide and MaxLogoSide pixels a side.
func CheckLogo(data []byte) (Image, *Problem) {
	bad := func(key string, args ...any) (Image, *Problem) {
		return Image{}, &Problem{Field: "logo", Key: key, Args: args}
	}
	if len(data) == 0 {
		return bad("br.err_logo_empty")
	}
	if len(data) > MaxLogoBytes {
		return bad("br.err_logo_size", "max", MaxLogoBytes>>10)
	}
	img := Image{Data: data}
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")), bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return bad("br.err_logo_broken")
		}
		img.Type, img.Width, img.Height = "image/"+format, cfg.Width, cfg.Height
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		w, h, ok := webpSize(data)
		if !ok {
			return bad("br.err_logo_broken")
		}
		img.Type, img.Width, img.Height = "image/webp", w, h
	case looksLikeSVG(data):
		w, h, key := checkSVG(data)
		if key != "" {
			return bad(key)
		}
		img.Type, img.Width, img.Height = "image/svg+xml", w, h
	default:
		return bad("br.err_logo_type")
	}
	if img.Width < MinLogoSide || img.Height < MinLogoSide || img.Width > MaxLogoSide || img.Height > MaxLogoSide {
		return bad("br.err_logo_pixels", "width", img.Width, "height", img.Height, "min", MinLogoSide, "max", MaxLogoSide)
	}
	return img, nil
}

// webpSize reads a WebP's canvas size from its first chunk (lossy VP8, lossless VP8L or the
// extended VP8X).
func webpSize(b []byte) (int, int, bool) {
	if len(b) < 30 {
		return 0, 0, false
	}
	switch string(b[12:16]) {
	case "VP8 ":
		if b[23] != 0x9d || b[24] != 0x01 || b[25] != 0x2a {
			return 0, 0, false
		}
		return int(binary.LittleEndian.Uint16(b[26:28]) & 0x3fff), int(binary.LittleEndian.Uint16(b[28:30]) & 0x3fff), true
	case "VP8L":
		if b[20] != 0x2f {
			return 0, 0, false
		}
		v := binary.LittleEndian.Uint32(b[21:25])
		return int(v&0x3fff) + 1, int((v>>14)&0x3fff) + 1, true
	case "VP8X":
		w := int(b[24]) | int(b[25])<<8 | int(b[26])<<16
		h := int(b[27]) | int(b[28])<<8 | int(b[29])<<16
		return w + 1, h + 1, true
	}
	return 0, 0, false
}

func looksLikeSVG(b []byte) bool {
	head := strings.ToLower(string(b[:min(len(b), 1024)]))
	return strings.Contains(head, "<svg")
}

// svgElements are the SVG elements a logo may use: shapes, text, groups, gradients, clips.
var svgElements = map[string]bool{"svg": true, "g": true, "path": true, "rect": true, "circle": true, "ellipse": true,
	"line": true, "polyline": true, "polygon": true, "text": true, "tspan": true, "defs": true, "lineargradient": true,
	"radialgradient": true, "stop": true, "title": true, "desc": true, "clippath": true, "mask": true, "use": true,
	"symbol": true, "metadata": true}

// checkSVG walks an SVG's XML: only svgElements, no DTD or processing instruction but the
// XML declaration, no on* attribute, links within the file only (href="#id"), no url() but
// to the file's own ids, no @import. It returns the pixel size (width and height, else the
// viewBox) or a problem's key.
func checkSVG(data []byte) (int, int, string) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var w, h float64
	root := true
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, 0, "br.err_logo_broken"
		}
		switch t := tok.(type) {
		case xml.Directive:
			return 0, 0, "br.err_logo_svg"
		case xml.ProcInst:
			if t.Target != "xml" {
				return 0, 0, "br.err_logo_svg"
			}
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			if !svgElements[name] || (t.Name.Space != "" && t.Name.Space != "http://www.w3.org/2000/svg") {
				return 0, 0, "br.err_logo_svg"
			}
			if root && name != "svg" {
				return 0, 0, "br.err_logo_svg"
			}
			for _, a := range t.Attr {
				an, v := strings.ToLower(a.Name.Local), strings.ToLower(strings.Join(strings.Fields(a.Value), ""))
				switch {
				case strings.HasPrefix(an, "on"):
					return 0, 0, "br.err_logo_svg"
				case an == "href" && !strings.HasPrefix(v, "#"):
					return 0, 0, "br.err_logo_svg"
				case strings.Contains(v, "url(") && !onlyLocalURLs(v), strings.Contains(v, "@import"), strings.Contains(v, "javascript:"):
					return 0, 0, "br.err_logo_svg"
				}
			}
			if root {
				root = false
				w, h = svgSize(t.Attr)
			}
		}
	}
	if root {
		return 0, 0, "br.err_logo_broken"
	}
	return int(w), int(h), ""
}

// onlyLocalURLs tells whether every url( in v points into the file: url(#id).
func onlyLocalURLs(v string) bool {
	for {
		i := strings.Index(v, "url(")
		if i < 0 {
			return true
		}
		v = strings.TrimLeft(v[i+4:], `'"`)
		if !strings.HasPrefix(v, "#") {
			return false
		}
	}
}

// svgSize is the root's width and height in pixels (unitless or px), else its viewBox's.
func svgSize(attrs []xml.Attr) (float64, float64) {
	var w, h float64
	var box []string
	for _, a := range attrs {
		switch a.Name.Local {
		case "width":
			w = pixels(a.Value)
		case "height":
			h = pixels(a.Value)
		case "viewBox":
			box = strings.FieldsFunc(a.Value, func(r rune) bool { return r == ' ' || r == ',' })
		}
	}
	if (w == 0 || h == 0) && len(box) == 4 {
		w, _ = strconv.ParseFloat(box[2], 64)
		h, _ = strconv.ParseFloat(box[3], 64)
	}
	return w, h
}

func pixels(s string) float64 {
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "px"), 64)
	if err != nil {
		return 0
	}
	return v
}

// LogoCSP is the Content-Security-Policy a logo is served with: an SVG opened by itself runs
// nothing, loads nothing and is sandboxed (a logo is only ever used as an image, where
// browsers run no script anyway).
const LogoCSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
