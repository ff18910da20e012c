package containerinstance

import (
	"testing"

	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/coretest"
)

// harness is coretest's, with this provider's helpers as methods.
type harness struct{ *coretest.Harness }

func start(t *testing.T, dir string) *harness { return &harness{coretest.Start(t, dir)} }

func startWith(t *testing.T, o core.Options, setup func(*core.Server)) *harness {
	return &harness{coretest.StartWith(t, o, setup)}
}

const v = coretest.V
