<?php
/**
 * The theme's comments template, inside <noscript>: readers without JavaScript keep WordPress's
 * own thread and form; the widget shows the thread to everyone else (news-widget.php).
 *
 * @package news-widget
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

echo '<noscript>';
if ( ! empty( $GLOBALS['news_widget_theme_comments'] ) && is_readable( $GLOBALS['news_widget_theme_comments'] ) ) {
	require $GLOBALS['news_widget_theme_comments'];
}
echo '</noscript>';
