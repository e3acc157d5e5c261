// Package lint holds checks of the code base that run as tests, so that
// `go test ./...` (and make test) enforces them.
//
// imports_test.go checks the direction of imports between Anax's own
// packages against the table in rules.go: leaves import nothing of
// Anax, the HTTP handlers never import the server, command families
// import no server package but the contract (server/command). A rule
// names packages by their path in the module ("dashtable"), or a tree of
// them ("container/..."); a package may always import its own
// sub-packages. To add a layer, add a row.
package lint
