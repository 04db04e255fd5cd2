<?php
/**
 * Plugin Name:       news-widget
 * Description:       What the news-widget needs from WordPress: anonymous comments over the REST API, the reader token header in CORS, and reader ratings (one vote per reader, the same JSON as the news-widget server).
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      7.4
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 *
 * news-widget for WordPress
 * Copyright (C) the news-widget authors
 *
 * This program is free software; you can redistribute it and/or modify it under the terms of the
 * GNU General Public License as published by the Free Software Foundation; either version 2 of the
 * License, or (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful, but WITHOUT ANY WARRANTY; without
 * even the implied warranty of MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE. See the GNU
 * General Public License for more details.
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/** The header that carries a reader's random token (api/src/rating.rs, READER_TOKEN_HEADER). */
const NEWS_WIDGET_READER_TOKEN_HEADER = 'x-reader-token';
const NEWS_WIDGET_SECRET_OPTION       = 'news_widget_secret';
const NEWS_WIDGET_DB_VERSION          = '1';

// Readers comment without an account, as on the widget's own server.
add_filter( 'rest_allow_anonymous_comments', '__return_true' );

// The widget sends its reader token from another origin, and reads the paging and retry headers.
add_filter(
	'rest_allowed_cors_headers',
	function ( $headers ) {
		$headers[] = NEWS_WIDGET_READER_TOKEN_HEADER;
		return array_values( array_unique( $headers ) );
	}
);
add_filter(
	'rest_exposed_cors_headers',
	function ( $headers ) {
		return array_values( array_unique( array_merge( $headers, array( 'X-WP-Total', 'X-WP-TotalPages', 'Link', 'Retry-After' ) ) ) );
	}
);

// WordPress refuses a body that is not JSON before our route sees it, in its own error shape; our
// route answers it as the news-widget server does (a 400 problem document).
add_filter(
	'rest_request_before_callbacks',
	function ( $response, $handler, $request ) {
		if ( is_wp_error( $response ) && 'rest_invalid_json' === $response->get_error_code()
			&& 0 === strpos( $request->get_route(), '/news-widget/v1/' ) ) {
			return null;
		}
		return $response;
	},
	10,
	3
);

// Our figures are floats: 4.0, not 4, as the news-widget server writes them.
add_filter(
	'rest_json_encode_options',
	function ( $options, $request ) {
		return 0 === strpos( $request->get_route(), '/news-widget/v1/' ) ? $options | JSON_PRESERVE_ZERO_FRACTION : $options;
	},
	10,
	2
);

register_activation_hook( __FILE__, 'news_widget_activate' );
// A copy dropped in without activation (or an update) makes its tables on first load.
add_action(
	'plugins_loaded',
	function () {
		if ( NEWS_WIDGET_DB_VERSION !== get_option( 'news_widget_db_version' ) ) {
			news_widget_activate();
		}
	}
);
add_action( 'rest_api_init', 'news_widget_routes' );

/** Creates the tables (one vote per post and reader hash; new voters a day per address hash) and the secret. */
function news_widget_activate() {
	global $wpdb;
	require_once ABSPATH . 'wp-admin/includes/upgrade.php';
	$charset = $wpdb->get_charset_collate();
	dbDelta(
		"CREATE TABLE {$wpdb->prefix}news_widget_ratings (
  post_id bigint(20) unsigned NOT NULL,
  reader_hash char(64) NOT NULL,
  stars tinyint(3) unsigned NOT NULL,
  created_at datetime NOT NULL,
  updated_at datetime NOT NULL,
  PRIMARY KEY  (post_id,reader_hash)
) $charset;
CREATE TABLE {$wpdb->prefix}news_widget_new_voters (
  post_id bigint(20) unsigned NOT NULL,
  day int(11) NOT NULL,
  ip_hash char(64) NOT NULL,
  voters int(11) unsigned NOT NULL,
  PRIMARY KEY  (post_id,day,ip_hash)
) $charset;"
	);
	update_option( 'news_widget_db_version', NEWS_WIDGET_DB_VERSION, false );
	news_widget_secret();
}

