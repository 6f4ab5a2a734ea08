// Go test target (built at test time: $GO build -o DIR/target-go target-go.go).
//
// A goroutine runs main.spin, a busy loop (never inlined) that bumps a
// counter; a second goroutine writes the progress file (argv[1]) every
// 50 ms: slot 0 = turns of the spin loop, slot 1 = writes of the file, as
// little-endian uint64 counters (the layout of tests/target.h, read with
// init.sh's counter helper).  It prints "ready" once main.spin runs, then
// runs until it is killed.  It opens Yama to any tracer first, like the
// C targets.  SIGURG (the Go runtime's preemption signal) is
// left to the runtime.
//
// SPDX-License-Identifier: GPL-2.0-or-later
package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"time"
)

var spinCount uint64

//go:noinline
func spin() {
	for {
		atomic.AddUint64(&spinCount, 1)
	}
}

func writer(f *os.File) {
	var buf [16]byte
	var ticks uint64
	for {
		ticks++
		binary.LittleEndian.PutUint64(buf[0:8], atomic.LoadUint64(&spinCount))
		binary.LittleEndian.PutUint64(buf[8:16], ticks)
		if f != nil {
			if _, err := f.WriteAt(buf[:], 0); err != nil {
				fmt.Fprintln(os.Stderr, "target-go:", err)
				os.Exit(99)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func main() {
	// prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY): any tracer under Yama.
	syscall.RawSyscall6(syscall.SYS_PRCTL, 0x59616d61, ^uintptr(0), 0, 0, 0, 0)

	var f *os.File
	if len(os.Args) > 1 && os.Args[1] != "" {
		var err error
		f, err = os.OpenFile(os.Args[1], os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0644)
		if err != nil {
			fmt.Fprintln(os.Stderr, "target-go:", err)
			os.Exit(99)
		}
		if err := f.Truncate(16 * 8); err != nil {
			fmt.Fprintln(os.Stderr, "target-go:", err)
			os.Exit(99)
		}
	}
	go spin()
	for atomic.LoadUint64(&spinCount) == 0 {
		time.Sleep(time.Millisecond)
	}
	go writer(f)
	fmt.Println("ready")
	select {}
}
