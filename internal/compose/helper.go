package compose

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/aci-cli/aci/internal/compose/model"
	"github.com/sirupsen/logrus"
)

// Serve answers one request: the project loaded and converted (or printed
// resolved), with every warning compose-go or the conversion gave.
func Serve(ctx context.Context, req model.Request) model.Response {
	var resp model.Response
	var mu sync.Mutex
	warn := func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		resp.Warnings = append(resp.Warnings, msg)
	}
	logrus.SetOutput(io.Discard)
	logrus.StandardLogger().ReplaceHooks(logrus.LevelHooks{})
	logrus.AddHook(warnHook(warn))
	p, err := Load(ctx, LoadOptions{Files: req.Files, Project: req.Project, WorkDir: req.WorkDir, Profiles: req.Profiles, EnvFiles: req.EnvFiles})
	if err != nil {
		resp.Error = err.Error()
		return resp
	}
	switch req.Op {
	case "config":
		var b []byte
		if req.Format == "json" {
			b, err = p.MarshalJSON()
			b = append(b, '\n')
		} else {
			b, err = p.MarshalYAML()
		}
		if err != nil {
			resp.Error = err.Error()
		}
		resp.Config = string(b)
	case "convert":
		r, err := Convert(p, Options{Location: req.Location, AllowUnsupported: req.AllowUnsupported, HostsInit: req.HostsInit,
			Warn: func(f string, a ...any) { warn(fmt.Sprintf(f, a...)) }})
		if err != nil {
			resp.Error = err.Error()
			return resp
		}
		resp.Result = r
	default:
		resp.Error = fmt.Sprintf("unknown operation %q", req.Op)
	}
	return resp
}

type warnHook func(string)

func (warnHook) Levels() []logrus.Level { return []logrus.Level{logrus.WarnLevel, logrus.ErrorLevel} }
func (h warnHook) Fire(e *logrus.Entry) error {
	h(strings.TrimSpace(e.Message))
	return nil
}

// ServeStdio reads a request from r and writes the response to w: the
// aci-local helper's protocol.
func ServeStdio(ctx context.Context, r io.Reader, w io.Writer) error {
	var req model.Request
	if err := json.NewDecoder(io.LimitReader(r, 1<<20)).Decode(&req); err != nil {
		return errors.New("the request must be one JSON object")
	}
	return json.NewEncoder(w).Encode(Serve(ctx, req))
}
