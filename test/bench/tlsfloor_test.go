package bench

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"os"
	"sync"
	"testing"
	"time"
)

// tlsFloor copies src to dst through TLS on loopback as any HTTPS file
// service must, and nothing else: two streams (as the upload's two ranges in
// flight), each reading its half of the file a MiB at a time, encrypting,
// decrypting and writing it. Its time is what TLS and two copies cost on
// this machine, the floor under aci's upload and download, set beside cp's.
func tlsFloor(b *testing.B, src, dst string) time.Duration {
	b.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		b.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	st, err := os.Stat(src)
	if err != nil {
		b.Fatal(err)
	}
	size := st.Size()
	in, _ := os.Open(src)
	defer in.Close()
	out, _ := os.Create(dst)
	defer out.Close()
	half := size / 2
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := range 2 {
		off, n := int64(i)*half, half
		if i == 1 {
			n = size - half
		}
		wg.Add(2)
		go func() { // the receiving end
			defer wg.Done()
			c, err := ln.Accept()
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			var at int64
			if err := readInt(c, &at); err != nil {
				errs <- err
				return
			}
			errs <- copyChunks(io.NewOffsetWriter(out, at), c, n)
		}()
		go func() { // the sending end
			defer wg.Done()
			c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true})
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			if err := writeInt(c, off); err != nil {
				errs <- err
				return
			}
			errs <- copyChunks(c, io.NewSectionReader(in, off, n), n)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}

func copyChunks(w io.Writer, r io.Reader, n int64) error {
	buf := make([]byte, 1<<20)
	for n > 0 {
		k := min(n, int64(len(buf)))
		if _, err := io.ReadFull(r, buf[:k]); err != nil {
			return err
		}
		if _, err := w.Write(buf[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

func writeInt(w io.Writer, v int64) error {
	var b [8]byte
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
	_, err := w.Write(b[:])
	return err
}

func readInt(r io.Reader, v *int64) error {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return err
	}
	for i := range b {
		*v |= int64(b[i]) << (8 * i)
	}
	return nil
}
