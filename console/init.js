// Starts the console's wasm. A file of its own, not trunk's inline script, so that the page's
// Content-Security-Policy allows scripts from 'self' only.
import init from "./news-widget-console.js";

init({ module_or_path: new URL("./news-widget-console_bg.wasm", import.meta.url) });
