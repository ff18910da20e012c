// Package rest implements `aci rest`: any REST call, authenticated as the
// current login, as az rest makes it (scripts use it for what no command
// covers).
package rest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

// Options are `aci rest`'s arguments.
type Options struct {
	Method, URL, Body, Resource, OutputFile string
	Headers, URIParameters                  []string
	SkipAuth                                bool

	method          string            // checked by parse
	params, headers map[string]string // parsed by parse
}

// NewCmd builds `aci rest`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	o := &Options{}
	cmd := &cobra.Command{
		Use:   "rest",
		Short: "Invoke a custom request.",
		Long: "Invoke a custom request. A --url that starts with '/' is relative to the active cloud's Resource Manager\n" +
			"(so it works against aci local too); a request to Resource Manager carries the login's token, another\n" +
			"only with --resource. A JSON answer goes through -o and --query; an answer of 400 or more is an error.",
		Example: "  aci rest --method get --url \"/subscriptions/{subscriptionId}/resourcegroups?api-version=2021-04-01\"\n" +
			"  aci rest -m put -u /subscriptions/{subscriptionId}/resourcegroups/rg?api-version=2021-04-01 -b '{\"location\":\"westus\"}'",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.parse(cmd); err != nil {
				return err
			}
			return restRun(f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.Method, "method", "m", "get", "HTTP request method: delete, get, head, options, patch, post, put.")
	fl.StringVarP(&o.URL, "url", "u", "", "Request URL. If it doesn't start with a host, the active cloud's Resource Manager is used. {subscriptionId} is replaced by the current subscription.")
	fl.StringVar(&o.URL, "uri", "", "The same as --url.")
	fl.StringVarP(&o.Body, "body", "b", "", "Request body. Use @{file} to load from a file.")
	fl.StringArrayVar(&o.Headers, "headers", nil, "Space-separated headers in KEY=VALUE format or a JSON string.")
	fl.StringArrayVar(&o.URIParameters, "uri-parameters", nil, "Query parameters in the URL: space-separated KEY=VALUE pairs or a JSON string.")
	fl.StringVar(&o.Resource, "resource", "", "Resource URL for which the token is requested (needed for a URL that is not Resource Manager's).")
	fl.BoolVar(&o.SkipAuth, "skip-authorization-header", false, "Do not add the Authorization header.")
	fl.StringVar(&o.OutputFile, "output-file", "", "Save the response payload to a file.")
	for _, n := range []string{"headers", "uri-parameters"} {
		cmdutil.NArgs(cmd, n)
	}
	return cmd
}

var methods = []string{"delete", "get", "head", "options", "patch", "post", "put"}

// pairs parses KEY=VALUE words or one JSON object.
func pairs(flag string, items []string) (map[string]string, error) {
	out := map[string]string{}
	if len(items) == 1 && strings.HasPrefix(strings.TrimSpace(items[0]), "{") {
		var m map[string]any
		if err := json.Unmarshal([]byte(items[0]), &m); err != nil {
			return nil, cmdutil.Fail("%s: not a JSON object: %v", flag, err)
		}
		for k, v := range m {
			if s, ok := v.(string); ok {
				out[k] = s
			} else {
				b, _ := json.Marshal(v)
				out[k] = string(b)
			}
		}
		return out, nil
	}
	for _, it := range items {
		k, v, ok := strings.Cut(it, "=")
		if !ok {
			return nil, cmdutil.UsageError("usage error: %s KEY=VALUE [KEY=VALUE ...]: '%s'", flag, it)
		}
		out[k] = v
	}
	return out, nil
}

// parse checks the method, the URL and the KEY=VALUE lists as az does.
func (o *Options) parse(cmd *cobra.Command) error {
	var err error
	if o.method, err = cmdutil.Choice(cmd, "--method", strings.ToLower(o.Method), methods...); err != nil {
		return err
	}
	if o.URL == "" {
		return cmdutil.UsageError("the following arguments are required: --url/--uri/-u")
	}
	if o.params, err = pairs("--uri-parameters", o.URIParameters); err != nil {
		return err
	}
	o.headers, err = pairs("--headers", o.Headers)
	return err
}

// restRun sends the request with the login's token where one applies and
// prints the answer: JSON through -o and --query, anything else as it is.
func restRun(f *cmdutil.Factory, o *Options) error {
	method := o.method
	cloud, _, _, err := f.Account()
	if err != nil {
		return err
	}
	client, err := f.ARM()
	if err != nil {
		return err
	}
	raw := strings.ReplaceAll(o.URL, "{subscriptionId}", client.Subscription)
	if strings.HasPrefix(raw, "/") {
		raw = cloud.ResourceManager() + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return cmdutil.UsageError("argument --url/--uri/-u: invalid URL '%s'", o.URL)
	}
	q := u.Query()
	for k, v := range o.params {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	header := http.Header{}
	for k, v := range o.headers {
		header.Set(k, v)
	}
	body := []byte(o.Body)
	if strings.HasPrefix(o.Body, "@") {
		if body, err = os.ReadFile(o.Body[1:]); err != nil {
			return cmdutil.Fail("%v", err)
		}
	}
	var scopes []string
	rm, _ := url.Parse(cloud.ResourceManager())
	switch {
	case o.SkipAuth:
	case o.Resource != "":
		scopes = arm.ResourceScopes(o.Resource)
	case rm != nil && strings.EqualFold(u.Host, rm.Host):
		scopes = []string{cloud.Audience() + "/.default"}
	default:
		f.Warn("Can't derive appropriate Azure AD resource from --url to acquire an access token. If access token is required, use --resource to specify the resource")
	}
	resp, err := client.Send(f.Context(), method, u.String(), header, body, scopes)
	if err != nil {
		return err
	}
	if resp.Status >= 400 {
		return cmdutil.Fail("%s(%s)", resp.Reason, strings.TrimSpace(string(resp.Body)))
	}
	if o.OutputFile != "" {
		return os.WriteFile(o.OutputFile, resp.Body, 0o644)
	}
	if len(strings.TrimSpace(string(resp.Body))) == 0 {
		return nil
	}
	var v any
	if json.Unmarshal(resp.Body, &v) != nil {
		_, err := f.IO.Out.Write(resp.Body)
		return err
	}
	return f.Print(v, cmdutil.PrintOptions{})
}
