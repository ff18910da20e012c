// Package config reads and writes aci's configuration directory, which mirrors az's
// (~/.azure): an INI `config` file whose keys can be overridden by environment
// variables. az's names (AZURE_CORE_OUTPUT, AZURE_DEFAULTS_GROUP, ...) are honoured so
// existing CI keeps working; the same keys with an ACI_ prefix win over them.
package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/viper"
	"gopkg.in/ini.v1"
)

// Dir is the configuration directory: $ACI_CONFIG_DIR or ~/.aci.
func Dir() string {
	if d := os.Getenv("ACI_CONFIG_DIR"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = "."
	}
	return filepath.Join(home, ".aci")
}

// Config is the merged view of the config file and the environment.
type Config struct {
	dir  string
	path string
	v    *viper.Viper
}

// Load reads <dir>/config (absent is fine).
func Load(dir string) (*Config, error) {
	reg := viper.NewCodecRegistry()
	if err := reg.RegisterCodec("ini", iniCodec{}); err != nil {
		return nil, err
	}
	c := &Config{dir: dir, path: filepath.Join(dir, "config"), v: viper.NewWithOptions(viper.WithCodecRegistry(reg))}
	c.v.SetConfigType("ini")
	if b, err := os.ReadFile(c.path); err == nil {
		if err := c.v.ReadConfig(strings.NewReader(string(b))); err != nil {
			return nil, errors.New("the config file " + c.path + " is not valid INI: " + err.Error())
		}
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	return c, nil
}

// Dir is where the config file lives.
func (c *Config) Dir() string { return c.dir }

// Path is the config file's path.
func (c *Config) Path() string { return c.path }

// EnvNames are the variables that override section.option, strongest first.
func EnvNames(section, option string) []string {
	k := strings.ToUpper(section + "_" + option)
	return []string{"ACI_" + k, "AZURE_" + k}
}

// Lookup returns a value and where it came from (an env var name or the file path).
func (c *Config) Lookup(section, option string) (value, source string, ok bool) {
	for _, e := range EnvNames(section, option) {
		if v, set := os.LookupEnv(e); set {
			return v, e, true
		}
	}
	key := strings.ToLower(section + "." + option)
	if c.v.IsSet(key) {
		return c.v.GetString(key), c.path, true
	}
	return "", "", false
}

// Get returns a value or def.
func (c *Config) Get(section, option, def string) string {
	if v, _, ok := c.Lookup(section, option); ok {
		return v
	}
	return def
}

// Bool reads a boolean the way az does (1/yes/true/on).
func (c *Config) Bool(section, option string) bool {
	switch strings.ToLower(strings.TrimSpace(c.Get(section, option, ""))) {
	case "1", "yes", "true", "on":
		return true
	}
	return false
}

// Set writes section.option to the config file, keeping the rest of it.
func (c *Config) Set(section, option, value string) error {
	return c.SetMany(section, map[string]string{option: value}, nil)
}

// SetMany writes several options of one section in one go; order keeps the
// caller's order of new keys.
func (c *Config) SetMany(section string, values map[string]string, order []string) error {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return err
	}
	f, err := ini.LoadSources(ini.LoadOptions{Loose: true, IgnoreInlineComment: true}, c.path)
	if err != nil {
		return err
	}
	if len(f.Sections()) == 1 && len(f.Section("").Keys()) == 0 && !f.HasSection("cloud") && section != "cloud" {
		// A fresh file starts like az's.
		f.Section("cloud").Key("name").SetValue("AzureCloud")
	}
	sec := f.Section(section)
	if order == nil {
		for k := range values {
			order = append(order, k)
		}
	}
	for _, k := range order {
		sec.Key(k).SetValue(values[k])
	}
	for k, v := range values {
		c.v.Set(strings.ToLower(section+"."+k), v)
	}
	return WriteINI(c.path, f)
}

// WriteINI saves f the way Python's configparser does ("key = value", a blank line
// after every section), atomically.
func WriteINI(path string, f *ini.File) error {
	var b strings.Builder
	for _, sec := range f.Sections() {
		if sec.Name() == ini.DefaultSection && len(sec.Keys()) == 0 {
			continue
		}
		b.WriteString("[" + sec.Name() + "]\n")
		for _, k := range sec.Keys() {
			b.WriteString(k.Name() + " = " + k.Value() + "\n")
		}
		b.WriteString("\n")
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Section returns the file's keys of one section (not the environment's).
func (c *Config) Section(section string) map[string]string {
	out := map[string]string{}
	for k, v := range c.v.AllSettings() {
		if strings.EqualFold(k, section) {
			if m, ok := v.(map[string]any); ok {
				for kk, vv := range m {
					if s, ok := vv.(string); ok {
						out[kk] = s
					}
				}
			}
		}
	}
	return out
}

// iniCodec lets viper read az's INI files (viper 1.20 dropped its own INI support).
type iniCodec struct{}

func (iniCodec) Decode(b []byte, v map[string]any) error {
	f, err := ini.LoadSources(ini.LoadOptions{Loose: true, IgnoreInlineComment: true}, b)
	if err != nil {
		return err
	}
	for _, sec := range f.Sections() {
		if sec.Name() == ini.DefaultSection {
			continue
		}
		m := map[string]any{}
		for _, k := range sec.Keys() {
			m[strings.ToLower(k.Name())] = k.Value()
		}
		v[strings.ToLower(sec.Name())] = m
	}
	return nil
}

func (iniCodec) Encode(map[string]any) ([]byte, error) {
	return nil, errors.New("config: write through Config.Set")
}
