package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/pkg/jsonmessage"
)

// Build runs a build on the engine: nothing is pulled (base images must be
// on this machine or in a loopback registry), intermediate containers are
// removed, and the engine's progress is written as plain text.
func (d *DockerRuntime) Build(ctx context.Context, contextTar io.Reader, dockerfile string, tags []string, args map[string]*string, out io.Writer) error {
	resp, err := d.cli.ImageBuild(ctx, contextTar, build.ImageBuildOptions{Tags: tags, Dockerfile: dockerfile, BuildArgs: args,
		Remove: true, ForceRemove: true, PullParent: false, Version: build.BuilderV1})
	if err != nil {
		return fmt.Errorf("the build could not start: %s", plainError(err))
	}
	defer resp.Body.Close()
	return streamMessages(resp.Body, out)
}

// HasImage reports whether the engine holds ref.
func (d *DockerRuntime) HasImage(ctx context.Context, ref string) bool {
	_, err := d.cli.ImageInspect(ctx, ref)
	return err == nil
}

// Push pushes ref to its (loopback) registry.
func (d *DockerRuntime) Push(ctx context.Context, ref, username, password string, out io.Writer) (string, error) {
	b, _ := json.Marshal(map[string]string{"username": username, "password": password, "serveraddress": strings.SplitN(ref, "/", 2)[0]})
	rc, err := d.cli.ImagePush(ctx, ref, image.PushOptions{RegistryAuth: encodeAuth(b)})
	if err != nil {
		return "", fmt.Errorf("pushing %s failed: %s", ref, plainError(err))
	}
	defer rc.Close()
	var digest string
	err = jsonmessage.DisplayJSONMessagesStream(rc, out, 0, false, func(m jsonmessage.JSONMessage) {
		if m.Aux != nil {
			var aux struct{ Digest string }
			if json.Unmarshal(*m.Aux, &aux) == nil && aux.Digest != "" {
				digest = aux.Digest
			}
		}
	})
	if err != nil {
		return "", fmt.Errorf("pushing %s failed: %s", ref, plainError(err))
	}
	return digest, nil
}

func streamMessages(r io.Reader, out io.Writer) error {
	err := jsonmessage.DisplayJSONMessagesStream(r, out, 0, false, nil)
	var je *jsonmessage.JSONError
	if errors.As(err, &je) {
		return errors.New(je.Message)
	}
	return err
}

// plainError drops the daemon's "Error response from daemon:" prefix.
func plainError(err error) string {
	return strings.TrimPrefix(err.Error(), "Error response from daemon: ")
}
