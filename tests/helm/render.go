// Command render renders a Helm chart's templates the way `helm template` does, for
// machines without helm (Debian does not package it): the same engine (Go's
// text/template, which Helm uses), Helm's top-level objects, its missing-key
// behaviour, and the few Sprig functions the SecureBase chart calls, with their
// Sprig semantics. tests/infra.rs runs it with `go run` (standard library only, no
// module download) and prefers a real helm when one is on PATH.
//
// Usage: go run render.go CHART_DIR CONTEXT_JSON
//
// CONTEXT_JSON holds the objects templates see: {"Values": ..., "Chart": {"Name",
// "Version", "AppVersion"}, "Release": {"Name", "Namespace", "Service"}}, the values
// already merged (the test does that, reading YAML). The manifests go to stdout as
// helm prints them: "---", a "# Source:" line, the rendered file; NOTES.txt, partials
// (files starting with "_") and files that render to nothing are left out.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"text/template"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: render CHART_DIR CONTEXT_JSON")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "render:", err)
		os.Exit(1)
	}
}

func run(chartDir, contextFile string) error {
	raw, err := os.ReadFile(contextFile)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var ctx map[string]interface{}
	if err := dec.Decode(&ctx); err != nil {
		return fmt.Errorf("%s: %w", contextFile, err)
	}
	chart := ctx["Chart"].(map[string]interface{})
	name := chart["Name"].(string)

	files, err := filepath.Glob(filepath.Join(chartDir, "templates", "*"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	root := template.New(name)
	root.Funcs(funcs(root)).Option("missingkey=zero")
	var rendered []string
	for _, f := range files {
		base := filepath.Base(f)
		if base == "NOTES.txt" {
			continue
		}
		text, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		tname := name + "/templates/" + base
		if _, err := root.New(tname).Parse(string(text)); err != nil {
			return err
		}
		if !strings.HasPrefix(base, "_") {
			rendered = append(rendered, tname)
		}
	}
	var out strings.Builder
	for _, tname := range rendered {
		top := map[string]interface{}{}
		for k, v := range ctx {
			top[k] = v
		}
		top["Template"] = map[string]interface{}{"Name": tname, "BasePath": name + "/templates"}
		var b bytes.Buffer
		if err := root.ExecuteTemplate(&b, tname, top); err != nil {
			return err
		}
		// As Helm does with missingkey=zero: a missing value prints as nothing.
		text := strings.ReplaceAll(b.String(), "<no value>", "")
		if strings.TrimSpace(text) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", tname, text)
	}
	_, err = os.Stdout.WriteString(out.String())
	return err
}

// The Sprig functions the chart uses, with Sprig's argument order and semantics.
func funcs(root *template.Template) template.FuncMap {
	return template.FuncMap{
		"include": func(name string, data interface{}) (string, error) {
			var b bytes.Buffer
			err := root.ExecuteTemplate(&b, name, data)
			return b.String(), err
		},
		"required": func(msg string, v interface{}) (interface{}, error) {
			if v == nil || v == "" {
				return nil, fmt.Errorf("%s", msg)
			}
			return v, nil
		},
		"default": func(d interface{}, given ...interface{}) interface{} {
			if len(given) == 0 || empty(given[0]) {
				return d
			}
			return given[0]
		},
		"empty": empty,
		"quote": func(strs ...interface{}) string {
			var out []string
			for _, s := range strs {
				if s != nil {
					out = append(out, fmt.Sprintf("%q", fmt.Sprint(s)))
				}
			}
			return strings.Join(out, " ")
		},
		"toYaml": func(v interface{}) string {
			var b strings.Builder
			emit(&b, v, 0)
			return strings.TrimSuffix(b.String(), "\n")
		},
		"indent":  indent,
		"nindent": func(n int, s string) string { return "\n" + indent(n, s) },
		"trunc": func(c int, s string) string {
			if c >= 0 && len(s) > c {
				return s[:c]
			}
			return s
		},
		"trimSuffix": func(suffix, s string) string { return strings.TrimSuffix(s, suffix) },
		"contains":   func(sub, s string) bool { return strings.Contains(s, sub) },
		"list":       func(items ...interface{}) []interface{} { return items },
	}
}

func indent(n int, s string) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

func empty(v interface{}) bool {
	if v == nil {
		return true
	}
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.String, reflect.Array, reflect.Map, reflect.Slice:
		return r.Len() == 0
	case reflect.Bool:
		return !r.Bool()
	case reflect.Int, reflect.Int64, reflect.Int32:
		return r.Int() == 0
	case reflect.Float64:
		return r.Float() == 0
	}
	if n, ok := v.(json.Number); ok {
		return n == "0"
	}
	return false
}

// A string YAML reads back as the same string without quotes.
var plain = regexp.MustCompile(`^[A-Za-z_/][A-Za-z0-9_./:@-]*$`)
var keyword = regexp.MustCompile(`^(?i:true|false|yes|no|on|off|y|n|null|~)$`)

func scalar(v interface{}) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return fmt.Sprint(x)
	case json.Number:
		return x.String()
	case string:
		if plain.MatchString(x) && !keyword.MatchString(x) {
			return x
		}
		q, _ := json.Marshal(x)
		return string(q)
	}
	return fmt.Sprint(v)
}

// emit writes v as block YAML at the given indentation, keys sorted (as Helm's toYaml).
func emit(b *strings.Builder, v interface{}, n int) {
	pad := strings.Repeat(" ", n)
	switch x := v.(type) {
	case map[string]interface{}:
		if len(x) == 0 {
			b.WriteString(pad + "{}\n")
			return
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.WriteString(pad + scalar(k) + ":")
			switch c := x[k].(type) {
			case map[string]interface{}:
				if len(c) == 0 {
					b.WriteString(" {}\n")
				} else {
					b.WriteString("\n")
					emit(b, c, n+2)
				}
			case []interface{}:
				if len(c) == 0 {
					b.WriteString(" []\n")
				} else {
					b.WriteString("\n")
					emit(b, c, n)
				}
			default:
				b.WriteString(" " + scalar(c) + "\n")
			}
		}
	case []interface{}:
		if len(x) == 0 {
			b.WriteString(pad + "[]\n")
			return
		}
		for _, item := range x {
			switch item.(type) {
			case map[string]interface{}, []interface{}:
				var inner strings.Builder
				emit(&inner, item, n+2)
				// The item's first line goes after the dash.
				b.WriteString(pad + "- " + strings.TrimPrefix(inner.String(), pad+"  "))
			default:
				b.WriteString(pad + "- " + scalar(item) + "\n")
			}
		}
	default:
		b.WriteString(pad + scalar(v) + "\n")
	}
}
