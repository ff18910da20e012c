package compose

// The parts of up, ps and logs that decide something, on fakes: what forces
// a group to be recreated, what ps lists, and how several containers' logs
// merge into one stream in time order.

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/cli/container"
	"github.com/aci-cli/aci/internal/output"
)

func group(os, restart, ipType string, containers []any, volumes []any) map[string]any {
	return map[string]any{"properties": map[string]any{"osType": os, "restartPolicy": restart,
		"ipAddress": map[string]any{"type": ipType}, "containers": containers, "volumes": volumes}}
}

func ctr(name string, cpu, mem float64, gpu int) any {
	req := map[string]any{"cpu": cpu, "memoryInGB": mem}
	if gpu > 0 {
		req["gpu"] = map[string]any{"count": float64(gpu), "sku": "V100"}
	}
	return map[string]any{"name": name, "properties": map[string]any{"resources": map[string]any{"requests": req}}}
}

func TestRecreateReasons(t *testing.T) {
	base := func() map[string]any {
		return group("Linux", "Always", "Public", []any{ctr("web", 1, 1.5, 0), ctr("db", 0.5, 1, 0)},
			[]any{map[string]any{"name": "data", "azureFile": map[string]any{}}})
	}
	if why := recreateReasons(base(), base()); len(why) != 0 {
		t.Fatalf("the same group: %v", why)
	}
	// ARM's answer may spell memoryInGb, and the OS in any case.
	old := base()
	old["properties"].(map[string]any)["osType"] = "linux"
	old["properties"].(map[string]any)["containers"] = []any{
		map[string]any{"name": "web", "properties": map[string]any{"resources": map[string]any{"requests": map[string]any{"cpu": 1.0, "memoryInGb": 1.5}}}},
		ctr("db", 0.5, 1, 0)}
	if why := recreateReasons(old, base()); len(why) != 0 {
		t.Fatalf("spelling differences: %v", why)
	}
	for _, c := range []struct {
		change func(p map[string]any)
		want   []string
	}{
		{func(p map[string]any) { p["osType"] = "Windows" }, []string{"the OS type"}},
		{func(p map[string]any) { p["restartPolicy"] = "Never" }, []string{"the restart policy"}},
		{func(p map[string]any) { p["ipAddress"] = map[string]any{"type": "Private"} }, []string{"the address type"}},
		{func(p map[string]any) { p["containers"] = []any{ctr("web", 2, 1.5, 0), ctr("db", 0.5, 1, 0)} }, []string{"the resources of web"}},
		{func(p map[string]any) { p["containers"] = []any{ctr("web", 1, 1.5, 1), ctr("db", 0.5, 1, 0)} }, []string{"the resources of web"}},
		{func(p map[string]any) { p["containers"] = []any{ctr("web", 1, 1.5, 0)} }, []string{"the set of containers"}},
		{func(p map[string]any) { p["containers"] = []any{ctr("web", 1, 1.5, 0), ctr("cache", 0.5, 1, 0)} }, []string{"the set of containers"}},
		{func(p map[string]any) {
			p["volumes"] = []any{map[string]any{"name": "data", "emptyDir": map[string]any{}}}
		}, []string{"the volumes"}},
		{func(p map[string]any) { p["osType"], p["volumes"] = "Windows", nil }, []string{"the OS type", "the volumes"}},
	} {
		nw := base()
		c.change(nw["properties"].(map[string]any))
		if why := recreateReasons(base(), nw); !reflect.DeepEqual(why, c.want) {
			t.Errorf("recreateReasons = %v, want %v", why, c.want)
		}
	}
}

func TestPsRows(t *testing.T) {
	g := arm.Raw{"properties": map[string]any{
		"instanceView": map[string]any{"state": "Running"},
		"ipAddress":    map[string]any{"ip": "10.1.2.3", "ports": []any{map[string]any{"port": 80.0, "protocol": "TCP"}}},
		"containers": []any{
			map[string]any{"name": "web", "properties": map[string]any{"image": "nginx", "ports": []any{map[string]any{"port": 80.0}, map[string]any{"port": 9090.0, "protocol": "UDP"}},
				"instanceView": map[string]any{"restartCount": 2.0, "currentState": map[string]any{"state": "Running"}}}},
			map[string]any{"name": "job", "properties": map[string]any{"image": "busybox",
				"instanceView": map[string]any{"currentState": map[string]any{"state": "Terminated", "exitCode": 3.0}}}},
			map[string]any{"name": "new", "properties": map[string]any{"image": "x"}},
		}}}
	rows := psRows(g)
	want := []any{
		map[string]any{"service": "web", "image": "nginx", "state": "Running", "ports": "10.1.2.3:80->80/tcp, 9090/udp", "restartCount": 2.0, "exitCode": nil},
		map[string]any{"service": "job", "image": "busybox", "state": "Terminated", "ports": "", "restartCount": 0.0, "exitCode": 3.0},
		map[string]any{"service": "new", "image": "x", "state": "Running", "ports": "", "restartCount": 0.0, "exitCode": nil},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("ps rows:\n%v\nwant\n%v", rows, want)
	}
	tbl, _ := psTable(rows)
	s, err := output.Render(tbl, output.Options{Format: "table", Table: func(v any) (any, error) { return v, nil }})
	if err != nil || !strings.HasPrefix(s, "Service    Image    State       Restarts    Ports\n") {
		t.Fatalf("ps table: %v\n%s", err, s)
	}
}

