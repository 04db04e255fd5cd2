<?php
// The router of `php -S` for the test WordPress (xtask/src/wordpress.rs): files that exist are
// served as they are (PHP ones run); every other path goes to index.php, as Apache's rewrite rules
// do, so that pretty permalinks and /wp-json/ work.
$path = rawurldecode( (string) parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) );
if ( '/' !== $path && false === strpos( $path, '..' ) && file_exists( __DIR__ . $path ) ) {
	return false;
}
$_SERVER['SCRIPT_NAME']     = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = __DIR__ . '/index.php';
$_SERVER['PHP_SELF']        = '/index.php';
require __DIR__ . '/index.php';
