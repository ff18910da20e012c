package core

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketResources  = []byte("resources")
	bucketOperations = []byte("operations")
	bucketMeta       = []byte("meta")
)

// ErrNotFound is returned by Store getters.
var ErrNotFound = errors.New("not found")

// Resource is one stored ARM resource: its wire body and bookkeeping.
type Resource struct {
	ID      string          `json:"id"`   // as the creator cased it
	Type    string          `json:"type"` // Microsoft.Resources/resourceGroups, ...
	Group   string          `json:"group,omitempty"`
	Body    json.RawMessage `json:"body"`
	Private json.RawMessage `json:"private,omitempty"` // secrets and runtime state, never returned by GET
	Created time.Time       `json:"created"`
	Updated time.Time       `json:"updated"`
}

// Operation is an asynchronous operation's status resource.
type Operation struct {
	ID        string          `json:"id"`
	Kind      string          `json:"kind"`   // what resumes it after a restart
	Target    string          `json:"target"` // the resource it acts on
	Status    string          `json:"status"` // InProgress, Succeeded, Failed, Canceled
	StartTime time.Time       `json:"startTime"`
	EndTime   *time.Time      `json:"endTime,omitempty"`
	Error     *ErrorBody      `json:"error,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
}

// ErrorBody is ARM's error object.
type ErrorBody struct {
	Code    string      `json:"code"`
	Message string      `json:"message"`
	Target  string      `json:"target,omitempty"`
	Details []ErrorBody `json:"details,omitempty"`
}

// Store is the bbolt database in the state dir. Every resource's Private part
// (secure environment values, registry passwords, secret volumes, keys) is
// sealed with AES-256-GCM under a key kept in its own file (secrets.key, 0600)
// beside the database, so a copy of state.db alone (a backup, a bug report)
// holds no secret.
type Store struct {
	db   *bolt.DB
	aead cipher.AEAD

	// gen counts committed writes of resources; children caches
	// ChildBodies' answers by the generation they were read at.
	gen      atomic.Uint64
	mu       sync.Mutex
	children map[string]childBodies
}

type childBodies struct {
	gen    uint64
	bodies []json.RawMessage
}

// sealedPrefix marks an encrypted Private value (stored as a JSON string).
const sealedPrefix = "aes-gcm:"

func loadSealKey(dir string) (cipher.AEAD, error) {
	path := filepath.Join(dir, "secrets.key")
	k, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		k = make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, err
		}
		_, werr := f.Write(k)
		if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	if len(k) != 32 {
		return nil, fmt.Errorf("%s must hold 32 bytes", path)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// encode is a resource as stored: its Private part sealed, bound to its id.
func (s *Store) encode(r *Resource) ([]byte, error) {
	c := *r
	if len(c.Private) > 0 && string(c.Private) != "null" {
		nonce := make([]byte, s.aead.NonceSize())
		if _, err := rand.Read(nonce); err != nil {
			return nil, err
		}
		sealed := s.aead.Seal(nonce, nonce, c.Private, key(c.ID))
		c.Private, _ = json.Marshal(sealedPrefix + base64.StdEncoding.EncodeToString(sealed))
	}
	return json.Marshal(&c)
}

// decode reads a stored resource, opening its sealed Private part (records of
// versions before sealing are read as they are and sealed on their next write).
func (s *Store) decode(b []byte, r *Resource) error {
	if err := json.Unmarshal(b, r); err != nil {
		return err
	}
	var str string
	if len(r.Private) == 0 || r.Private[0] != '"' || json.Unmarshal(r.Private, &str) != nil || !strings.HasPrefix(str, sealedPrefix) {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(str[len(sealedPrefix):])
	if err != nil || len(raw) < s.aead.NonceSize() {
		return fmt.Errorf("resource %s: sealed data is corrupt", r.ID)
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], key(r.ID))
	if err != nil {
		return fmt.Errorf("resource %s: sealed data does not open with secrets.key", r.ID)
	}
	r.Private = plain
	return nil
}

// OpenStore opens (creating) <dir>/state.db.
func OpenStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	aead, err := loadSealKey(dir)
	if err != nil {
		return nil, fmt.Errorf("the secrets key: %w", err)
	}
	db, err := bolt.Open(filepath.Join(dir, "state.db"), 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketResources, bucketOperations, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db, aead: aead}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func key(id string) []byte { return []byte(strings.ToLower(strings.TrimRight(id, "/"))) }

// Get reads a resource by id (case-insensitive).
func (s *Store) Get(id string) (*Resource, error) {
	var r *Resource
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketResources).Get(key(id))
		if b == nil {
			return ErrNotFound
		}
		r = &Resource{}
		return s.decode(b, r)
	})
	return r, err
}

// Put writes a resource; it returns after the commit is on disk.
func (s *Store) Put(r *Resource) error {
	b, err := s.encode(r)
	if err != nil {
		return err
	}
	return s.writeResources(func(tx *bolt.Tx) error { return tx.Bucket(bucketResources).Put(key(r.ID), b) })
}

// writeResources commits a write of the resources bucket, then counts it.
func (s *Store) writeResources(fn func(tx *bolt.Tx) error) error {
	defer s.gen.Add(1)
	return s.db.Update(fn)
}

// Update reads, changes and writes a resource in one transaction.
func (s *Store) Update(id string, fn func(r *Resource) error) error {
	return s.writeResources(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketResources)
		b := bk.Get(key(id))
		if b == nil {
			return ErrNotFound
		}
		r := &Resource{}
		if err := s.decode(b, r); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
		nb, err := s.encode(r)
		if err != nil {
			return err
		}
		return bk.Put(key(id), nb)
	})
}

// Delete removes a resource and everything below its id.
func (s *Store) Delete(id string) error {
	prefix := key(id)
	return s.writeResources(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketResources)
		c := bk.Cursor()
		var doomed [][]byte
		for k, _ := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, _ = c.Next() {
			if len(k) == len(prefix) || k[len(prefix)] == '/' {
				doomed = append(doomed, append([]byte(nil), k...))
			}
		}
		for _, k := range doomed {
			if err := bk.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// FindSuffix returns the first resource whose id starts with prefix and ends
// with suffix (any case), reading keys only until it is found: a lookup by
// name of something unique on the endpoint, such as a storage account.
func (s *Store) FindSuffix(prefix, suffix string) (*Resource, error) {
	p, suf := []byte(strings.ToLower(prefix)), []byte(strings.ToLower(suffix))
	var out *Resource
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketResources).Cursor()
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			if !bytes.HasSuffix(k, suf) {
				continue
			}
			r := &Resource{}
			if err := s.decode(v, r); err != nil {
				return err
			}
			out = r
			return nil
		}
		return ErrNotFound
	})
	return out, err
}

// List returns resources whose id starts with prefix and whose type is typ (any
// type when empty), in id order.
func (s *Store) List(prefix, typ string) ([]*Resource, error) { return s.list(prefix, typ, false) }

// ChildBodies are the bodies of the resources of type typ one segment below
// prefix, in id order: what a list answers, read without decoding the rest
// of each record (times, sealed data) or any resource deeper down.
//
// The answer is kept until a resource is next written: decoding every
// child's record was 6 ms of a 1,000-group list, each time it was asked for.
// The bodies are shared between callers, which only read them.
func (s *Store) ChildBodies(prefix, typ string) ([]json.RawMessage, error) {
	ck := strings.ToLower(prefix) + "\x00" + strings.ToLower(typ)
	gen := s.gen.Load() // before the read: a write it misses makes the entry stale
	s.mu.Lock()
	c, ok := s.children[ck]
	s.mu.Unlock()
	if ok && c.gen == gen {
		return slices.Clone(c.bodies), nil
	}
	out, err := s.childBodies(prefix, typ)
	if err == nil {
		s.mu.Lock()
		if s.children == nil || len(s.children) >= 64 {
			s.children = map[string]childBodies{}
		}
		s.children[ck] = childBodies{gen, out}
		s.mu.Unlock()
	}
	return slices.Clone(out), err
}

func (s *Store) childBodies(prefix, typ string) ([]json.RawMessage, error) {
	p := []byte(strings.ToLower(prefix))
	var out []json.RawMessage
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketResources).Cursor()
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			if bytes.IndexByte(k[len(p):], '/') >= 0 {
				continue
			}
			var r struct {
				Type string          `json:"type"`
				Body json.RawMessage `json:"body"`
			}
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			if strings.EqualFold(r.Type, typ) {
				out = append(out, r.Body)
			}
		}
		return nil
	})
	return out, err
}

func (s *Store) list(prefix, typ string, children bool) ([]*Resource, error) {
	// The trailing slash stays: ".../resourcegroups/rg/" must not match "rg2".
	p := []byte(strings.ToLower(prefix))
	// A top-level type (Namespace/type) is in its resources' keys: other
	// records are skipped without being decoded.
	var needle []byte
	if strings.Count(typ, "/") == 1 && !strings.EqualFold(typ, "Microsoft.Resources/resourceGroups") {
		needle = []byte("/providers/" + strings.ToLower(typ) + "/")
	}
	var out []*Resource
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketResources).Cursor()
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			if needle != nil && !bytes.Contains(k, needle) {
				continue
			}
			r := &Resource{}
			if err := s.decode(v, r); err != nil {
				return err
			}
			if typ == "" || strings.EqualFold(r.Type, typ) {
				out = append(out, r)
			}
		}
		return nil
	})
	return out, err
}

// PutOperation writes an operation.
func (s *Store) PutOperation(op *Operation) error {
	b, err := json.Marshal(op)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketOperations).Put([]byte(op.ID), b) })
}

// GetOperation reads an operation.
func (s *Store) GetOperation(id string) (*Operation, error) {
	var op *Operation
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOperations).Get([]byte(id))
		if b == nil {
			return ErrNotFound
		}
		op = &Operation{}
		return json.Unmarshal(b, op)
	})
	return op, err
}

// Operations lists every operation.
func (s *Store) Operations() ([]*Operation, error) {
	var out []*Operation
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOperations).ForEach(func(k, v []byte) error {
			op := &Operation{}
			if err := json.Unmarshal(v, op); err != nil {
				return err
			}
			out = append(out, op)
			return nil
		})
	})
	return out, err
}

// GetMeta reads a JSON value from the meta bucket into v.
func (s *Store) GetMeta(k string, v any) (bool, error) {
	found := false
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMeta).Get([]byte(k))
		if b == nil {
			return nil
		}
		found = true
		return json.Unmarshal(b, v)
	})
	return found, err
}

// PutMeta writes a JSON value to the meta bucket.
func (s *Store) PutMeta(k string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put([]byte(k), b) })
}

// DecodeBody reads the stored wire body into v. The store holds only what
// providers wrote, so a body that does not decode is damage, and says whose.
func (r *Resource) DecodeBody(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("%s: stored body: %w", r.ID, err)
	}
	return nil
}

// DecodePrivate reads the stored private part into v; a resource without
// one leaves v as it is.
func (r *Resource) DecodePrivate(v any) error {
	if len(r.Private) == 0 {
		return nil
	}
	if err := json.Unmarshal(r.Private, v); err != nil {
		return fmt.Errorf("%s: stored private state: %w", r.ID, err)
	}
	return nil
}

// Encode sets the body and private part from what a provider keeps.
func (r *Resource) Encode(body, private any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("%s: encoding the body: %w", r.ID, err)
	}
	p, err := json.Marshal(private)
	if err != nil {
		return fmt.Errorf("%s: encoding private state: %w", r.ID, err)
	}
	r.Body, r.Private = b, p
	return nil
}
