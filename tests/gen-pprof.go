// gen-pprof writes a CPU profile with Go's own runtime/pprof, for
// pidprof's pprof reader to be checked against go tool pprof: main.hotA
// does three times the work of main.hotB, for about two seconds.
//
// SPDX-License-Identifier: GPL-2.0-or-later
package main

import (
	"os"
	"runtime/pprof"
	"time"
)

//go:noinline
func hotA(n int) int {
	s := 0
	for i := 0; i < 3*n; i++ {
		s += i * i
	}
	return s
}

//go:noinline
func hotB(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i ^ s
	}
	return s
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	end := time.Now().Add(2 * time.Second)
	s := 0
	for time.Now().Before(end) {
		s += hotA(200000)
		s += hotB(200000)
	}
	pprof.StopCPUProfile()
	f.Close()
	if s == 42 {
		println(s)
	}
}
