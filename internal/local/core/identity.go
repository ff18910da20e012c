package core

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/aci-cli/aci/internal/local/wire"
	"github.com/google/uuid"
)

// Identity is the local tenant: its subscription, its service principal and the key
// that signs tokens. Secrets live in principals.json, mode 0600.
type Identity struct {
	wire.Principals
	key *rsa.PrivateKey
}

// PublicKey is the key that verifies the tenant's tokens.
func (i *Identity) PublicKey() *rsa.PublicKey { return &i.key.PublicKey }

// RandomSecret is 24 random bytes, hex-encoded.
func RandomSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// loadIdentity reads or creates the tenant's identity in the state dir.
func loadIdentity(dir string) (*Identity, error) {
	path := wire.PrincipalsFile(dir)
	id := &Identity{}
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, id); err != nil {
			return nil, err
		}
	case os.IsNotExist(err):
		id = &Identity{Principals: wire.Principals{TenantID: uuid.NewString(), SubscriptionID: uuid.NewString(), ClientID: uuid.NewString(),
			ClientSecret: RandomSecret(), UserName: "user@aci.local", UserPassword: RandomSecret()}}
	default:
		return nil, err
	}
	if id.MSISecret == "" { // new, or written by a version without one
		id.MSISecret = RandomSecret()
		b, _ := json.MarshalIndent(id, "", "  ")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return nil, err
		}
	}
	keyPath := filepath.Join(dir, "token-signing-key.pem")
	if b, err := os.ReadFile(keyPath); err == nil {
		k, err := x509.ParsePKCS1PrivateKey(pemBlock(b))
		if err != nil {
			return nil, err
		}
		id.key = k
		return id, nil
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	if err := writePEM(keyPath, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k), 0o600); err != nil {
		return nil, err
	}
	id.key = k
	return id, nil
}
