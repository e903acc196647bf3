package histories

import (
	"flag"
	"os"
	"testing"
)

// casesAtOnce is how many cases run at once unless -test.parallel says
// otherwise. A case spends its time waiting for its store's writes to
// reach the disk, not on the processor, so more run at once than there
// are cores.
const casesAtOnce = "8"

func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		if err := flag.Set("test.parallel", casesAtOnce); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
