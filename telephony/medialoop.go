package telephony

import (
	"encoding/binary"
	"sync"
	"time"
	"unsafe"

	"github.com/pion/rtp"
	"golang.org/x/sys/unix"
)

// mediaTick is how often a media loop collects the packets that arrived (docs/telephony.md,
// "Media loops"). Every leg's packets wait at most this long, a latency the far end's jitter
// buffer absorbs; in exchange one wake-up serves every leg that has a packet, instead of one
// wake-up (and one wake-up of the peer we send to) per packet.
const mediaTick = 10 * time.Millisecond

// mediaBatch is how many datagrams one recvmmsg(2) takes from a socket (a 20 ms stream
// queues one or two per tick; more after a stall).
const mediaBatch = 8

// mediaLoop polls a share of the endpoint's RTP sockets. The sockets are non-blocking and
// outside Go's netpoller: the loop sleeps for a tick, asks epoll which sockets have
// packets, drains each with one recvmmsg(2) and hands the packets to the stream (a bridge's
// relay, or the queue Read serves). Sockets are only ever read here.
type mediaLoop struct {
	epfd, wake int // epoll instance; eventfd that wakes the loop to stop

	mu      sync.Mutex
	streams map[uint32]*RTPStream // by id (epoll's data), so a stale event never reaches a reused fd
	nextID  uint32
	stopped bool
	done    chan struct{}

	// scratch for recvmmsg, used by the loop goroutine only
	bufs  [mediaBatch][1500]byte
	names [mediaBatch]unix.RawSockaddrInet4
	iovs  [mediaBatch]unix.Iovec
	msgs  [mediaBatch]unix.Mmsghdr
	pkt   rtp.Packet
}

func newMediaLoop() (*mediaLoop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	wake, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, err
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wake, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: 0}); err != nil {
		unix.Close(epfd)
		unix.Close(wake)
		return nil, err
	}
	l := &mediaLoop{epfd: epfd, wake: wake, streams: map[uint32]*RTPStream{}, nextID: 1, done: make(chan struct{})}
	for i := range l.msgs {
		l.iovs[i] = unix.Iovec{Base: &l.bufs[i][0]}
		l.iovs[i].SetLen(len(l.bufs[i]))
		l.msgs[i].Hdr.Name = (*byte)(unsafe.Pointer(&l.names[i]))
		l.msgs[i].Hdr.Namelen = unix.SizeofSockaddrInet4
		l.msgs[i].Hdr.Iov = &l.iovs[i]
		l.msgs[i].Hdr.SetIovlen(1)
	}
	go l.run()
	return l, nil
}

// add registers s (whose fd is open) and gives it its id.
func (l *mediaLoop) add(s *RTPStream) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	id := l.nextID
	l.nextID++
	if l.nextID == 0 {
		l.nextID = 1 // 0 is the wake eventfd
	}
	s.id, s.loop = id, l
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, s.fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(id)}); err != nil {
		return err
	}
	l.streams[id] = s
	return nil
}

// remove forgets s; its fd is closed by the caller right after.
func (l *mediaLoop) remove(s *RTPStream) {
	l.mu.Lock()
	delete(l.streams, s.id)
	l.mu.Unlock()
	unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, s.fd, nil)
}

// stop ends the loop and releases its epoll instance once it has returned.
func (l *mediaLoop) stop() {
	l.mu.Lock()
	already := l.stopped
	l.stopped = true
	l.mu.Unlock()
	if already {
		return
	}
	var one [8]byte
	binary.NativeEndian.PutUint64(one[:], 1)
	unix.Write(l.wake, one[:])
	<-l.done
	unix.Close(l.epfd)
	unix.Close(l.wake)
}

func (l *mediaLoop) run() {
	defer close(l.done)
	events := make([]unix.EpollEvent, 256)
	ready := make([]*RTPStream, 0, 256)
	wait := -1 // nothing seen yet: block until a packet comes
	for {
		n, err := unix.EpollWait(l.epfd, events, wait)
		if err != nil && err != unix.EINTR {
			return
		}
		if n <= 0 {
			wait = -1 // idle: sleep in epoll until traffic comes back
			continue
		}
		at := time.Now()
		ready = ready[:0]
		l.mu.Lock()
		if l.stopped {
			l.mu.Unlock()
			return
		}
		for _, ev := range events[:n] {
			if s := l.streams[uint32(ev.Fd)]; s != nil {
				ready = append(ready, s)
			}
		}
		l.mu.Unlock()
		for _, s := range ready {
			l.drain(s, at)
		}
		clear(ready)
		if n < len(events) {
			// Traffic: let a tick's packets gather, then look again without blocking (if
			// nothing came by then, the next look blocks).
			if d := mediaTick - time.Since(at); d > 0 {
				time.Sleep(d)
			}
		}
		wait = 0
	}
}

// drain reads what s's socket holds (one recvmmsg) and delivers it.
func (l *mediaLoop) drain(s *RTPStream, at time.Time) {
	s.life.RLock()
	if s.closed {
		s.life.RUnlock()
		return
	}
	for i := range l.msgs {
		l.msgs[i].Hdr.Namelen = unix.SizeofSockaddrInet4
		l.msgs[i].Len = 0
	}
	r, _, errno := unix.RawSyscall6(unix.SYS_RECVMMSG, uintptr(s.fd), uintptr(unsafe.Pointer(&l.msgs[0])), mediaBatch, unix.MSG_DONTWAIT, 0, 0)
	s.life.RUnlock()
	if errno != 0 {
		return
	}
	for i := range int(r) {
		from := sockaddrPort(&l.names[i])
		s.deliver(l.bufs[i][:l.msgs[i].Len], &l.pkt, from, at)
	}
}

// mediaEngine spreads RTP sockets over one loop per CPU.
type mediaEngine struct {
	mu    sync.Mutex
	loops []*mediaLoop
	next  int
}

func newMediaEngine(n int) (*mediaEngine, error) {
	m := &mediaEngine{}
	for range max(n, 1) {
		l, err := newMediaLoop()
		if err != nil {
			m.stop()
			return nil, err
		}
		m.loops = append(m.loops, l)
	}
	return m, nil
}

// add registers s with the next loop, round robin.
func (m *mediaEngine) add(s *RTPStream) error {
	m.mu.Lock()
	l := m.loops[m.next%len(m.loops)]
	m.next++
	m.mu.Unlock()
	return l.add(s)
}

func (m *mediaEngine) stop() {
	for _, l := range m.loops {
		l.stop()
	}
}
