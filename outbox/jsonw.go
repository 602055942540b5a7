package outbox

import "github.com/wismo/wismo/jsonw"

// JSONAppender is a payload that writes its own JSON: a message type written by the
// thousand (a tracking event) skips encoding/json's reflection, a few microseconds each.
// The JSON must decode to what json.Marshal of the value decodes to.
type JSONAppender interface {
	AppendJSON(dst []byte) []byte
}

// splitParts reads a packed payload as pack writes it, [{"item_id":"…","payload":…},…],
// without a decoder: the parts' payloads are slices of b, not copies. ok is false when b
// is not in that exact form (the caller then decodes it as plain JSON).
func splitParts(b []byte, n int) (items []string, payloads [][]byte, ok bool) {
	const head, mid = `{"item_id":"`, `","payload":`
	items, payloads = make([]string, 0, n), make([][]byte, 0, n)
	if len(b) < 2 || b[0] != '[' {
		return nil, nil, false
	}
	i := 1
	for {
		if !hasPrefixAt(b, i, head) {
			return nil, nil, false
		}
		i += len(head)
		end := i
		for end < len(b) && b[end] != '"' && b[end] != '\\' {
			end++
		}
		if !hasPrefixAt(b, end, mid) { // an escape in the id, or not the form
			return nil, nil, false
		}
		item := string(b[i:end])
		i = end + len(mid)
		end, ok = jsonw.SkipValue(b, i)
		if !ok || end >= len(b) || b[end] != '}' {
			return nil, nil, false
		}
		items, payloads = append(items, item), append(payloads, b[i:end:end])
		i = end + 1
		if i < len(b) && b[i] == ',' {
			i++
			continue
		}
		return items, payloads, i == len(b)-1 && b[i] == ']'
	}
}

func hasPrefixAt(b []byte, i int, prefix string) bool {
	return i+len(prefix) <= len(b) && string(b[i:i+len(prefix)]) == prefix
}
