package arm

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

type staticCred string

func (s staticCred) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(s), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// The registry client does ACR's challenge and token exchange over the
// factory's transport: the login's AAD token becomes a refresh token, then a
// scoped access token, which the retried request carries.
func TestDataPlaneRegistryTokenExchange(t *testing.T) {
	ca := newTestCA(t)
	var mu sync.Mutex
	var steps []string
	srv := tlsServer(t, ca.issue(t, []string{"*.acr.aci.localhost"}, []net.IP{net.ParseIP("127.0.0.1")}), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.URL.Path == "/oauth2/exchange":
			steps = append(steps, "exchange:"+r.PostForm.Get("grant_type")+":"+r.PostForm.Get("access_token")+":"+r.PostForm.Get("service"))
			// ACR's refresh tokens are JWTs; the SDK reads their expiry.
			w.Write([]byte(`{"refresh_token":"eyJhbGciOiJub25lIn0.` + base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"exp":%d}`, time.Now().Add(time.Hour).Unix()))) + `.c2ln"}`))
		case r.URL.Path == "/oauth2/token":
			steps = append(steps, "token:"+r.PostForm.Get("grant_type")+":"+strings.SplitN(r.PostForm.Get("refresh_token"), ".", 2)[0]+":"+r.PostForm.Get("scope"))
			w.Write([]byte(`{"access_token":"ACCESS"}`))
		case r.URL.Path == "/acr/v1/_catalog" && r.Header.Get("Authorization") == "Bearer ACCESS":
			steps = append(steps, "catalog")
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"repositories":["hello","tools/app"]}`))
		default:
			steps = append(steps, "challenge")
			w.Header().Set("WWW-Authenticate", `Bearer realm="https://`+r.Host+`/oauth2/token",service="`+strings.Split(r.Host, ":")[0]+`",scope="registry:catalog:*"`)
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	cloud := &Cloud{Name: "local", CABundle: ca.file, LoopbackSuffix: "aci.localhost", Endpoints: map[string]string{"resourceManager": srv.URL + "/"}}
	co, err := ClientOptions(Options{Version: "test"}, cloud)
	if err != nil {
		t.Fatal(err)
	}
	dp := (&Client{Cred: staticCred("AAD-TOKEN"), Options: co}).DataPlane(cloud)
	rc, err := dp.Registry("myreg.acr.aci.localhost:" + port)
	if err != nil {
		t.Fatal(err)
	}
	pager := rc.NewListRepositoriesPager(nil)
	var repos []string
	for pager.More() {
		page, err := pager.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list repositories: %v (steps %v)", err, steps)
		}
		for _, r := range page.Repositories.Names {
			repos = append(repos, *r)
		}
	}
	want := []string{"challenge", "exchange:access_token:AAD-TOKEN:myreg.acr.aci.localhost", "token:refresh_token:eyJhbGciOiJub25lIn0:registry:catalog:*", "catalog"}
	if strings.Join(steps, "|") != strings.Join(want, "|") || strings.Join(repos, ",") != "hello,tools/app" {
		t.Fatalf("steps %v, repositories %v", steps, repos)
	}
	if _, err := dp.Registry("https://x/y"); err == nil {
		t.Fatal("a URL was taken for a login server")
	}
}

// The file client signs with Shared Key, a SAS or the AAD token (with the
// backup intent Azure Files demands), all by the SDK.
func TestDataPlaneFileServiceAuth(t *testing.T) {
	ca := newTestCA(t)
	var mu sync.Mutex
	var got []string
	srv := tlsServer(t, ca.issue(t, []string{"*.file.aci.localhost"}, []net.IP{net.ParseIP("127.0.0.1")}), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth := r.Header.Get("Authorization")
		switch {
		case strings.HasPrefix(auth, "SharedKey acct:") && r.Header.Get("x-ms-date") != "":
			got = append(got, "sharedkey")
		case auth == "" && r.URL.Query().Get("sig") == "SIG":
			got = append(got, "sas")
		case auth == "Bearer AAD-TOKEN":
			got = append(got, "aad")
		default:
			got = append(got, "unauthenticated: "+auth)
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("x-ms-version", "2025-01-05")
		w.Write([]byte(`<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://` + r.Host + `/"><Shares><Share><Name>data</Name><Properties><Last-Modified>Sun, 29 Nov 2026 12:00:00 GMT</Last-Modified><Etag>"0x1"</Etag><Quota>5</Quota></Properties></Share></Shares><NextMarker /></EnumerationResults>`))
	}))
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	cloud := &Cloud{Name: "local", CABundle: ca.file, LoopbackSuffix: "aci.localhost",
		Endpoints: map[string]string{"resourceManager": srv.URL + "/"}, Suffixes: map[string]string{"storageEndpoint": "aci.localhost:" + port}}
	co, _ := ClientOptions(Options{Version: "test"}, cloud)
	dp := (&Client{Cred: staticCred("AAD-TOKEN"), Options: co}).DataPlane(cloud)
	if u, _ := dp.FileServiceURL("acct"); u != "https://acct.file.aci.localhost:"+port+"/" {
		t.Fatalf("file endpoint %s", u)
	}
	for _, auth := range []StorageAuth{{AccountKey: "a2V5a2V5a2V5"}, {SAS: url.Values{"sv": {"2025-01-05"}, "sig": {"SIG"}}.Encode()}, {}} {
		fc, err := dp.FileServiceAt("", "acct", auth)
		if err != nil {
			t.Fatal(err)
		}
		pager := fc.NewListSharesPager(nil)
		page, err := pager.NextPage(context.Background())
		if err != nil {
			t.Fatalf("%+v: %v", auth, err)
		}
		if len(page.Shares) != 1 || *page.Shares[0].Name != "data" {
			t.Fatalf("%+v: shares %+v", auth, page.Shares)
		}
	}
	if strings.Join(got, ",") != "sharedkey,sas,aad" {
		t.Fatalf("authentication seen: %v", got)
	}
}
