package arena

import (
	"syscall"
	"unsafe"
)

// madvPopulateWrite is Linux's MADV_POPULATE_WRITE (5.14 and later).
const madvPopulateWrite = 23

// prefault maps in the pages of a new chunk with one system call, as
// cells are about to be carved out of it from the start: touching them
// one page at a time costs a page fault each, which on a virtual machine
// is several times the work (1M 100-byte strings loaded: about a quarter
// of the time). Where the kernel lacks the call nothing happens, and the
// pages fault in as they are touched.
func prefault(b []byte) {
	if len(b) < prefaultMin {
		return
	}
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)), madvPopulateWrite)
}
