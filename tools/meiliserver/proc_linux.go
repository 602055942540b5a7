package meiliserver

import "syscall"

// sysProcAttr makes the server die with this process: nothing outlives a test run.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
