package cmdutil

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// factory is a Factory on buffers and a config dir holding cfg.
func factory(t *testing.T, cfg string) (*Factory, *strings.Builder, *strings.Builder, *strings.Builder) {
	t.Helper()
	dir := t.TempDir()
	if cfg != "" {
		if err := os.WriteFile(filepath.Join(dir, "config"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	in, out, errOut := &strings.Builder{}, &strings.Builder{}, &strings.Builder{}
	return &Factory{IO: &IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut}, ConfigDir: dir, Globals: Globals{Output: "json"}}, in, out, errOut
}

func TestPrintHonoursOutputAndQuery(t *testing.T) {
	f, _, out, _ := factory(t, "")
	data := []any{map[string]any{"name": "a", "n": 1}, map[string]any{"name": "b", "n": 2}}
	f.Globals.Output, f.Globals.Query = "tsv", "[].name"
	if err := f.Print(data, PrintOptions{}); err != nil || out.String() != "a\nb\n" {
		t.Fatalf("tsv of a query: %v %q", err, out.String())
	}
	out.Reset()
	f.Globals.Output, f.Globals.Query = "table", ""
	table := func(v any) (any, error) { return []any{map[string]any{"Only": "row"}}, nil }
	if err := f.Print(data, PrintOptions{Table: table}); err != nil || out.String() != "Only\n------\nrow\n" {
		t.Fatalf("a command's table transform: %v %q", err, out.String())
	}
	out.Reset()
	f.Globals.Output = "none"
	if err := f.Print(data, PrintOptions{}); err != nil || out.String() != "" {
		t.Fatalf("-o none: %v %q", err, out.String())
	}
	f, _, _, _ = factory(t, "")
	f.Globals.Query = "[?"
	if err := f.Print(data, PrintOptions{}); ExitCode(err) != 2 {
		t.Fatalf("a query that does not parse exits 2: %v", err)
	}
	// The compiled query is kept for the next Print.
	f, _, _, _ = factory(t, "")
	f.Globals.Query = "length(@)"
	q1, _ := f.Query()
	q2, _ := f.Query()
	if q1 == nil || q1 != q2 {
		t.Fatal("the query is compiled once")
	}
}

func TestWarnInfoAndOnlyShowErrors(t *testing.T) {
	f, _, _, errOut := factory(t, "")
	f.Warn("about %s", "this")
	f.Info("hidden")
	f.Globals.Verbose = true
	f.Info("shown %d", 1)
	if errOut.String() != "WARNING: about this\nINFO: shown 1\n" {
		t.Fatalf("stderr %q", errOut.String())
	}
	errOut.Reset()
	f.Globals.OnlyShowErrors = true
	f.Warn("quiet")
	if errOut.Len() != 0 {
		t.Fatal("--only-show-errors")
	}
	f, _, _, errOut = factory(t, "[core]\nonly_show_errors = true\n")
	f.Warn("quiet")
	if errOut.Len() != 0 {
		t.Fatal("core.only_show_errors")
	}
	// Colour only on a terminal, never with NO_COLOR.
	f, _, _, _ = factory(t, "")
	if f.StderrColor() {
		t.Fatal("no terminal, no colour")
	}
	f.IO.StderrTTY = true
	if !f.StderrColor() || !strings.HasPrefix(f.ErrorOutput(errors.New("x")), "\x1b[31m") {
		t.Fatalf("a terminal's errors are red: %q", f.ErrorOutput(errors.New("x")))
	}
	t.Setenv("NO_COLOR", "1")
	if f.StderrColor() || f.ErrorOutput(errors.New("x")) != "ERROR: x\n" {
		t.Fatal("NO_COLOR")
	}
	if f.ErrorOutput(SilentExit(4)) != "" {
		t.Fatal("a silent exit")
	}
}

func TestConfirm(t *testing.T) {
	f, _, _, errOut := factory(t, "")
	if err := f.Confirm(true); err != nil {
		t.Fatal("--yes")
	}
	// No terminal: az's warning and a cancelled operation.
	err := f.Confirm(false)
	if !errors.Is(err, ErrCancelled) || ExitCode(err) != 1 || !strings.Contains(errOut.String(), "no tty available. Use --yes.") {
		t.Fatalf("no tty: %v %q", err, errOut.String())
	}
	for answers, ok := range map[string]bool{"y\n": true, "YES\n": true, "n\n": false, "maybe\nno\n": false, "what\ny\n": true, "": false} {
		f, _, _, errOut := factory(t, "")
		f.IO.StdinTTY, f.IO.In = true, strings.NewReader(answers)
		err := f.ConfirmQuestion(false, "Delete it?")
		if (err == nil) != ok || !strings.HasPrefix(errOut.String(), "Delete it? (y/n): ") {
			t.Errorf("answers %q: %v, prompt %q", answers, err, errOut.String())
		}
		if want := strings.Count(answers, "\n"); answers != "" && strings.Count(errOut.String(), "(y/n)") != want {
			t.Errorf("answers %q asked %d times, want %d", answers, strings.Count(errOut.String(), "(y/n)"), want)
		}
	}
	f, _, _, _ = factory(t, "[core]\ndisable_confirm_prompt = yes\n")
	if err := f.Confirm(false); err != nil {
		t.Fatalf("core.disable_confirm_prompt: %v", err)
	}
}

func TestSpinner(t *testing.T) {
	f, _, _, errOut := factory(t, "")
	f.StartSpinner("Running").Stop()
	if errOut.Len() != 0 {
		t.Fatal("no terminal, no spinner")
	}
	f.IO.StderrTTY = true
	s := f.StartSpinner("Running")
	time.Sleep(250 * time.Millisecond)
	s.Stop()
	s.Stop() // twice is harmless
	got := errOut.String()
	if !strings.Contains(got, " - Starting .. 0s\r") || !strings.Contains(got, " Running .. ") || !strings.HasSuffix(got, "\x1b[K") {
		t.Fatalf("spinner drew %q", got)
	}
	errOut.Reset()
	f.Globals.OnlyShowErrors = true
	f.StartSpinner("Running").Stop()
	if errOut.Len() != 0 {
		t.Fatal("--only-show-errors hides the spinner")
	}
}

func TestIntervalsAndTimeouts(t *testing.T) {
	f, _, _, _ := factory(t, "")
	if f.ProviderInterval() <= 0 || f.FollowInterval() <= 0 {
		t.Fatal("default intervals")
	}
	f.Intervals = Intervals{Provider: time.Millisecond, Follow: 2 * time.Millisecond}
	if f.ProviderInterval() != time.Millisecond || f.FollowInterval() != 2*time.Millisecond {
		t.Fatal("set intervals")
	}
	if orDuration(0, time.Second) != time.Second || orDuration(time.Minute, time.Second) != time.Minute {
		t.Fatal("orDuration")
	}
}