/** The site's secret key, made once (never sent, never the token itself). */
function news_widget_secret() {
	global $wpdb;
	$secret = get_option( NEWS_WIDGET_SECRET_OPTION );
	if ( ! is_string( $secret ) || strlen( $secret ) < 64 ) {
		// INSERT IGNORE, then read back: of two first requests at once, one key wins for both
		// (update_option and add_option would let the second overwrite the first's).
		$wpdb->query( $wpdb->prepare( "INSERT IGNORE INTO $wpdb->options (option_name, option_value, autoload) VALUES (%s, %s, 'no')", NEWS_WIDGET_SECRET_OPTION, bin2hex( random_bytes( 32 ) ) ) );
		wp_cache_delete( NEWS_WIDGET_SECRET_OPTION, 'options' );
		wp_cache_delete( 'notoptions', 'options' );
		$secret = (string) $wpdb->get_var( $wpdb->prepare( "SELECT option_value FROM $wpdb->options WHERE option_name = %s", NEWS_WIDGET_SECRET_OPTION ) );
	}
	return $secret;
}

/** A keyed hash (HMAC-SHA256) of `$what`, for `$purpose`. */
function news_widget_hash( $purpose, $what ) {
	return hash_hmac( 'sha256', $purpose . "\n" . $what, news_widget_secret() );
}

function news_widget_routes() {
	register_rest_route(
		'news-widget/v1',
		'/articles/(?P<slug>[a-z0-9-]+)/rating',
		array(
			array(
				'methods'             => 'GET',
				'callback'            => 'news_widget_get_rating',
				'permission_callback' => '__return_true',
			),
			array(
				'methods'             => 'PUT',
				'callback'            => 'news_widget_put_rating',
				'permission_callback' => '__return_true',
			),
		)
	);
}

/** The reader token, parsed as ReaderToken::parse does: 16 to 64 letters, digits or hyphens. */
function news_widget_reader_token( WP_REST_Request $request ) {
	$raw = $request->get_header( NEWS_WIDGET_READER_TOKEN_HEADER );
	if ( is_string( $raw ) && preg_match( '/\A[A-Za-z0-9-]{16,64}\z/', $raw ) ) {
		return $raw;
	}
	return null;
}

/** An RFC 9457 problem document, as the news-widget server's (api/src/problem.rs). */
function news_widget_problem( $status, $title, $detail, $errors = array(), $headers = array() ) {
	$body = array(
		'type'   => 'about:blank',
		'title'  => $title,
		'status' => $status,
	);
	if ( '' !== $detail ) {
		$body['detail'] = $detail;
	}
	if ( $errors ) {
		$body['errors'] = $errors;
	}
	$response = new WP_REST_Response( $body, $status );
	$response->header( 'Content-Type', 'application/problem+json' );
	foreach ( $headers as $name => $value ) {
		$response->header( $name, $value );
	}
	return $response;
}

/** A 422 naming one field, as Problem::invalid. */
function news_widget_invalid( $field, $message ) {
	return news_widget_problem( 422, 'Invalid request', $field . ': ' . $message, array( array( 'field' => $field, 'message' => $message ) ) );
}

/** The published post with this slug, or null. */
function news_widget_article( $slug ) {
	$posts = get_posts(
		array(
			'name'             => $slug,
			'post_type'        => apply_filters( 'news_widget_post_types', array( 'post' ) ),
			'post_status'      => 'publish',
			'numberposts'      => 1,
			'suppress_filters' => false,
		)
	);
	return $posts ? $posts[0] : null;
}

