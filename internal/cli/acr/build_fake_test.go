package acr

// acr build and acr task through the seams: a fake registry service that
// also builds (Builds, runLister), and fakes for the upload and the log.

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
)

type fakeBuilds struct {
	*fakeService
	scheduled map[string]any
	status    string
}

func (b *fakeBuilds) BuildSourceUploadURL(context.Context, string, string) (arm.Raw, error) {
	return arm.Raw{"uploadUrl": "https://upload/sas", "relativePath": "source/x.tar.gz"}, nil
}
func (b *fakeBuilds) ScheduleRun(_ context.Context, _, _ string, body any) (arm.Raw, error) {
	b.scheduled = body.(map[string]any)
	return arm.Raw{"properties": map[string]any{"runId": "ca7", "status": "Queued"}}, nil
}
func (b *fakeBuilds) Run(context.Context, string, string, string) (arm.Raw, error) {
	return arm.Raw{"properties": map[string]any{"runId": "ca7", "status": b.status}}, nil
}
func (b *fakeBuilds) RunLogURL(_ context.Context, _, _, runID string) (arm.Raw, error) {
	return arm.Raw{"logLink": "https://logs/" + runID}, nil
}
func (b *fakeBuilds) Runs(context.Context, string, string, int) ([]any, error) {
	return []any{map[string]any{"properties": map[string]any{"runId": "ca7", "status": "Succeeded", "platform": map[string]any{"os": "linux"},
		"startTime": "2026-12-07T10:00:00Z", "finishTime": "2026-12-07T10:01:05Z"}}}, nil
}

func runBuilds(t *testing.T, b *fakeBuilds, uploaded *[]string, args ...string) (string, error) {
	t.Helper()
	ios, _, out, _ := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir(), Globals: cmdutil.Globals{Output: "table"}, Intervals: cmdutil.Intervals{Follow: time.Millisecond}}
	d := &Deps{
		Service: func() (Service, error) { return b, nil },
		Upload: func(_ context.Context, u string, file *os.File) error {
			gz, err := gzip.NewReader(file)
			if err != nil {
				return err
			}
			tr := tar.NewReader(gz)
			for {
				h, err := tr.Next()
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return err
				}
				*uploaded = append(*uploaded, h.Name)
			}
		},
		FollowLog: func(_ context.Context, u string, w io.Writer, _ time.Duration) (string, error) {
			_, _ = io.WriteString(w, "log of "+u+"\n")
			return b.status, nil
		},
	}
	cmd := NewCmdWith(f, d)
	cmd.SetArgs(cmdutil.ExpandNArgs(cmd, args))
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return out.String(), err
}

