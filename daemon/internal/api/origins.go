package api

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"redline/daemon/internal/store"
)

// settingExtensionOrigins is the store setting that lists the extension
// origins that paired, newest last.
const settingExtensionOrigins = "extension_origins"

// maxExtensionOrigins caps the origins remembered: each reinstall of the
// Firefox extension has an origin of its own.
const maxExtensionOrigins = 8

// extensionOrigins are the extension origins the API answers across
// origins (CORS) and the event stream accepts: Redline's Chrome extension,
// whose id its key fixes, and every origin that claimed a pairing code
// (a Firefox extension's origin is random per install; a store build's id
// is the store's). Other extensions are refused even with the token.
type extensionOrigins struct {
	store *store.Store
	mu    sync.RWMutex
	list  []string
}

func loadExtensionOrigins(st *store.Store) (*extensionOrigins, error) {
	e := &extensionOrigins{store: st}
	if st == nil {
		return e, nil
	}
	if _, err := st.Setting(settingExtensionOrigins, &e.list); err != nil {
		return nil, fmt.Errorf("read paired extension origins: %w", err)
	}
	return e, nil
}

func (e *extensionOrigins) allowed(origin string) bool {
	if origin == ChromeExtensionOrigin {
		return true
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	return slices.Contains(e.list, origin)
}

// learn remembers the origin of an extension that just paired.
func (e *extensionOrigins) learn(ctx context.Context, origin string) error {
	if !IsExtensionOrigin(origin) || origin == ChromeExtensionOrigin {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	list := slices.DeleteFunc(slices.Clone(e.list), func(o string) bool { return o == origin })
	list = append(list, origin)
	if len(list) > maxExtensionOrigins {
		list = list[len(list)-maxExtensionOrigins:]
	}
	if e.store != nil {
		if err := e.store.SetSetting(ctx, settingExtensionOrigins, list); err != nil {
			return fmt.Errorf("remember the paired extension's origin: %w", err)
		}
	}
	e.list = list
	return nil
}
