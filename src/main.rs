fn main() {
    news_widget::mount_all();
}
