// The extension API of the browser this runs in: Firefox's `browser`
// (promise-based) where it exists, else Chrome's `chrome`. Every part of
// the extension (background, content scripts, pages) takes it from here.
export const ext = ((globalThis as { browser?: typeof chrome }).browser ?? chrome) as typeof chrome;
