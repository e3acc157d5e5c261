package resp

// parseInline parses an inline command: one line ended by '\n' (a '\r'
// before it is dropped), split into arguments the way Redis's sdssplitargs
// splits it.
func (p *Parser) parseInline(buf []byte, args [][]byte, maxLine int) ([][]byte, int, error) {
	nl, err := p.findLine(buf, 0, '\n', maxLine, errBigInline)
	if err != nil {
		return args, 0, err
	}
	end := nl
	if end > 0 && buf[end-1] == '\r' {
		end--
	}
	args, ok := p.splitArgs(buf[:end], args)
	if cap(p.arena) > arenaChunk {
		p.arena = nil // sized for one long line; do not pin it
	}
	if !ok {
		p.Reset()
		return args[:0], 0, errUnbalancedQuotes
	}
	return args, nl + 1, nil
}

// isSpace is C's isspace in the "C" locale, which sdssplitargs uses to skip
// blanks between arguments and to accept the byte after a closing quote.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// endsBare reports whether c ends an unquoted argument. It is a narrower set
// than isSpace: in Redis "a\vb" is one argument.
func endsBare(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// splitArgs appends the arguments of one inline line to args. It reports
// false for unbalanced quotes, including a closing quote followed by
// anything but a blank.
//
// Rules (Redis's sdssplitargs): blanks separate arguments. Inside "..." the
// escapes \xHH (two hex digits), \n \r \t \b \a are decoded and a backslash
// before any other byte yields that byte. Inside '...' only \' is an escape.
// A quote inside a bare word opens a quoted part of that same word, and the
// word ends at its closing quote: a"b c" is the single argument `ab c`.
//
// A bare word is returned as a slice of line; a word with quotes is decoded
// into the arena. Unlike Redis, which sees the line as a C string, a NUL byte
// is an ordinary byte here (Redis stalls on it).
func (p *Parser) splitArgs(line []byte, args [][]byte) ([][]byte, bool) {
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			return args, true
		}
		start := i
		for i < len(line) && !endsBare(line[i]) && line[i] != '"' && line[i] != '\'' {
			i++
		}
		if i == len(line) || endsBare(line[i]) {
			args = append(args, line[start:i:i])
			continue
		}
		// The word has a quoted part: decode it into the arena. Decoding
		// never lengthens text, so room for the rest of the line covers
		// this word and every later word of the line: a line allocates at
		// most once.
		if cap(p.arena)-len(p.arena) < len(line)-start {
			p.arena = make([]byte, 0, max(arenaChunk, len(line)-start))
		}
		a := p.arena
		w := len(a)
		a = append(a, line[start:i]...)
		var ok bool
		a, i, ok = decodeWord(line, i, a)
		if !ok {
			return args, false
		}
		args = append(args, a[w:len(a):len(a)])
		p.arena = a
	}
}

// decodeWord decodes the quoted part of a word: line[i] is its opening quote.
// It appends the decoded bytes to dst and returns the index just past the
// closing quote, which also ends the word.
func decodeWord(line []byte, i int, dst []byte) ([]byte, int, bool) {
	q := line[i]
	i++
	for {
		if i == len(line) {
			return dst, i, false
		}
		c := line[i]
		switch {
		case c == q:
			i++
			// The closing quote must be followed by a blank or the end of
			// the line.
			if i < len(line) && !isSpace(line[i]) {
				return dst, i, false
			}
			return dst, i, true
		case c != '\\' || i+1 == len(line):
			dst = append(dst, c)
			i++
		case q == '\'':
			if line[i+1] == '\'' {
				dst = append(dst, '\'')
				i += 2
			} else {
				dst = append(dst, '\\')
				i++
			}
		case line[i+1] == 'x' && i+3 < len(line) && isHex(line[i+2]) && isHex(line[i+3]):
			dst = append(dst, unhex(line[i+2])<<4|unhex(line[i+3]))
			i += 4
		default:
			switch e := line[i+1]; e {
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'b':
				dst = append(dst, '\b')
			case 'a':
				dst = append(dst, '\a')
			default:
				dst = append(dst, e)
			}
			i += 2
		}
	}
}
