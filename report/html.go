package report

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"

	"github.com/meshdoctor/meshdoctor/analysis"
)

// The HTML report's assets. cytoscape.min.js is vendored from the npm
// registry by webui/update.sh; go build never needs npm.
var (
	//go:embed assets/page.html
	pageHTML string
	//go:embed assets/app.css
	appCSS string
	//go:embed assets/app.js
	appJS string
	//go:embed assets/cytoscape.min.js
	cytoscapeJS string
)

// scriptClose matches what would end or confuse a <script> element early.
var scriptClose = regexp.MustCompile(`(?i)</(script)|<!--`)

// inlineScript makes JavaScript source safe to inline in a <script>
// element: "</script" becomes "<\/script" (same string or regexp in JS).
func inlineScript(src string) string {
	return scriptClose.ReplaceAllStringFunc(src, func(m string) string {
		if m == "<!--" {
			return `<\!--`
		}
		return `<\/` + m[2:]
	})
}

// HTML writes a single self-contained page (no network request: the graph
// library, styles, script and data are all inline) drawing the result as an
// interactive graph: namespaces as groups, edges coloured by outcome, and a
// detail panel per edge or node. Above 150 nodes it opens on the namespace
// graph (failing namespace pairs as edges; a click expands a namespace);
// what it embeds is bounded (htmlMaxEdges, htmlMaxNSPairs, …) and the page
// says what was left out.
func HTML(w io.Writer, r analysis.Result) error {
	// json.Marshal escapes <, > and & (and U+2028/9), so the data cannot
	// close its <script type="application/json"> element.
	data, err := json.Marshal(buildHTMLData(r))
	if err != nil {
		return err
	}
	s := r.Summary
	title := fmt.Sprintf("meshdoctor — %d edges, %d failing", s.Edges, s.Failing)
	page := strings.NewReplacer(
		"{{TITLE}}", html.EscapeString(title),
		"{{CSS}}", strings.ReplaceAll(appCSS, "</", `<\/`),
		"{{DATA}}", string(data),
		"{{LIB}}", inlineScript(cytoscapeJS),
		"{{APP}}", inlineScript(appJS),
	).Replace(pageHTML)
	_, err = io.WriteString(w, page)
	return err
}
