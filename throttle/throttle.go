// Package throttle bounds what one client can make wismo do, with memory that stays bounded
// whatever the clients do. It is the one limiter of the product: logins and SIP REGISTER
// (Backoff), public forms (Rate), expensive work such as password hashing (Gate), and every
// listener's sockets (Listener).
//
// Every per-key table holds at most a fixed number of keys. When it is full the least
// recently used key is forgotten to make room: an attacker who floods the table with new keys
// can at worst make wismo forget old keys, never refuse every new client (fail open for the
// crowd, closed for the busy key).
package throttle

import (
	"container/list"
	"strings"
	"time"
)

// DefaultMaxKeys bounds a table when its owner gives no size: about 10 MB of state.
const DefaultMaxKeys = 100_000

// lru is a bounded map from key to value that forgets the least recently used key when
// full. It is not safe for concurrent use; its owners lock.
type lru[V any] struct {
	max   int
	items map[string]*list.Element
	order list.List // front = most recently used
}

type entry[V any] struct {
	key string
	val V
}

func newLRU[V any](max int) *lru[V] {
	if max <= 0 {
		max = DefaultMaxKeys
	}
	return &lru[V]{max: max, items: make(map[string]*list.Element)}
}

// get returns key's value and marks it used; ok is false when the key is not held.
func (c *lru[V]) get(key string) (*V, bool) {
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return &el.Value.(*entry[V]).val, true
}

// put adds key with the zero value (forgetting the least recently used key when full) and
// returns it to fill in.
func (c *lru[V]) put(key string) *V {
	if el, ok := c.items[key]; ok {
		c.order.MoveToFront(el)
		return &el.Value.(*entry[V]).val
	}
	if len(c.items) >= c.max {
		oldest := c.order.Back()
		delete(c.items, oldest.Value.(*entry[V]).key)
		c.order.Remove(oldest)
	}
	// Keys often come from request buffers that the server reuses (fiber, fasthttp): a key
	// kept past the request must own its bytes.
	key = strings.Clone(key)
	el := c.order.PushFront(&entry[V]{key: key})
	c.items[key] = el
	return &el.Value.(*entry[V]).val
}

func (c *lru[V]) remove(key string) {
	if el, ok := c.items[key]; ok {
		delete(c.items, key)
		c.order.Remove(el)
	}
}

func (c *lru[V]) len() int { return len(c.items) }

// Clock is time.Now, replaceable in tests.
type Clock func() time.Time
