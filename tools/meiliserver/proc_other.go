//go:build !linux

package meiliserver

import "syscall"

// sysProcAttr: without Linux's parent-death signal, Stop is the only way the server ends.
func sysProcAttr() *syscall.SysProcAttr { return nil }
