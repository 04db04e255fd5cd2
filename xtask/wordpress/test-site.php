<?php
/**
 * Plugin Name: news-widget test site
 * Description: Only for the throwaway WordPress of cargo xtask wordpress (a must-use plugin there, never shipped): the tests post many comments from one address, so WordPress's comment flood check is off.
 * License: GPL-2.0-or-later
 */
add_filter( 'wp_is_comment_flood', '__return_false', 100 );
// No mail leaves the test site (there is no sendmail either).
add_filter( 'pre_wp_mail', '__return_false' );
// A French site, as the seed article is: its pages say <html lang="fr-FR">, the language the
// widget takes. (WordPress refuses WPLANG for a language whose files it lacks; the filter does not.)
add_filter(
	'locale',
	function () {
		return 'fr_FR';
	}
);
