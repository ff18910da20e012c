package storage

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
)

// A range that fails ends the download with the service's error, not with
// the "context canceled" of the range that was still in flight.
func TestDownloadRangesReportsTheFailure(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("x-ms-range"), "bytes=0-") {
			w.Header().Set("x-ms-error-code", "AuthorizationFailure")
			w.WriteHeader(403)
			return
		}
		<-r.Context().Done() // the other range hangs until it is given up
	}))
	defer srv.Close()
	fc, err := file.NewClientWithNoCredential(srv.URL+"/share/big.bin", nil)
	if err != nil {
		t.Fatal(err)
	}
	fh, err := os.Create(filepath.Join(t.TempDir(), "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var got []int64
	err = downloadRanges(context.Background(), fc, fh, 3*file.DefaultDownloadChunkSize, func(n int64) { got = append(got, n) })
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.ErrorCode != "AuthorizationFailure" {
		t.Fatalf("error %v, want the service's AuthorizationFailure", err)
	}
	if len(got) != 0 {
		t.Fatalf("progress reported for ranges that failed: %v", got)
	}
}
