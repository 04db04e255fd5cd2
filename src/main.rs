fn main() {
    news_widget::install_js_api();
    news_widget::mount_all();
}
