package main

import (
	"github.com/wismo/wismo/tools/benchcorpus"
	"github.com/wismo/wismo/tools/meiliserver"
)

// corpus is the kept corpus (tools/benchcorpus) and, after indexing, its Meilisearch indexes.
type corpus struct {
	*benchcorpus.Corpus
	meili *meiliserver.Server
	ours  backend
	plain *plainMeili
}
