package command

import "strings"

// ProtectedAllowed applies a setting of Redis's protected commands
// (enable-debug-command, enable-module-command) to a client: "yes" lets
// every client run them, "local" a client connected over a loopback
// address (local), "no" none.
func ProtectedAllowed(setting string, local bool) bool {
	switch strings.ToLower(setting) {
	case "yes":
		return true
	case "local":
		return local
	}
	return false
}
