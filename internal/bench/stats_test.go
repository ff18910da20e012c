package bench

import (
	"math"
	"reflect"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9*math.Max(1, math.Abs(b)) }

// Known answers (Python statistics.stdev, numpy-style linear percentiles); with
// MAD 0.5 the 9 is an outlier by the modified Z rule.
func TestSummarizeKnownData(t *testing.T) {
	s := Summarize([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	if s.N != 8 || !near(s.Mean, 5) || !near(s.StdDev, 2.138089935299395) || !near(s.Median, 4.5) ||
		!near(s.P90, 7.6) || !near(s.P95, 8.3) || s.Min != 2 || s.Max != 9 || !reflect.DeepEqual(s.Outliers, []int{7}) {
		t.Fatalf("%+v", s)
	}
	one := Summarize([]float64{42})
	if one.Mean != 42 || one.StdDev != 0 || one.Median != 42 || one.P95 != 42 {
		t.Fatalf("%+v", one)
	}
	if z := Summarize(nil); z.N != 0 {
		t.Fatalf("%+v", z)
	}
}

func TestOutliersAndSlowFirstRun(t *testing.T) {
	xs := []float64{9800, 1010, 990, 1005, 1000, 995, 1020}
	if got := Outliers(xs); !reflect.DeepEqual(got, []int{0}) {
		t.Fatalf("outliers %v", got)
	}
	z := ModifiedZ([]float64{1, 2, 3, 4, 100})
	// median 3, MAD 1: (100-3)*0.6745 = 65.4265
	if !near(z[4], 65.4265) || !near(z[0], -1.349) {
		t.Fatalf("z %v", z)
	}
	if !SlowFirstRun(xs) || SlowFirstRun([]float64{1000, 1010, 990, 9800}) {
		t.Fatal("slow first run")
	}
	if got := Outliers([]float64{5, 5, 5, 5}); got != nil {
		t.Fatalf("constant data: %v", got)
	}
}
