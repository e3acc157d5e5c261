package scriptcmd

import lua "github.com/yuin/gopher-lua"

func openCmsgpack(L *lua.LState) *lua.LTable { return L.NewTable() }
func openStruct(L *lua.LState) *lua.LTable   { return L.NewTable() }
