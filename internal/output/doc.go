// Package output renders command results exactly as the Azure CLI (knack) prints them:
// json/jsonc, yaml/yamlc, table (tabulate "simple"), tsv and none, after an optional
// JMESPath --query.
//
// Commands hand this package plain data (map[string]any, []any, string, float64, bool,
// nil) and never format by hand. Numbers are float64 so JMESPath can compare them; which
// of them Python would print as floats ("1.0") is told by FloatKeys, because az's
// output depends on the SDK model's declared type, not on the JSON literal.
package output
