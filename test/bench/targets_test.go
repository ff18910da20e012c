package bench

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// Each benchmark states its figure against issue 24's target; TestMain
// prints them all at the end of `make bench`, met or not.
var (
	targetsMu sync.Mutex
	targets   = map[string]string{}
)

// target records a figure: atLeast says whether the goal is a floor
// (ratios: ≥) or a ceiling (times, memory: ≤).
func target(name string, got float64, atLeast bool, goal float64, unit string) {
	met := got <= goal
	op := "≤"
	if atLeast {
		met, op = got >= goal, "≥"
	}
	verdict := "met"
	if !met {
		verdict = "MISSED"
	}
	line := fmt.Sprintf("%-58s %10.2f %-4s (target %s %g %s): %s", name, got, unit, op, goal, unit, verdict)
	targetsMu.Lock()
	targets[name] = line
	targetsMu.Unlock()
	fmt.Println("TARGET " + line)
}

func printTargets() {
	targetsMu.Lock()
	defer targetsMu.Unlock()
	if len(targets) == 0 {
		return
	}
	var lines []string
	for _, l := range targets {
		lines = append(lines, l)
	}
	sort.Strings(lines)
	fmt.Fprintf(os.Stdout, "\nIssue 24's targets (%s):\n%s\n", time.Now().UTC().Format(time.RFC3339), strings.Join(lines, "\n"))
}

func median(d []time.Duration) float64 {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return float64(s[len(s)/2].Microseconds()) / 1000
}

func quantile(d []time.Duration, p float64) float64 {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return float64(s[int(p*float64(len(s)-1))].Microseconds()) / 1000
}
