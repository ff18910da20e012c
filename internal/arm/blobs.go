package arm

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
)

// UploadBlob uploads a file to a blob SAS URL (an ACR build context) with the
// SDK's block-blob client: one Put Blob, or blocks for large files.
func (d *DataPlane) UploadBlob(ctx context.Context, sasURL string, f *os.File) error {
	c, err := blockblob.NewClientWithNoCredential(sasURL, &blockblob.ClientOptions{ClientOptions: d.Options})
	if err != nil {
		return err
	}
	_, err = c.UploadFile(ctx, f, nil)
	return Wrap(err)
}

// FollowAppendBlob copies an append blob (a run log) to w as it grows, until
// its metadata says "Complete", and returns that status ("succeeded",
// "failed", ...). It polls every interval, as az polls the log of a run.
func (d *DataPlane) FollowAppendBlob(ctx context.Context, sasURL string, w io.Writer, interval time.Duration) (string, error) {
	c, err := blob.NewClientWithNoCredential(sasURL, &blob.ClientOptions{ClientOptions: d.Options})
	if err != nil {
		return "", err
	}
	var offset int64
	for {
		props, err := c.GetProperties(ctx, nil)
		var re *azcore.ResponseError
		if errors.As(err, &re) && re.StatusCode == 404 {
			props, err = blob.GetPropertiesResponse{}, nil // not written yet
		}
		if err != nil {
			return "", Wrap(err)
		}
		size := int64(0)
		if props.ContentLength != nil {
			size = *props.ContentLength
		}
		if size > offset {
			resp, err := c.DownloadStream(ctx, &blob.DownloadStreamOptions{Range: blob.HTTPRange{Offset: offset, Count: size - offset}})
			if err != nil {
				return "", Wrap(err)
			}
			n, err := io.Copy(w, resp.Body)
			resp.Body.Close()
			offset += n
			if err != nil {
				return "", err
			}
		}
		for k, v := range props.Metadata {
			if strings.EqualFold(k, "complete") && v != nil && size <= offset {
				return *v, nil
			}
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(interval):
		}
	}
}