func TestChooseServicesAndPrefixes(t *testing.T) {
	g := map[string]any{"properties": map[string]any{"containers": []any{map[string]any{"name": "web"}, map[string]any{"name": "database"}}}}
	if s, err := chooseServices(g, nil); err != nil || !reflect.DeepEqual(s, []string{"web", "database"}) {
		t.Fatalf("all: %v %v", s, err)
	}
	if s, err := chooseServices(g, []string{"database"}); err != nil || !reflect.DeepEqual(s, []string{"database"}) {
		t.Fatalf("one: %v %v", s, err)
	}
	if _, err := chooseServices(g, []string{"web", "cache"}); err == nil || err.Error() != "no such service: cache" {
		t.Fatalf("unknown: %v", err)
	}
	ios, _, _, _ := cmdutil.Test()
	p := prefixes(&cmdutil.Factory{IO: ios, ConfigDir: t.TempDir()}, []string{"web", "database"})
	if p["web"] != "web      | " || p["database"] != "database | " {
		t.Fatalf("prefixes %q", p)
	}
	ios.StdoutTTY, ios.StderrTTY = true, true
	t.Setenv("NO_COLOR", "")
	p = prefixes(&cmdutil.Factory{IO: ios, ConfigDir: t.TempDir()}, []string{"web", "database"})
	if !strings.HasPrefix(p["web"], "\x1b[36m") || !strings.HasPrefix(p["database"], "\x1b[33m") {
		t.Fatalf("coloured on a terminal: %q", p)
	}
	for in, want := range map[string][2]string{
		"2026-12-07T10:00:00.5Z hello world": {"2026-12-07T10:00:00.5Z", "hello world"},
		"no stamp here":                      {"", "no stamp here"},
		"notatime rest":                      {"", "notatime rest"},
	} {
		if _, ts, text := splitStamp(in); ts != want[0] || text != want[1] {
			t.Errorf("splitStamp(%q) = %q %q", in, ts, text)
		}
	}
}

// logsFake answers Logs from a script of snapshots per container.
type logsFake struct {
	container.Service
	snaps map[string][]string
	calls []string
}

func (l *logsFake) Logs(_ context.Context, rg, name, c string, tail int32, ts bool) (string, error) {
	l.calls = append(l.calls, c)
	s := l.snaps[c]
	if len(s) == 0 {
		return "", &arm.Error{StatusCode: 400, Code: "ContainerNotRunning", Message: "not yet"}
	}
	out := s[0]
	if len(s) > 1 {
		l.snaps[c] = s[1:]
	}
	if tail > 0 {
		lines := strings.SplitAfter(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) > int(tail) {
			out = strings.Join(lines[len(lines)-int(tail):], "")
		}
		if !strings.HasSuffix(out, "\n") {
			out += "\n"
		}
	}
	return out, nil
}

func TestLogStreamsMergeInTimeOrder(t *testing.T) {
	fake := &logsFake{snaps: map[string][]string{
		"web": {"2026-01-01T00:00:01Z web one\n2026-01-01T00:00:03Z web two\n",
			"2026-01-01T00:00:01Z web one\n2026-01-01T00:00:03Z web two\n2026-01-01T00:00:05Z web three\n"},
		"db": {"2026-01-01T00:00:02Z db one\n2026-01-01T00:00:03Z db two\nno stamp\n"},
	}}
	ios, _, out, _ := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir()}
	services := []string{"web", "db", "late"}
	lg := &logStreams{f: f, svc: fake, rg: "rg", group: "g", o: &logsOptions{}, prefix: prefixes(f, services), followers: map[string]*container.Follower{}}
	for _, s := range services {
		lg.followers[s] = &container.Follower{}
	}
	for round := 0; round < 2; round++ {
		batch, err := lg.collect(services, round)
		if err != nil {
			t.Fatal(err)
		}
		lg.print(batch)
	}
	// Lines without a stamp sort first (zero time); ties keep arrival order;
	// the second round prints only what is new; "late" has not started.
	want := "db   | no stamp\nweb  | web one\ndb   | db one\nweb  | web two\ndb   | db two\nweb  | web three\n"
	if out.String() != want {
		t.Fatalf("merged:\n%s\nwant\n%s", out.String(), want)
	}
	out.Reset()
	lg.o.timestamps = true
	lg.print([]logLine{{service: "web", ts: "2026-01-01T00:00:09Z", text: "x"}})
	if out.String() != "web  | 2026-01-01T00:00:09Z x\n" {
		t.Fatalf("--timestamps: %q", out.String())
	}
	// Another service error stops the stream.
	failing := &failLogs{}
	lg.svc = failing
	if _, err := lg.collect([]string{"web"}, 2); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("a failed read: %v", err)
	}
}

type failLogs struct{ container.Service }

func (failLogs) Logs(context.Context, string, string, string, int32, bool) (string, error) {
	return "", &arm.Error{StatusCode: 500, Code: "InternalError", Message: "boom"}
}

func TestLogsTailThenFollow(t *testing.T) {
	full := "2026-01-01T00:00:01Z a\n2026-01-01T00:00:02Z b\n2026-01-01T00:00:03Z c\n"
	fake := &logsFake{snaps: map[string][]string{"web": {full, full, full + "2026-01-01T00:00:04Z d\n"}}}
	ios, _, out, _ := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir()}
	lg := &logStreams{f: f, svc: fake, rg: "rg", group: "g", o: &logsOptions{tail: 1, follow: true}, prefix: map[string]string{"web": ""},
		followers: map[string]*container.Follower{"web": {}}}
	for round := 0; round < 2; round++ {
		batch, err := lg.collect([]string{"web"}, round)
		if err != nil {
			t.Fatal(err)
		}
		lg.print(batch)
	}
	// --tail 1 shows the last line; following then prints only what is new,
	// not the lines the tail left out.
	if out.String() != "c\nd\n" {
		t.Fatalf("tail then follow: %q", out.String())
	}
}
