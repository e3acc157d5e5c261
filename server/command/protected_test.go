package command

import "testing"

func TestProtectedAllowed(t *testing.T) {
	f := func(setting string, local, want bool) {
		t.Helper()
		if got := ProtectedAllowed(setting, local); got != want {
			t.Errorf("ProtectedAllowed(%q, %v) = %v, want %v", setting, local, got, want)
		}
	}
	f("yes", false, true)
	f("YES", false, true)
	f("local", true, true)
	f("local", false, false)
	f("no", true, false)
	f("", true, false)
}
