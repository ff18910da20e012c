// Package bench is the engine behind `aci bench`: it times container groups from
// create to a first HTTP answer, phase by phase, over many runs (and against a raw
// `docker run` baseline), and turns the runs into statistics, exports and charts.
package bench

import (
	"math"
	"sort"
)

// Stats summarises one phase (or the total) of one scenario, in milliseconds.
type Stats struct {
	N        int     `json:"n"`
	Failures int     `json:"failures"`
	Mean     float64 `json:"mean_ms"`
	StdDev   float64 `json:"stddev_ms"`
	Median   float64 `json:"median_ms"`
	P90      float64 `json:"p90_ms"`
	P95      float64 `json:"p95_ms"`
	Min      float64 `json:"min_ms"`
	Max      float64 `json:"max_ms"`
	// Outliers are the indexes (into the input) whose modified Z-score exceeds 3.5.
	Outliers []int `json:"outliers,omitempty"`
}

// Summarize computes the statistics of xs (sample standard deviation, percentiles
// by linear interpolation between closest ranks, as numpy's default).
func Summarize(xs []float64) Stats {
	s := Stats{N: len(xs)}
	if len(xs) == 0 {
		return s
	}
	sorted := append([]float64(nil), xs...)
	sort.Float64s(sorted)
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	s.Mean = sum / float64(len(xs))
	if len(xs) > 1 {
		ss := 0.0
		for _, x := range xs {
			ss += (x - s.Mean) * (x - s.Mean)
		}
		s.StdDev = math.Sqrt(ss / float64(len(xs)-1))
	}
	s.Median = Percentile(sorted, 50)
	s.P90 = Percentile(sorted, 90)
	s.P95 = Percentile(sorted, 95)
	s.Min, s.Max = sorted[0], sorted[len(sorted)-1]
	s.Outliers = Outliers(xs)
	return s
}

// Percentile of sorted data, p in [0,100], linear interpolation.
func Percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	r := p / 100 * float64(len(sorted)-1)
	lo := int(math.Floor(r))
	hi := int(math.Ceil(r))
	return sorted[lo] + (sorted[hi]-sorted[lo])*(r-float64(lo))
}

// ModifiedZ returns the modified Z-scores 0.6745·(x−median)/MAD (Iglewicz and
// Hoaglin), the rule hyperfine uses; a MAD of zero gives zeros.
func ModifiedZ(xs []float64) []float64 {
	sorted := append([]float64(nil), xs...)
	sort.Float64s(sorted)
	med := Percentile(sorted, 50)
	dev := make([]float64, len(xs))
	for i, x := range xs {
		dev[i] = math.Abs(x - med)
	}
	sd := append([]float64(nil), dev...)
	sort.Float64s(sd)
	mad := Percentile(sd, 50)
	z := make([]float64, len(xs))
	if mad == 0 {
		return z
	}
	for i, x := range xs {
		z[i] = 0.6745 * (x - med) / mad
	}
	return z
}

// OutlierThreshold is hyperfine's (and Iglewicz and Hoaglin's) cut-off.
const OutlierThreshold = 3.5

// Outliers lists the indexes whose |modified Z| exceeds the threshold.
func Outliers(xs []float64) []int {
	var out []int
	for i, z := range ModifiedZ(xs) {
		if math.Abs(z) > OutlierThreshold {
			out = append(out, i)
		}
	}
	return out
}

// SlowFirstRun tells whether the first run is an outlier above the rest (a cold
// cache: image pull, first connection), which hyperfine also warns about.
func SlowFirstRun(xs []float64) bool {
	if len(xs) < 3 {
		return false
	}
	z := ModifiedZ(xs)
	return z[0] > OutlierThreshold
}