/** The summary as RatingSummary::from_histogram makes it. */
function news_widget_summary( $post_id, $reader_hash ) {
	global $wpdb;
	$table     = $wpdb->prefix . 'news_widget_ratings';
	$histogram = array( 0, 0, 0, 0, 0 );
	$rows      = $wpdb->get_results( $wpdb->prepare( "SELECT stars, COUNT(*) AS n FROM $table WHERE post_id = %d GROUP BY stars", $post_id ) );
	foreach ( (array) $rows as $row ) {
		$stars = (int) $row->stars;
		if ( $stars >= 1 && $stars <= 5 ) {
			$histogram[ $stars - 1 ] = (int) $row->n;
		}
	}
	$count = array_sum( $histogram );
	$total = 0;
	foreach ( $histogram as $i => $n ) {
		$total += $n * ( $i + 1 );
	}
	$average = $count ? $total / $count : 0.0;
	$summary = array(
		'count'     => $count,
		'average'   => (float) $average,
		'percent'   => (float) ( $average / 5 * 100 ),
		'histogram' => $histogram,
	);
	if ( null !== $reader_hash ) {
		$yours = $wpdb->get_var( $wpdb->prepare( "SELECT stars FROM $table WHERE post_id = %d AND reader_hash = %s", $post_id, $reader_hash ) );
		if ( null !== $yours ) {
			$summary['your_stars'] = (int) $yours;
		}
	}
	return $summary;
}

/** Answers vary with the reader token, so caches must not share them. */
function news_widget_private( $summary ) {
	$response = new WP_REST_Response( $summary, 200 );
	$response->header( 'Cache-Control', 'private, no-cache' );
	$response->header( 'Vary', NEWS_WIDGET_READER_TOKEN_HEADER );
	return $response;
}

function news_widget_get_rating( WP_REST_Request $request ) {
	$slug = $request['slug'];
	$post = news_widget_article( $slug );
	if ( ! $post ) {
		return news_widget_problem( 404, 'Not found', "no article $slug" );
	}
	$token = news_widget_reader_token( $request );
	return news_widget_private( news_widget_summary( $post->ID, null === $token ? null : news_widget_hash( 'reader', $token ) ) );
}

/** The address new voters are counted by: an IPv4 address, or an IPv6 /64 (client::rate_key). */
function news_widget_rate_key() {
	$ip     = apply_filters( 'news_widget_client_ip', isset( $_SERVER['REMOTE_ADDR'] ) ? $_SERVER['REMOTE_ADDR'] : '' );
	$packed = @inet_pton( (string) $ip );
	if ( false === $packed ) {
		return (string) $ip;
	}
	if ( 16 === strlen( $packed ) ) {
		if ( 0 === strncmp( $packed, str_repeat( "\0", 10 ) . "\xff\xff", 12 ) ) {
			return inet_ntop( substr( $packed, 12 ) );
		}
		return inet_ntop( substr( $packed, 0, 8 ) . str_repeat( "\0", 8 ) );
	}
	return inet_ntop( $packed );
}

