package explain

import (
	"bytes"
	"errors"
	"io"
)

// Limits that keep memory bounded whatever the input.
const (
	chunkSize     = 4 << 20  // read size; lines longer than this grow the buffer
	maxLineBytes  = 64 << 20 // a longer line is cut; the rest counts as the same line
	maxEventBytes = 1 << 20  // text kept per event for analysis
	maxEventLines = 2000     // a stack trace longer than this starts a new event
	maxOpenLines  = 12       // plain lines absorbed after a head that ended open
)

// rawEvent is one folded log event: a head line and its continuation lines.
type rawEvent struct {
	line, lastLine int    // 1-based line numbers of the head and the last line
	text           []byte // raw bytes, lines joined by \n (bounded by maxEventBytes)
}

// scanner folds a stream into events and hands the ones that contain a
// catalogue literal to emit. Everything else is only counted.
type scanner struct {
	m    *matcher
	emit func(*rawEvent)

	lines   int  // lines read so far
	partial bool // the previous chunk ended inside an over-long line

	// the event being built
	active bool
	hit    bool
	open   bool
	nlines int
	ev     rawEvent
	pre    []byte // bytes of the event that came from earlier chunks
	start  int    // offset in the current chunk where the event's remaining bytes start (-1: none)
	end    int    // offset in the current chunk just after its last line
	tmp    []byte
	c      []byte // the chunk being processed
	hitAt  int    // offset in the chunk of the event's latest hit (-1: none)
}

func (s *scanner) run(r io.Reader) error {
	buf := make([]byte, chunkSize)
	filled := 0
	eof := false
	for !eof || filled > 0 {
		for filled < len(buf) && !eof {
			n, err := r.Read(buf[filled:])
			filled += n
			if errors.Is(err, io.EOF) {
				eof = true
			} else if err != nil {
				return err
			}
		}
		data := buf[:filled]
		cut := bytes.LastIndexByte(data, '\n') + 1
		longLine := false
		if eof {
			cut = len(data)
		} else if cut == 0 {
			if len(buf) < maxLineBytes {
				buf = append(buf, make([]byte, len(buf))...)[:len(buf)*2]
				continue
			}
			cut, longLine = len(data), true
		}
		s.chunk(data[:cut], longLine)
		filled = copy(buf, data[cut:])
	}
	s.finish()
	return nil
}

// chunk processes whole lines (the last may lack its newline when
// longLine or at EOF).
func (s *scanner) chunk(c []byte, longLine bool) {
	s.c = c
	s.hitAt = -1
	esc := bytes.IndexByte(c, 0x1b) >= 0
	hitPos, _ := s.m.next(c, 0)
	s.start, s.end = 0, 0
	if !s.active {
		s.start = -1
	}
	for pos := 0; pos < len(c); {
		lineEnd := len(c)
		next := len(c)
		if i := bytes.IndexByte(c[pos:], '\n'); i >= 0 {
			lineEnd, next = pos+i, pos+i+1
		}
		line := c[pos:lineEnd]
		hit := false
		if hitPos >= 0 && hitPos < next {
			hit = true
			s.hitAt = hitPos
			hitPos, _ = s.m.next(c, next)
		} else if esc && bytes.IndexByte(line, 0x1b) >= 0 {
			s.tmp = stripANSI(s.tmp[:0], line)
			p, _ := s.m.next(s.tmp, 0)
			hit = p >= 0
		}
		if s.partial {
			// the rest of an over-long line: same line, same event
			s.partial = false
			s.addLine(pos, next, hit)
		} else {
			s.lines++
			s.line(line, pos, next, hit)
		}
		pos = next
	}
	s.partial = longLine
	if s.active && s.start >= 0 {
		s.keep(c[s.start:s.end])
	}
}

func (s *scanner) line(line []byte, pos, next int, hit bool) {
	switch classify(line) {
	case kindBlank:
		s.finish()
		return
	case kindCont:
		if s.active && s.nlines < maxEventLines {
			s.addLine(pos, next, hit)
			return
		}
	case kindPlain:
		if s.active && s.open && s.nlines < maxOpenLines {
			s.addLine(pos, next, hit)
			return
		}
	}
	s.finish()
	s.active, s.hit, s.nlines = true, hit, 1
	s.open = endsOpen(line)
	s.ev.line, s.ev.lastLine = s.lines, s.lines
	s.pre = s.pre[:0]
	s.start, s.end = pos, next
}

func (s *scanner) addLine(pos, next int, hit bool) {
	if !s.active { // an over-long first line, or a continuation at the top
		s.active, s.nlines = true, 0
		s.ev.line = s.lines
		s.pre = s.pre[:0]
		s.start = pos
	}
	if s.start < 0 {
		s.start = pos
	}
	s.hit = s.hit || hit
	s.nlines++
	s.ev.lastLine = s.lines
	s.end = next
}

// keep moves the event's bytes of the current chunk into s.pre before the
// chunk's buffer is reused. Past maxEventBytes it keeps the head and a
// window around the latest hit, so that a signature deep inside a huge line
// is still analysed.
func (s *scanner) keep(b []byte) {
	room := maxEventBytes - len(s.pre)
	switch {
	case len(b) <= room:
		s.pre = append(s.pre, b...)
	case room > 0:
		half := room / 2
		s.pre = append(s.pre, b[:half]...)
		if h := s.hitAt - s.start; h >= half && h < len(b) {
			lo := max(h-half/2, half)
			s.pre = append(s.pre, '\n')
			s.pre = append(s.pre, b[lo:min(len(b), lo+half-1)]...)
		}
	}
	s.start = -1
	s.hitAt = -1
}

func (s *scanner) finish() {
	if !s.active {
		return
	}
	s.active = false
	if !s.hit {
		return
	}
	if s.start >= 0 {
		s.keep(s.c[s.start:s.end])
	}
	s.ev.text = bytes.TrimRight(s.pre, "\r\n")
	s.emit(&s.ev)
}
