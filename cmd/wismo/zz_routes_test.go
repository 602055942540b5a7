package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/wismo/wismo/store/storetest"
)

func TestZZListRoutes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	t.Setenv("WISMO_DATABASE_URL", storetest.URL(t))
	t.Setenv("WISMO_DATA_DIR", t.TempDir())
	t.Setenv("WISMO_SIP_ADDR", "127.0.0.1:0")
	cfg, _, err := parseFlags("serve", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	n, err := a.wire(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range n.web.GetRoutes(true) {
		fmt.Println(r.Method, r.Path)
	}
}
