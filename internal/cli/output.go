package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/report"
)

// analysisFormats are the values of analyze's -o flag, in help order.
var analysisFormats = []string{"text", "json", "html", "sarif", "markdown", "dot", "mermaid"}

// analysisFormatHelp is the -o flag's usage text.
func analysisFormatHelp() string {
	return "output format: " + strings.Join(analysisFormats, ", ")
}

// checkAnalysisFormat rejects an unknown -o value as a usage error (exit 2).
func checkAnalysisFormat(format string) error {
	for _, f := range analysisFormats {
		if f == format {
			return nil
		}
	}
	return usageErr(fmt.Errorf("unknown output %q (want one of %s)", format, strings.Join(analysisFormats, ", ")))
}

// renderAnalysis writes res in the given format; st applies to text only
// (and its Hidden counts to Markdown and SARIF too).
// Renderers compute nothing: they only render the result.
func renderAnalysis(format string, w io.Writer, res analysis.Result, st report.Style) error {
	switch format {
	case "text", "":
		return report.Text(w, res, st)
	case "json":
		return report.JSON(w, res)
	case "html":
		return report.HTML(w, res)
	case "sarif":
		base, _ := os.Getwd()
		return report.SARIF(w, res, report.SARIFOptions{ToolVersion: toolVersion(), BaseDir: base, Hidden: st.Hidden})
	case "markdown":
		return report.Markdown(w, res, report.MarkdownOptions{Hidden: st.Hidden})
	case "dot":
		return report.DOT(w, res)
	case "mermaid":
		return report.Mermaid(w, res)
	}
	return checkAnalysisFormat(format)
}

// toolVersion is the module version the binary was built from without its
// "v" (SARIF's semanticVersion), or "" when not known.
// toolVersion is the module's version, or the source's own for a build
// from a checkout (SARIF consumers key rules by the driver's version).
func toolVersion() string {
	if v := strings.TrimPrefix(moduleVersion(), "v"); v != "" {
		return v
	}
	return version
}
