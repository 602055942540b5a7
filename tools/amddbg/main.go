package main

import (
	"fmt"
	"math"
	"os"

	"github.com/wismo/wismo/amd"
)

func main() {
	f, _ := os.Open(os.Args[1])
	s, err := amd.ReadWAV(f)
	if err != nil {
		panic(err)
	}
	line := ""
	for i := 0; i+160 <= len(s); i += 160 {
		e := 0.0
		for _, v := range s[i : i+160] {
			e += float64(v) * float64(v)
		}
		db := 10*math.Log10(e/160/32768/32768+1e-10)
		line += fmt.Sprintf("%4.0f", db)
		if (i/160)%25 == 24 {
			fmt.Println(line)
			line = ""
		}
	}
	fmt.Println(amd.Classify(s))
}
