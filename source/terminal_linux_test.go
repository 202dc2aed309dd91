package source_test

import (
	"bytes"
	"os"
	"strconv"
	"testing"

	"github.com/meshdoctor/meshdoctor/source"
	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair: stdin at a terminal, for real.
func openPTY(t *testing.T) *os.File {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("ptsname: %v", err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pts: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestReadingNotice: stdin at a terminal gets a notice on stderr (#13.7);
// a pipe or /dev/null (a character device, not a terminal) gets none.
func TestReadingNotice(t *testing.T) {
	var w bytes.Buffer
	source.Reading(openPTY(t), &w)
	if !bytes.Contains(w.Bytes(), []byte("reading standard input")) {
		t.Errorf("terminal: notice = %q", w.String())
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	w.Reset()
	source.Reading(null, &w)
	source.Reading(bytes.NewReader(nil), &w)
	if w.Len() != 0 {
		t.Errorf("not a terminal: notice = %q", w.String())
	}
}
