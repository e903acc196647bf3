package internal

import (
	_ "codeberg.org/readeck/go-readability/v2"
	_ "github.com/dgraph-io/badger/v4"
	_ "github.com/gorilla/websocket"
	_ "github.com/klauspost/compress/zstd"
	_ "github.com/rs/cors"
	_ "golang.org/x/text/unicode/norm"
	_ "golang.org/x/net/publicsuffix"
)