func TestBuildSchedulesAndFollows(t *testing.T) {
	ctxDir := t.TempDir()
	for name, body := range map[string]string{"Dockerfile": "FROM scratch\n", "app.txt": "x", ".dockerignore": "*.log\n", "debug.log": "no"} {
		if err := os.WriteFile(filepath.Join(ctxDir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b := &fakeBuilds{fakeService: &fakeService{groups: map[string]string{"reg1": "rg"}}, status: "Succeeded"}
	var uploaded []string
	t.Setenv("FROM_ENV", "envvalue")
	out, err := runBuilds(t, b, &uploaded, "build", "-r", "reg1", "-t", "app:{{.Run.ID}}", "--build-arg", "A=1", "--build-arg", "FROM_ENV", ctxDir)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(uploaded, ",") != ".dockerignore,Dockerfile,app.txt" {
		t.Fatalf("uploaded %v", uploaded)
	}
	if b.scheduled["dockerFilePath"] != "Dockerfile" || b.scheduled["sourceLocation"] != "source/x.tar.gz" || b.scheduled["isPushEnabled"] != true {
		t.Fatalf("scheduled %v", b.scheduled)
	}
	args := asJSON(b.scheduled["arguments"])
	if !strings.Contains(args, `"name":"A","type":"Argument","value":"1"`) || !strings.Contains(args, `"name":"FROM_ENV","type":"Argument","value":"envvalue"`) {
		t.Fatalf("build args %s", args)
	}
	if out != "log of https://logs/ca7\n" {
		t.Fatalf("followed %q", out)
	}
	b.status = "Failed"
	if _, err := runBuilds(t, b, &uploaded, "build", "-r", "reg1", ctxDir); err == nil || !strings.Contains(err.Error(), "Run failed") {
		t.Fatalf("a failed run: %v", err)
	}
	if _, err := runBuilds(t, b, &uploaded, "build", "-r", "reg1", filepath.Join(ctxDir, "app.txt")); err == nil || !strings.Contains(err.Error(), "Source location") {
		t.Fatalf("a file as the context: %v", err)
	}
}

func TestTaskListRunsAndLogs(t *testing.T) {
	b := &fakeBuilds{fakeService: &fakeService{groups: map[string]string{"reg1": "rg"}}, status: "Succeeded"}
	var uploaded []string
	out, err := runBuilds(t, b, &uploaded, "task", "list-runs", "-r", "reg1")
	if err != nil || !strings.Contains(out, "ca7") || !strings.Contains(out, "00:01:05") || !strings.Contains(out, "Manual") {
		t.Fatalf("list-runs:\n%s %v", out, err)
	}
	out, err = runBuilds(t, b, &uploaded, "task", "logs", "-r", "reg1")
	if err != nil || out != "log of https://logs/ca7\n" {
		t.Fatalf("logs of the last run: %v %q", err, out)
	}
}

// The request's other fields, and the paths that do not follow the log.
func TestBuildOptionsAndEndings(t *testing.T) {
	ctxDir := t.TempDir()
	os.MkdirAll(filepath.Join(ctxDir, "docker"), 0o755)
	for name, body := range map[string]string{"docker/Dockerfile.prod": "FROM scratch\n", "main.go": "package main"} {
		if err := os.WriteFile(filepath.Join(ctxDir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b := &fakeBuilds{fakeService: &fakeService{groups: map[string]string{"reg1": "rg"}}, status: "Succeeded"}
	var uploaded []string
	df := filepath.Join(ctxDir, "docker", "Dockerfile.prod")
	out, err := runBuilds(t, b, &uploaded, "build", "-r", "reg1", "-f", df, "--secret-build-arg", "TOKEN=t0k", "--no-push",
		"-t", "app:v1", "--target", "final", "--timeout", "600", "--platform", "windows", "--no-cache", "--no-wait", ctxDir)
	if err != nil {
		t.Fatal(err)
	}
	s := b.scheduled
	if s["dockerFilePath"] != "docker/Dockerfile.prod" || s["isPushEnabled"] != false || s["noCache"] != true || s["target"] != "final" ||
		s["timeout"] != 600 || asJSON(s["platform"]) != `{"os":"windows"}` {
		t.Fatalf("request %v", s)
	}
	if args := asJSON(s["arguments"]); args != `[{"isSecret":true,"name":"TOKEN","type":"Argument","value":"t0k"}]` {
		t.Fatalf("secret args %s", args)
	}
	// --no-wait prints the queued run and returns.
	if !strings.Contains(out, "ca7") || !strings.Contains(out, "Queued") {
		t.Fatalf("--no-wait printed %q", out)
	}
	// --no-logs polls the run until it ends and prints it.
	out, err = runBuilds(t, b, &uploaded, "build", "-r", "reg1", "-f", df, "--no-logs", ctxDir)
	if err != nil || !strings.Contains(out, "Succeeded") || strings.Contains(out, "log of") {
		t.Fatalf("--no-logs: %v %q", err, out)
	}
	for status, msg := range map[string]string{"TimedOut": "Run timed out", "Canceled": "Run was canceled", "InternalError": "Run failed"} {
		b.status = status
		if _, err := runBuilds(t, b, &uploaded, "build", "-r", "reg1", "-f", df, ctxDir); err == nil || err.Error() != msg {
			t.Errorf("%s: %v", status, err)
		}
	}
	// No Dockerfile at the root, and none where -f says.
	if _, err := runBuilds(t, b, &uploaded, "build", "-r", "reg1", ctxDir); err == nil || !strings.Contains(err.Error(), "Unable to find '"+filepath.Join(ctxDir, "Dockerfile")+"'") {
		t.Fatalf("no Dockerfile: %v", err)
	}
	if _, err := runBuilds(t, b, &uploaded, "build", "-r", "reg1", "-f", "nope/Dockerfile", ctxDir); err == nil || !strings.Contains(err.Error(), "Unable to find 'nope/Dockerfile'") {
		t.Fatalf("-f nowhere: %v", err)
	}
	if _, err := runBuilds(t, b, &uploaded, "build", "-r", "reg1"); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "SOURCE_LOCATION") {
		t.Fatalf("no source: %v", err)
	}
	for n, want := range map[int64]string{0: "0.000 Bytes", 1023: "1023.000 Bytes", 1536: "1.500 KiB", 5 << 20: "5.000 MiB", 3 << 40: "3072.000 GiB"} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
}
