package arena

import (
	"sync/atomic"
	"syscall"
	"unsafe"
)

// madvPopulateWrite is Linux's MADV_POPULATE_WRITE (5.14 and later).
const madvPopulateWrite = 23

// noPrefault is set once the kernel has refused MADV_POPULATE_WRITE.
var noPrefault atomic.Bool

// prefault maps in the pages of b (page-aligned; a partial last page is
// included) with one system call: touching them one at a time costs a
// page fault each, which on a virtual machine is several times the work
// (loading 1M 100-byte strings: about a quarter of the time went to page
// faults). Where the kernel lacks the call nothing happens, and the pages
// fault in as they are touched.
func prefault(b []byte) {
	if len(b) == 0 || noPrefault.Load() {
		return
	}
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)), madvPopulateWrite)
	if errno == syscall.EINVAL || errno == syscall.ENOSYS {
		noPrefault.Store(true)
	}
}
