package storage_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/lease"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/service"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"
)

// Stored access policies, through the real azfile client: Set Share ACL
// keeps them, Get Share ACL returns them, and a SAS naming one (si) gets
// its permissions and window from it, until the policy is changed.
func TestShareACLAndStoredPolicySAS(t *testing.T) {
	e := start(t)
	e.create(t, "rg", "acl1")
	keys := e.keys(t, "rg", "acl1")
	ctx := context.Background()
	cred, err := service.NewSharedKeyCredential("acl1", keys[0])
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.NewClientWithSharedKeyCredential(e.acc.FileEndpoint("acl1"), cred, e.opts())
	if err != nil {
		t.Fatal(err)
	}
	sc := svc.NewShareClient("pol")
	if _, err := sc.Create(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.NewRootDirectoryClient().NewFileClient("a.txt").Create(ctx, 3, nil); err != nil {
		t.Fatal(err)
	}
	got, err := sc.GetAccessPolicy(ctx, nil)
	if err != nil || len(got.SignedIdentifiers) != 0 {
		t.Fatalf("a new share's ACL: %v %+v", err, got.SignedIdentifiers)
	}
	expiry := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	setPolicy := func(perm string) {
		t.Helper()
		if _, err := sc.SetAccessPolicy(ctx, &share.SetAccessPolicyOptions{ShareACL: []*share.SignedIdentifier{{
			ID: to.Ptr("readers"), AccessPolicy: &share.AccessPolicy{Expiry: &expiry, Permission: to.Ptr(perm)}}}}); err != nil {
			t.Fatalf("set ACL: %v", err)
		}
	}
	setPolicy("r")
	got, err = sc.GetAccessPolicy(ctx, nil)
	if err != nil || len(got.SignedIdentifiers) != 1 || *got.SignedIdentifiers[0].ID != "readers" ||
		*got.SignedIdentifiers[0].AccessPolicy.Permission != "r" || !got.SignedIdentifiers[0].AccessPolicy.Expiry.Equal(expiry) {
		t.Fatalf("ACL after set: %v %+v", err, got.SignedIdentifiers)
	}
	sasClient := func(v sas.SignatureValues) *file.Client {
		t.Helper()
		v.ShareName, v.FilePath = "pol", "a.txt"
		qp, err := v.SignWithSharedKey(cred)
		if err != nil {
			t.Fatal(err)
		}
		fc, err := file.NewClientWithNoCredential(e.acc.FileEndpoint("acl1")+"pol/a.txt?"+qp.Encode(), &file.ClientOptions{ClientOptions: e.opts().ClientOptions})
		if err != nil {
			t.Fatal(err)
		}
		return fc
	}
	viaPolicy := sasClient(sas.SignatureValues{Protocol: sas.ProtocolHTTPS, Identifier: "readers"})
	if _, err := viaPolicy.GetProperties(ctx, nil); err != nil {
		t.Fatalf("read through the policy: %v", err)
	}
	if _, err := viaPolicy.SetMetadata(ctx, &file.SetMetadataOptions{Metadata: map[string]*string{"k": to.Ptr("v")}}); code(err) != "AuthorizationPermissionMismatch" {
		t.Fatalf("write through a read policy: %v", err)
	}
	// Every operation needs its permission, the handle ones too.
	if _, err := sasClient(sas.SignatureValues{Protocol: sas.ProtocolHTTPS, ExpiryTime: expiry, Permissions: "w"}).ListHandles(ctx, nil); code(err) != "AuthorizationPermissionMismatch" {
		t.Fatalf("list handles without r: %v", err)
	}
	if _, err := viaPolicy.ListHandles(ctx, nil); err != nil {
		t.Fatalf("list handles with r: %v", err)
	}
	// Changing the policy changes what every SAS naming it may do.
	setPolicy("rw")
	if _, err := viaPolicy.SetMetadata(ctx, &file.SetMetadataOptions{Metadata: map[string]*string{"k": to.Ptr("v")}}); err != nil {
		t.Fatalf("write once the policy allows it: %v", err)
	}
	// A field given by both the SAS and the policy, or a policy that is
	// gone, is refused.
	both := sasClient(sas.SignatureValues{Protocol: sas.ProtocolHTTPS, Identifier: "readers", Permissions: "r"})
	if _, err := both.GetProperties(ctx, nil); code(err) != "AuthenticationFailed" {
		t.Fatalf("SAS and policy both give permissions: %v", err)
	}
	if _, err := sc.SetAccessPolicy(ctx, &share.SetAccessPolicyOptions{}); err != nil {
		t.Fatalf("clear ACL: %v", err)
	}
	if _, err := viaPolicy.GetProperties(ctx, nil); code(err) != "AuthenticationFailed" {
		t.Fatalf("SAS of a removed policy: %v", err)
	}
	six := make([]*share.SignedIdentifier, 6)
	for i := range six {
		six[i] = &share.SignedIdentifier{ID: to.Ptr(string(rune('a' + i))), AccessPolicy: &share.AccessPolicy{Permission: to.Ptr("r")}}
	}
	if _, err := sc.SetAccessPolicy(ctx, &share.SetAccessPolicyOptions{ShareACL: six}); code(err) != "InvalidXmlDocument" {
		t.Fatalf("six policies (Azure keeps five): %v", err)
	}
}

// Leases as Azure Files keeps them: a leased file takes writes only from
// its lease's holder, reads stay open, and release or break ends it; a
// leased share cannot be deleted without its lease.
func TestLeases(t *testing.T) {
	e := start(t)
	e.create(t, "rg", "lease1")
	keys := e.keys(t, "rg", "lease1")
	ctx := context.Background()
	svc := e.client(t, "lease1", keys[0])
	sc := svc.NewShareClient("leased")
	if _, err := sc.Create(ctx, nil); err != nil {
		t.Fatal(err)
	}
	fc := sc.NewRootDirectoryClient().NewFileClient("f.txt")
	if _, err := fc.Create(ctx, 5, nil); err != nil {
		t.Fatal(err)
	}
	lc, err := lease.NewFileClient(fc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lc.Acquire(ctx, nil); err != nil {
		t.Fatalf("acquire: %v", err)
	}
	other, _ := lease.NewFileClient(fc, &lease.FileClientOptions{LeaseID: to.Ptr("11111111-1111-1111-1111-111111111111")})
	if _, err := other.Acquire(ctx, nil); code(err) != "LeaseAlreadyPresent" {
		t.Fatalf("second acquire: %v", err)
	}
	props, err := fc.GetProperties(ctx, nil)
	if err != nil || string(*props.LeaseState) != "leased" || string(*props.LeaseStatus) != "locked" {
		t.Fatalf("leased file's properties: %v %+v", err, props)
	}
	if _, err := fc.UploadRange(ctx, 0, streamOf("hello"), nil); code(err) != "LeaseIdMissing" {
		t.Fatalf("write without the lease: %v", err)
	}
	if _, err := fc.Delete(ctx, &file.DeleteOptions{LeaseAccessConditions: &file.LeaseAccessConditions{LeaseID: to.Ptr("11111111-1111-1111-1111-111111111111")}}); code(err) != "LeaseIdMismatchWithFileOperation" {
		t.Fatalf("delete with another lease: %v", err)
	}
	if _, err := fc.UploadRange(ctx, 0, streamOf("hello"), &file.UploadRangeOptions{LeaseAccessConditions: &file.LeaseAccessConditions{LeaseID: lc.LeaseID()}}); err != nil {
		t.Fatalf("write with the lease: %v", err)
	}
	if _, err := lc.Release(ctx, nil); err != nil {
		t.Fatalf("release: %v", err)
	}
	if _, err := fc.SetMetadata(ctx, &file.SetMetadataOptions{Metadata: map[string]*string{"a": to.Ptr("b")}}); err != nil {
		t.Fatalf("write after release: %v", err)
	}
	if _, err := lc.Acquire(ctx, nil); err != nil {
		t.Fatalf("acquire again: %v", err)
	}
	if _, err := lc.Break(ctx, nil); err != nil {
		t.Fatalf("break: %v", err)
	}
	if props, err := fc.GetProperties(ctx, nil); err != nil || string(*props.LeaseState) != "broken" {
		t.Fatalf("after break: %v", err)
	}
	if _, err := fc.Delete(ctx, nil); err != nil {
		t.Fatalf("delete after break: %v", err)
	}

	sl, err := lease.NewShareClient(sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sl.Acquire(ctx, 15, nil); err != nil {
		t.Fatalf("share acquire: %v", err)
	}
	if _, err := sl.Renew(ctx, nil); err != nil {
		t.Fatalf("share renew: %v", err)
	}
	if _, err := sc.Delete(ctx, nil); code(err) != "LeaseIdMissing" {
		t.Fatalf("delete a leased share: %v", err)
	}
	if _, err := sc.Delete(ctx, &share.DeleteOptions{LeaseAccessConditions: &share.LeaseAccessConditions{LeaseID: sl.LeaseID()}}); err != nil {
		t.Fatalf("delete with the share's lease: %v", err)
	}
}

func streamOf(s string) io.ReadSeekCloser { return streaming.NopCloser(strings.NewReader(s)) }
