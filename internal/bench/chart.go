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
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
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
	chartW   = 1080.0
	rowH     = 18.0
	marginT  = 44.0
	distRowH = 30.0
	charW    = 6.6 // average glyph width at the charts' 11-12 px
)

// intervals names what happens between the previous phase and each phase:
// a bar's segment is the interval it is, coloured and named by it.
var intervals = map[string]string{
	"accepted": "create accepted", "pull_started": "until the pull starts", "pulled": "image pull",
	"started": "container start", "provisioned": "until provisioned", "ip_assigned": "until the IP",
	"http_ready": "until the first HTTP answer", "deleted": "delete",
}

// legend draws the intervals measured, each as the segment it colours.
func legend(c canvas, seen map[string]bool) {
	lx := 10.0
	for _, p := range Phases {
		if !seen[p] {
			continue
		}
		c.rect(lx, 30, 12, 9, phaseColors[p])
		c.text(lx+16, 39, intervals[p], black)
		lx += 16 + float64(len(intervals[p]))*charW + 14
	}
}

func layout(c canvas, runs []Run, title string) (w, h float64) {
	var measured []Run
	maxMS := 0.0
	seen := map[string]bool{}
	longest := 0
	for _, r := range runs {
		if r.Warmup {
			continue
		}
		measured = append(measured, r)
		for p, v := range r.Phases {
			maxMS = math.Max(maxMS, v)
			seen[p] = true
		}
		longest = max(longest, len(fmt.Sprintf("%s #%d", r.Scenario, r.Index+1)))
	}
	if maxMS == 0 {
		maxMS = 1
	}
	// Labels are never cut: the label column is as wide as the longest.
	labelW := math.Max(120, float64(longest)*charW+20)
	width := math.Max(chartW, labelW+600)
	plotW := width - labelW - 70 // room for the "NNN ms" after the longest bar
	x := func(ms float64) float64 { return labelW + ms/maxMS*plotW }
	c.text(10, 22, title, black)
	legend(c, seen)
	axis := func(y float64) float64 {
		c.rect(labelW, y, plotW, 1, black)
		step := niceStep(maxMS / 8)
		for t := 0.0; t <= maxMS; t += step {
			c.rect(x(t), y, 1, 5, black)
			c.text(x(t)-10, y+18, fmt.Sprintf("%.0f", t), black)
		}
		c.text(labelW+plotW-200, y+34, "ms since the create request", black)
		return y + 46
	}
	y := marginT + 12
	for _, r := range measured {
		c.text(10, y+rowH-5, fmt.Sprintf("%s #%d", r.Scenario, r.Index+1), black)
		if !r.OK {
			c.text(labelW, y+rowH-5, "failed: "+trim(r.Failure, 90), red)
			y += rowH
			continue
		}
		prev := 0.0
		for _, p := range Phases {
			v, ok := r.Phases[p]
			if !ok || v < prev {
				continue
			}
			// The segment from the previous phase to this one is this
			// interval: zero-length intervals draw nothing.
			if v > prev {
				c.rect(x(prev), y+2, math.Max(x(v)-x(prev), 1), rowH-4, phaseColors[p])
			}
			prev = v
		}
		c.text(x(prev)+4, y+rowH-5, fmt.Sprintf("%.0f ms", r.TotalMS), black)
		y += rowH
	}
	y = axis(y + 6)
	// Distributions of totals per scenario, on the same axis.
	c.text(10, y, "Time to the first HTTP answer per scenario (dots: runs, bar: median)", black)
	y += 10
	for _, s := range Summarise(runs) {
		c.text(10, y+distRowH/2+4, s.Scenario, black)
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
	y = axis(y + 4)
	return width, y + 6
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
	d := &font.Drawer{Dst: p.img, Src: &image.Uniform{c}, Face: pngFace(), Dot: fixed.P(int(x), int(y))}
	d.DrawString(s)
}

var face font.Face

// pngFace is Go's own sans-serif (the Go fonts ship with x/image), anti-
// aliased at 12 px: readable where a bitmap font was not.
func pngFace() font.Face {
	if face == nil {
		f, err := opentype.Parse(goregular.TTF)
		if err == nil {
			face, err = opentype.NewFace(f, &opentype.FaceOptions{Size: 12, DPI: 72, Hinting: font.HintingFull})
		}
		if err != nil {
			panic(err)
		}
	}
	return face
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
