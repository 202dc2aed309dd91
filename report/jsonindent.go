package report

// appendIndent appends compact JSON src (as json.Marshal writes it: no
// whitespace outside strings) indented exactly as json.Indent would, with
// prefix after each newline. json.Indent runs the full JSON scanner byte by
// byte; on a 20,000-workload report that was two thirds of the rendering.
func appendIndent(dst, src []byte, prefix, indent string) []byte {
	depth := 0
	open := false // just after { or [: the newline waits for a non-closing byte
	newline := func() {
		dst = append(dst, '\n')
		dst = append(dst, prefix...)
		for range depth {
			dst = append(dst, indent...)
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		if open {
			open = false
			if c == '}' || c == ']' {
				depth--
				dst = append(dst, c)
				continue
			}
			newline()
		}
		switch c {
		case '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			dst = append(dst, src[i:min(j+1, len(src))]...)
			i = j
		case '{', '[':
			dst = append(dst, c)
			depth++
			open = true
		case '}', ']':
			depth--
			newline()
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline()
		case ':':
			dst = append(dst, ':', ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
