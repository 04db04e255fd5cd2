fn main() {
    news_widget::install_js_api();
    // Loaded by news-widget-loader.js, the loader mounts each widget as it nears the viewport.
    if !news_widget::lazily_loaded() {
        news_widget::mount_all_soon();
    }
}
