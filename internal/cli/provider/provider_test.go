package provider_test

import (
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/clitest"
)

const ns = "Microsoft.ClassicInfrastructureMigrate"

func TestScenario(t *testing.T) {
	s := clitest.NewServer(t)
	s.LoadCassette(t, "resource/test_provider_registration.yaml")
	e := clitest.NewEnv(t, s)

	r := e.Run("provider", "show", "-n", ns, "-o", "table")
	want := "Namespace                               RegistrationPolicy    RegistrationState\n" +
		"--------------------------------------  --------------------  -------------------\n" +
		ns + "  RegistrationRequired  Unregistered\n"
	if r.Code != 0 || r.Stdout != want {
		t.Fatalf("show table: %+v", r)
	}
	r = e.Run("provider", "register", "-n", ns)
	if r.Code != 0 || r.Stdout != "" || r.Stderr != "WARNING: Registering is still on-going. You can monitor using 'aci provider show -n "+ns+"'\n" {
		t.Fatalf("register: %+v", r)
	}
	if rs := s.Requests(); rs[len(rs)-1].Method != "POST" || !strings.HasSuffix(rs[len(rs)-1].Path, "/providers/"+ns+"/register") {
		t.Fatalf("register request: %+v", rs[len(rs)-1])
	}
	if r := e.Run("provider", "show", "-n", ns, "--query", "registrationState", "-o", "tsv"); r.Stdout != "Registering\n" {
		t.Fatalf("state: %+v", r)
	}
	if r := e.Run("provider", "unregister", "-n", ns, "--only-show-errors"); r.Code != 0 || r.Stderr != "" {
		t.Fatalf("unregister: %+v", r)
	}
	r = e.Run("provider", "show", "-n", ns, "-o", "yaml", "--query", "resourceTypes[0]")
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "aliases: null\napiProfiles: null\napiVersions:\n- '2015-06-15'\ncapabilities: None\n") {
		t.Fatalf("yaml: %s", r.Stdout)
	}
}

func TestRegisterWait(t *testing.T) {
	s := clitest.NewServer(t)
	p := "/subscriptions/" + clitest.Subscription + "/providers/Microsoft.ContainerInstance"
	s.Add("POST", p+"/register", clitest.Response{Status: 200, Body: `{"namespace":"Microsoft.ContainerInstance","registrationState":"Registering"}`})
	s.Add("GET", p, clitest.Response{Status: 200, Body: `{"namespace":"Microsoft.ContainerInstance","registrationState":"Registering"}`})
	s.Add("GET", p, clitest.Response{Status: 200, Body: `{"namespace":"Microsoft.ContainerInstance","registrationState":"Registered"}`})
	e := clitest.NewEnv(t, s)
	r := e.Run("provider", "register", "-n", "Microsoft.ContainerInstance", "--wait")
	if r.Code != 0 || r.Stdout != "" || r.Stderr != "" {
		t.Fatalf("%+v", r)
	}
	if n := len(s.Requests()); n != 3 {
		t.Fatalf("want POST + 2 GETs, got %d", n)
	}
}
