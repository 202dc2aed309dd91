package report

// A minimal Chrome DevTools Protocol client for the HTML test: it launches
// headless Chromium, attaches to one page (flattened session) and sends
// commands over the DevTools websocket. Only the standard library and
// golang.org/x/net/websocket.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

const chromiumPath = "/usr/bin/chromium"

type cdpEvent struct {
	Method    string          `json:"method"`
	Params    json.RawMessage `json:"params"`
	SessionID string          `json:"sessionId"`
}

type cdpReply struct {
	ID     int64           `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

type browser struct {
	cmd     *exec.Cmd
	ws      *websocket.Conn
	session string

	mu      sync.Mutex
	next    int64
	waiting map[int64]chan cdpReply
	events  []cdpEvent
}

// startBrowser launches Chromium and opens a blank page; it skips the test
// when Chromium is not installed.
func startBrowser(t *testing.T) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("headless test skipped: %s not installed (apt-get install -y chromium)", chromiumPath)
	}
	dir := t.TempDir()
	cmd := exec.Command(chromiumPath, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
		"--disable-extensions", "--hide-scrollbars", "--mute-audio", "--user-data-dir="+dir,
		"--remote-debugging-port=0", "--remote-allow-origins=*", "--window-size=1400,900", "about:blank")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	b := &browser{cmd: cmd, waiting: map[int64]chan cdpReply{}}
	t.Cleanup(b.close)
	var wsURL string
	for deadline := time.Now().Add(15 * time.Second); wsURL == ""; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("chromium did not open its DevTools port; stderr:\n%s", stderr.String())
		}
		if raw, err := os.ReadFile(filepath.Join(dir, "DevToolsActivePort")); err == nil {
			if lines := strings.Split(strings.TrimSpace(string(raw)), "\n"); len(lines) == 2 {
				wsURL = "ws://127.0.0.1:" + lines[0] + lines[1]
			}
		}
	}
	ws, err := websocket.Dial(wsURL, "", "http://127.0.0.1/")
	if err != nil {
		t.Fatalf("dialing %s: %v", wsURL, err)
	}
	ws.MaxPayloadBytes = 64 << 20
	b.ws = ws
	go b.read()
	var target struct{ TargetID string }
	b.call(t, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var att struct{ SessionID string }
	b.call(t, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att)
	b.session = att.SessionID
	return b
}

func (b *browser) read() {
	for {
		var raw []byte
		if err := websocket.Message.Receive(b.ws, &raw); err != nil {
			b.mu.Lock()
			for id, ch := range b.waiting {
				close(ch)
				delete(b.waiting, id)
			}
			b.mu.Unlock()
			return
		}
		var m struct {
			cdpReply
			cdpEvent
		}
		if json.Unmarshal(raw, &m) != nil {
			continue
		}
		b.mu.Lock()
		if m.cdpEvent.Method != "" {
			b.events = append(b.events, m.cdpEvent)
		} else if ch := b.waiting[m.cdpReply.ID]; ch != nil {
			ch <- m.cdpReply
			delete(b.waiting, m.cdpReply.ID)
		}
		b.mu.Unlock()
	}
}

// call sends a command (to the page session unless session is "" and the
// page is not attached yet) and decodes its result into out.
func (b *browser) call(t *testing.T, session, method string, params any, out any) {
	t.Helper()
	if session == "" {
		session = b.session
	}
	b.mu.Lock()
	b.next++
	id := b.next
	ch := make(chan cdpReply, 1)
	b.waiting[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method, "params": params}
	if session != "" {
		msg["sessionId"] = session
	}
	if err := websocket.JSON.Send(b.ws, msg); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	select {
	case r, ok := <-ch:
		switch {
		case !ok:
			t.Fatalf("%s: DevTools connection closed", method)
		case r.Error != nil:
			t.Fatalf("%s: %s", method, r.Error.Message)
		case out != nil:
			if err := json.Unmarshal(r.Result, out); err != nil {
				t.Fatalf("%s: decoding %s: %v", method, r.Result, err)
			}
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("%s: no reply in 15s", method)
	}
}

// eval runs a JavaScript expression in the page and decodes its value.
func (b *browser) eval(t *testing.T, expr string, out any) {
	t.Helper()
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	b.call(t, "", "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &r)
	if r.ExceptionDetails != nil {
		t.Fatalf("evaluating %q: %s %s", expr, r.ExceptionDetails.Text, r.ExceptionDetails.Exception.Description)
	}
	if out != nil {
		if err := json.Unmarshal(r.Result.Value, out); err != nil {
			t.Fatalf("evaluating %q: decoding %s: %v", expr, r.Result.Value, err)
		}
	}
}

// waitFor polls a boolean expression until it holds.
func (b *browser) waitFor(t *testing.T, expr string, limit time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(limit); ; time.Sleep(25 * time.Millisecond) {
		var ok bool
		b.eval(t, "!!("+expr+")", &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s; page events: %s", limit, expr, b.describeEvents("Runtime.exceptionThrown", "Log.entryAdded", "Runtime.consoleAPICalled"))
		}
	}
}

// click presses and releases the left mouse button at a viewport point.
func (b *browser) click(t *testing.T, x, y float64) {
	t.Helper()
	for _, typ := range []string{"mouseMoved", "mousePressed", "mouseReleased"} {
		b.call(t, "", "Input.dispatchMouseEvent", map[string]any{"type": typ, "x": x, "y": y, "button": "left", "buttons": 1, "clickCount": 1}, nil)
	}
}

// eventsNamed returns the page's events with the given method, in order.
func (b *browser) eventsNamed(method string) []cdpEvent {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []cdpEvent
	for _, e := range b.events {
		if e.Method == method {
			out = append(out, e)
		}
	}
	return out
}

func (b *browser) describeEvents(methods ...string) string {
	var parts []string
	for _, m := range methods {
		for _, e := range b.eventsNamed(m) {
			parts = append(parts, fmt.Sprintf("%s %s", e.Method, e.Params))
		}
	}
	if len(parts) == 0 {
		return "(none)"
	}
	return strings.Join(parts, "\n")
}

func (b *browser) close() {
	if b.ws != nil {
		b.ws.Close()
	}
	if b.cmd.Process != nil {
		b.cmd.Process.Kill()
		b.cmd.Wait()
	}
}