/** Casts or changes the reader's vote; a reader's second vote replaces the first. */
function news_widget_put_rating( WP_REST_Request $request ) {
	global $wpdb;
	$slug = $request['slug'];

	// The body, as the server's JSON extractor reads it.
	$type = strtolower( trim( explode( ';', (string) $request->get_header( 'content-type' ) )[0] ) );
	if ( 'application/json' !== $type && '+json' !== substr( $type, -5 ) ) {
		return news_widget_problem( 415, 'Unsupported media type', 'send the body as Content-Type: application/json' );
	}
	$input = json_decode( $request->get_body() );
	if ( JSON_ERROR_NONE !== json_last_error() ) {
		return news_widget_problem( 400, 'Bad request', 'the body is not valid JSON: ' . json_last_error_msg() );
	}
	if ( ! $input instanceof stdClass ) {
		return news_widget_invalid( 'body', 'invalid type: expected struct RatingInput' );
	}
	$input = get_object_vars( $input );
	foreach ( array_keys( $input ) as $key ) {
		if ( 'stars' !== $key ) {
			return news_widget_invalid( (string) $key, "unknown field `$key`, expected `stars`" );
		}
	}
	if ( ! array_key_exists( 'stars', $input ) ) {
		return news_widget_invalid( 'stars', 'missing field `stars`' );
	}
	$stars = $input['stars'];
	if ( ! is_int( $stars ) || $stars < 1 || $stars > 5 ) {
		return news_widget_invalid( 'stars', 'must be a whole number from 1 to 5' );
	}

	$token = news_widget_reader_token( $request );
	if ( null === $token ) {
		return news_widget_invalid( 'X-Reader-Token', 'send the reader\'s token (16 to 64 letters, digits or hyphens)' );
	}
	$post = news_widget_article( $slug );
	if ( ! $post ) {
		return news_widget_problem( 404, 'Not found', "no article $slug" );
	}

	$now     = time();
	$day     = intdiv( $now, DAY_IN_SECONDS );
	$reader  = news_widget_hash( 'reader', $token );
	$ip_hash = news_widget_hash( "day:$day", news_widget_rate_key() );
	$cap     = (int) apply_filters( 'news_widget_max_new_voters_per_ip', 3 );
	$ratings = $wpdb->prefix . 'news_widget_ratings';
	$voters  = $wpdb->prefix . 'news_widget_new_voters';
	$stamp   = gmdate( 'Y-m-d H:i:s', $now );

	// One vote at a time per post (concurrent first votes of one reader, or of several readers
	// near the cap, would otherwise race), inside a transaction.
	$lock = $wpdb->prefix . 'news_widget_rating_' . $post->ID;
	if ( '1' !== (string) $wpdb->get_var( $wpdb->prepare( 'SELECT GET_LOCK(%s, 10)', $lock ) ) ) {
		return news_widget_problem( 503, 'Service unavailable', 'too many votes at once; try again', array(), array( 'Retry-After' => '1' ) );
	}
	try {
		$wpdb->query( 'START TRANSACTION' );
		$had = $wpdb->get_var( $wpdb->prepare( "SELECT stars FROM $ratings WHERE post_id = %d AND reader_hash = %s", $post->ID, $reader ) );
		if ( null === $had ) {
			$count = (int) $wpdb->get_var( $wpdb->prepare( "SELECT voters FROM $voters WHERE post_id = %d AND day = %d AND ip_hash = %s", $post->ID, $day, $ip_hash ) );
			if ( $count >= $cap ) {
				$wpdb->query( 'ROLLBACK' );
				return news_widget_problem(
					429,
					'Too many requests',
					"At most $cap new readers a day may rate this article from one network address. Try again tomorrow.",
					array(),
					array( 'Retry-After' => (string) max( 1, DAY_IN_SECONDS - $now % DAY_IN_SECONDS ) )
				);
			}
			$ok = false !== $wpdb->query( $wpdb->prepare( "INSERT INTO $voters (post_id, day, ip_hash, voters) VALUES (%d, %d, %s, 1) ON DUPLICATE KEY UPDATE voters = voters + 1", $post->ID, $day, $ip_hash ) )
				// The keys of days before yesterday are gone, and so are their counts.
				&& false !== $wpdb->query( $wpdb->prepare( "DELETE FROM $voters WHERE day < %d", $day - 1 ) );
		} else {
			$ok = true;
		}
		$ok = $ok && false !== $wpdb->query( $wpdb->prepare( "INSERT INTO $ratings (post_id, reader_hash, stars, created_at, updated_at) VALUES (%d, %s, %d, %s, %s) ON DUPLICATE KEY UPDATE stars = VALUES(stars), updated_at = VALUES(updated_at)", $post->ID, $reader, $stars, $stamp, $stamp ) );
		$summary = $ok ? news_widget_summary( $post->ID, $reader ) : null;
		if ( ! $ok || false === $wpdb->query( 'COMMIT' ) ) {
			$wpdb->query( 'ROLLBACK' );
			return news_widget_problem( 500, 'Internal server error', 'the server failed; the error is in its log' );
		}
	} finally {
		$wpdb->query( $wpdb->prepare( 'SELECT RELEASE_LOCK(%s)', $lock ) );
	}
	return news_widget_private( $summary );
}
