package rdb

import "encoding/binary"

// dumpFooterLen is the DUMP footer: 2-byte RDB version, 8-byte CRC64.
const dumpFooterLen = 10

// DumpString appends the DUMP payload of a string value to dst and returns
// the extended slice: TypeString, the value as AppendString writes it with
// compression on (Redis's default rdbcompression yes), then the footer
// (AppendDumpFooter). For a value Redis 7.2 holds, the result equals Redis's
// DUMP reply byte for byte.
func DumpString(dst []byte, value []byte) []byte {
	start := len(dst)
	dst = append(dst, TypeString)
	dst = AppendString(dst, value, true)
	return AppendDumpFooter(dst, start)
}

// AppendDumpFooter completes a DUMP payload that starts at dst[start:] (the
// type byte and the value encoding): it appends DumpRDBVersion (2 bytes LE)
// and the CRC64 of everything from dst[start] on, version included (8 bytes
// LE).
func AppendDumpFooter(dst []byte, start int) []byte {
	return appendDumpFooter(dst, start, DumpRDBVersion)
}

func appendDumpFooter(dst []byte, start int, version uint16) []byte {
	dst = binary.LittleEndian.AppendUint16(dst, version)
	return binary.LittleEndian.AppendUint64(dst, CRC64(0, dst[start:]))
}

// VerifyDump checks a DUMP payload's footer as RESTORE does before decoding:
// the payload holds at least the 10-byte footer, its RDB version is not
// greater than DumpRDBVersion, and its CRC64 matches. Any failure returns
// ErrBadChecksum ("ERR DUMP payload version or checksum are wrong").
//
// A CRC of 0 is not special: Redis skips the check only in RDB files written
// with rdbchecksum no, never for DUMP payloads (verified against Redis 7.0
// and the 7.2 source; there only the debug-only skip-checksum-validation
// setting disables it).
func VerifyDump(payload []byte) error {
	if len(payload) < dumpFooterLen {
		return ErrBadChecksum
	}
	footer := payload[len(payload)-dumpFooterLen:]
	if binary.LittleEndian.Uint16(footer) > DumpRDB74Version {
		return ErrBadChecksum
	}
	if CRC64(0, payload[:len(payload)-8]) != binary.LittleEndian.Uint64(footer[2:]) {
		return ErrBadChecksum
	}
	return nil
}

// DumpBody verifies payload and returns its type byte and the value encoding
// that follows it, footer excluded.
func DumpBody(payload []byte) (typ byte, body []byte, err error) {
	if err := VerifyDump(payload); err != nil {
		return 0, nil, err
	}
	body = payload[:len(payload)-dumpFooterLen]
	if len(body) == 0 {
		return 0, nil, ErrBadFormat
	}
	return body[0], body[1:], nil
}

// DecodeDump verifies a DUMP payload (VerifyDump) and decodes its value. Only
// TypeString is decoded; another type that this package knows of returns
// that type and ErrUnsupportedType, an unknown type byte ErrBadFormat (see
// DecodeDumpValue for collections).
//
// The value may alias payload (a raw string is a sub-slice of it): copy it
// before payload's memory is reused. Strings are bounded by MaxStringLen.
// Bytes left between the value and the footer are ignored, as RESTORE
// ignores them; the value may not extend into the footer (Redis would read
// on into it). It never panics, whatever the bytes.
func DecodeDump(payload []byte) (typ byte, value []byte, err error) {
	typ, body, err := DumpBody(payload)
	if err != nil {
		return typ, nil, err
	}
	if typ != TypeString {
		if knownType(typ) {
			return typ, nil, ErrUnsupportedType
		}
		return typ, nil, ErrBadFormat
	}
	value, _, err = ReadString(body, MaxStringLen)
	if err != nil {
		return typ, nil, err
	}
	return typ, value, nil
}

// knownType reports whether t is a value type that an RDB of version
// DumpRDBVersion or older may hold.
func knownType(t byte) bool {
	return t <= TypeStreamListpacks3 && t != 8
}
