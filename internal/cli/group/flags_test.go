package group

// Flag parsing apart from behaviour: each command runs with a run function
// that captures its options, so no service is called.

import (
	"reflect"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

func parse(t *testing.T, cmd *cobra.Command, args ...string) error {
	t.Helper()
	cmd.SetArgs(cmdutil.ExpandNArgs(cmd, args))
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.Execute()
}

func testFactory(t *testing.T) *cmdutil.Factory {
	io, _, _, _ := cmdutil.Test()
	return &cmdutil.Factory{IO: io, ConfigDir: t.TempDir()}
}

func TestCreateFlags(t *testing.T) {
	var got *CreateOptions
	cmd := newCreate(testFactory(t), func(o *CreateOptions) error { got = o; return nil })
	if err := parse(t, cmd, "-n", "rg", "-l", "westus", "--tags", "a=b", "c", "--managed-by", "me"); err != nil {
		t.Fatal(err)
	}
	if got.Name != "rg" || got.Location != "westus" || !reflect.DeepEqual(got.Tags, []string{"a=b", "c"}) || got.ManagedBy != "me" {
		t.Fatalf("%+v", got)
	}
}

func TestUpdateFlags(t *testing.T) {
	var got *UpdateOptions
	cmd := newUpdate(testFactory(t), func(o *UpdateOptions) error { got = o; return nil })
	if err := parse(t, cmd, "-g", "rg", "--set", "tags.a=1", "--add", "properties.list", "x=1", "y=2", "--remove", "tags.b", "--force-string"); err != nil {
		t.Fatal(err)
	}
	if got.Name != "rg" || !reflect.DeepEqual(got.Set, []string{"tags.a=1"}) || !reflect.DeepEqual(got.Add, []string{"properties.list", "x=1", "y=2"}) ||
		!reflect.DeepEqual(got.Rem, []string{"tags.b"}) || !got.ForceString {
		t.Fatalf("%+v", got)
	}
}

func TestWaitFlags(t *testing.T) {
	var got *WaitOptions
	cmd := newWait(testFactory(t), func(o *WaitOptions) error { got = o; return nil })
	if err := parse(t, cmd, "-n", "rg", "--deleted", "--interval", "1", "--timeout", "5"); err != nil {
		t.Fatal(err)
	}
	if got.Name != "rg" || !got.Deleted || got.Interval.D() != time.Second || got.Timeout.D() != 5*time.Second {
		t.Fatalf("%+v", got)
	}
	// az's integer seconds, or a Go duration, alike on every wait command.
	cmd = newWait(testFactory(t), func(o *WaitOptions) error { got = o; return nil })
	if err := parse(t, cmd, "-n", "rg", "--exists", "--interval", "500ms", "--timeout", "2m"); err != nil {
		t.Fatal(err)
	}
	if got.Interval.D() != 500*time.Millisecond || got.Timeout.D() != 2*time.Minute {
		t.Fatalf("durations: %+v", got)
	}
	cmd = newWait(testFactory(t), func(o *WaitOptions) error { return nil })
	if err := parse(t, cmd, "-n", "rg", "--exists", "--timeout", "-5"); err == nil {
		t.Fatal("a negative timeout was taken")
	}
	// Without a condition the command refuses before its run function.
	got = nil
	cmd = newWait(testFactory(t), func(o *WaitOptions) error { got = o; return nil })
	if err := parse(t, cmd, "-n", "rg"); err == nil || got != nil {
		t.Fatalf("no condition: %v %+v", err, got)
	}
}

func TestDeleteAndListFlags(t *testing.T) {
	var d *DeleteOptions
	cmd := newDelete(testFactory(t), func(o *DeleteOptions) error { d = o; return nil })
	if err := parse(t, cmd, "-n", "rg", "--yes", "--no-wait"); err != nil {
		t.Fatal(err)
	}
	if d.Name != "rg" || !d.Yes || !d.NoWait {
		t.Fatalf("%+v", d)
	}
	var l *ListOptions
	cmd = newList(testFactory(t), func(o *ListOptions) error { l = o; return nil })
	if err := parse(t, cmd, "--tag", "env=prod"); err != nil {
		t.Fatal(err)
	}
	if l.Tag != "env=prod" {
		t.Fatalf("%+v", l)
	}
}
