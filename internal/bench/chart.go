package bench

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Both chart formats draw the same layout through this small canvas interface:
// a waterfall (one bar per run, split into phases) and, below it, each
// scenario's distribution of totals (every run as a dot, the median as a line).

type canvas interface {
	rect(x, y, w, h float64, c color.RGBA)
	text(x, y float64, s string, c color.RGBA)
}

var phaseColors = map[string]color.RGBA{
	"accepted": {0x4e, 0x79, 0xa7, 255}, "pull_started": {0xf2, 0x8e, 0x2b, 255}, "pulled": {0xe1, 0x57, 0x59, 255},
	"started": {0x76, 0xb7, 0xb2, 255}, "provisioned": {0x59, 0xa1, 0x4f, 255}, "ip_assigned": {0xed, 0xc9, 0x48, 255},
	"http_ready": {0xb0, 0x7a, 0xa1, 255}, "deleted": {0x9c, 0x75, 0x5f, 255},
}

var (
	black = color.RGBA{0x22, 0x22, 0x22, 255}
	grey  = color.RGBA{0xcc, 0xcc, 0xcc, 255}
	red   = color.RGBA{0xcc, 0x22, 0x22, 255}
)

const (
	chartW   = 960.0
	labelW   = 260.0
	rowH     = 16.0
	marginT  = 40.0
	distRowH = 30.0
)

func layout(c canvas, runs []Run, title string) (w, h float64) {
	var measured []Run
	maxMS := 0.0
	for _, r := range runs {
		if r.Warmup {
			continue
		}
		measured = append(measured, r)
		for _, v := range r.Phases {
			maxMS = math.Max(maxMS, v)
		}
	}
	if maxMS == 0 {
		maxMS = 1
	}
	plotW := chartW - labelW - 70 // room for the "NNN ms" after the longest bar
	x := func(ms float64) float64 { return labelW + ms/maxMS*plotW }
	c.text(10, 22, title, black)
	// Legend.
	lx := labelW
	for _, p := range Phases {
		c.rect(lx, 28, 10, 8, phaseColors[p])
		c.text(lx+13, 36, p, black)
		lx += 13 + float64(len(p))*7 + 12
	}
	y := marginT + 10
	for _, r := range measured {
		c.text(10, y+rowH-4, fmt.Sprintf("%s #%d", trim(r.Scenario, 30), r.Index+1), black)
		if !r.OK {
			c.text(labelW, y+rowH-4, "failed: "+trim(r.Failure, 90), red)
			y += rowH
			continue
		}
		prev := 0.0
		for _, p := range Phases {
			v, ok := r.Phases[p]
			if !ok || v < prev {
				continue
			}
			c.rect(x(prev), y+2, math.Max(x(v)-x(prev), 1), rowH-4, phaseColors[p])
			prev = v
		}
		c.text(x(prev)+4, y+rowH-4, fmt.Sprintf("%.0f ms", r.TotalMS), black)
		y += rowH
	}
	// Axis.
	y += 6
	c.rect(labelW, y, plotW, 1, black)
	step := niceStep(maxMS / 8)
	for t := 0.0; t <= maxMS; t += step {
		c.rect(x(t), y, 1, 5, black)
		c.text(x(t)-10, y+18, fmt.Sprintf("%.0f", t), black)
	}
	c.text(labelW+plotW-200, y+32, "ms since the create request", black)
	y += 50
	// Distributions of totals per scenario.
	c.text(10, y, "total per scenario (dots: runs, bar: median)", black)
	y += 10
	for _, s := range Summarise(runs) {
		c.text(10, y+distRowH/2+4, trim(s.Scenario, 34), black)
		c.rect(labelW, y+distRowH/2, plotW, 1, grey)
		for _, r := range measured {
			if r.Scenario == s.Scenario && r.OK {
				c.rect(x(r.TotalMS)-2, y+distRowH/2-3, 5, 7, phaseColors["http_ready"])
			}
		}
		if s.Total.N > 0 {
			c.rect(x(s.Total.Median)-1, y+4, 2, distRowH-8, black)
		}
		y += distRowH
	}
	return chartW, y + 10
}

// trim keeps the end of a long scenario name (where "1cpu/1.5gb" or "@westus"
// tell scenarios apart), in ASCII so the bitmap font draws it.
func trim(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-(n-3):]
	}
	return s
}

func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// SVG canvas.
type svgCanvas struct{ b strings.Builder }

func (s *svgCanvas) rect(x, y, w, h float64, c color.RGBA) {
	fmt.Fprintf(&s.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#%02x%02x%02x"/>`+"\n", x, y, w, h, c.R, c.G, c.B)
}

func (s *svgCanvas) text(x, y float64, t string, c color.RGBA) {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	fmt.Fprintf(&s.b, `<text x="%.1f" y="%.1f" fill="#%02x%02x%02x">%s</text>`+"\n", x, y, c.R, c.G, c.B, r.Replace(t))
}

// WriteSVG draws the chart as SVG.
func WriteSVG(w io.Writer, runs []Run, title string) error {
	c := &svgCanvas{}
	width, height := layout(c, runs, title)
	_, err := fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="11">`+"\n"+
		`<rect width="100%%" height="100%%" fill="white"/>`+"\n%s</svg>\n", width, height, c.b.String())
	return err
}

// PNG canvas.
type pngCanvas struct{ img *image.RGBA }

func (p *pngCanvas) rect(x, y, w, h float64, c color.RGBA) {
	draw.Draw(p.img, image.Rect(int(x), int(y), int(x+w+0.5), int(y+h+0.5)), &image.Uniform{c}, image.Point{}, draw.Src)
}

func (p *pngCanvas) text(x, y float64, s string, c color.RGBA) {
	d := &font.Drawer{Dst: p.img, Src: &image.Uniform{c}, Face: basicfont.Face7x13, Dot: fixed.P(int(x), int(y))}
	d.DrawString(s)
}

// WritePNG draws the chart as PNG.
func WritePNG(w io.Writer, runs []Run, title string) error {
	measure := &svgCanvas{}
	width, height := layout(measure, runs, title)
	p := &pngCanvas{img: image.NewRGBA(image.Rect(0, 0, int(width), int(height)))}
	draw.Draw(p.img, p.img.Bounds(), &image.Uniform{color.White}, image.Point{}, draw.Src)
	layout(p, runs, title)
	return png.Encode(w, p.img)
}
