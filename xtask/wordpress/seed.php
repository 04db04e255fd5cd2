<?php
// The test WordPress's content, made through WordPress's own PHP API (xtask/src/wordpress.rs runs
// this with WordPress loaded, `$news_widget_fixture` naming the seed article's JSON). Prints the
// slugs and ids as JSON.

require_once ABSPATH . 'wp-admin/includes/image.php';

/** A solid two-band PNG of $w × $h (no GD needed). */
function news_widget_seed_png( $w, $h ) {
	$chunk = function ( $type, $data ) {
		return pack( 'N', strlen( $data ) ) . $type . $data . pack( 'N', crc32( $type . $data ) );
	};
	$top    = "\0" . str_repeat( "\xde\x29\x10", $w );
	$bottom = "\0" . str_repeat( "\x00\xaf\xca", $w );
	$raw    = str_repeat( $top, intdiv( $h, 2 ) ) . str_repeat( $bottom, $h - intdiv( $h, 2 ) );
	return "\x89PNG\r\n\x1a\n" . $chunk( 'IHDR', pack( 'NNCCCCC', $w, $h, 8, 2, 0, 0, 0 ) )
		. $chunk( 'IDAT', gzcompress( $raw, 9 ) ) . $chunk( 'IEND', '' );
}

function news_widget_seed_post( $args ) {
	$id = wp_insert_post( $args, true );
	if ( is_wp_error( $id ) ) {
		fwrite( STDERR, $id->get_error_message() . "\n" );
		exit( 1 );
	}
	return $id;
}

/** A comment; `$when` counts minutes after the article was published. */
function news_widget_seed_comment( $post_id, $when, $args ) {
	$date = gmdate( 'Y-m-d H:i:s', strtotime( '2024-07-05 08:00:00 UTC' ) + 60 * $when );
	$id   = wp_insert_comment(
		array_merge(
			array(
				'comment_post_ID'      => $post_id,
				'comment_author'       => 'Lecteur',
				'comment_author_email' => 'lecteur@example.org',
				'comment_author_url'   => '',
				'comment_author_IP'    => '192.0.2.1',
				'comment_date'         => $date,
				'comment_date_gmt'     => $date,
				'comment_approved'     => 1,
				'comment_type'         => 'comment',
				'comment_parent'       => 0,
				'comment_agent'        => 'seed',
			),
			$args
		)
	);
	if ( ! $id ) {
		fwrite( STDERR, "wp_insert_comment failed\n" );
		exit( 1 );
	}
	return $id;
}

$fixture = json_decode( file_get_contents( $news_widget_fixture ), true );
$slug    = basename( $news_widget_fixture, '.json' );

// New anonymous comments show at once (no "previously approved" rule), threads go 5 deep.
update_option( 'comment_previously_approved', 0 );
update_option( 'thread_comments', 1 );
update_option( 'thread_comments_depth', 5 );
update_option( 'blogdescription', 'L’actualité, en toute intégrité' );

$author = wp_insert_user(
	array(
		'user_login'   => 'redaction',
		'user_pass'    => wp_generate_password( 24 ),
		'user_email'   => 'redaction@example.org',
		'display_name' => $fixture['author'],
		'nickname'     => $fixture['author'],
		'role'         => 'author',
	)
);

$published = gmdate( 'Y-m-d H:i:s', strtotime( $fixture['published_at'] ) );
$article   = news_widget_seed_post(
	array(
		'post_type'      => 'post',
		'post_status'    => 'publish',
		'post_name'      => $slug,
		'post_title'     => $fixture['title'],
		'post_excerpt'   => $fixture['summary'],
		'post_content'   => $fixture['body_html'],
		'post_author'    => $author,
		'post_date'      => $published,
		'post_date_gmt'  => $published,
		'comment_status' => 'open',
		'ping_status'    => 'open',
	)
);

// The featured image: the original and three smaller sizes, as WordPress would have made them.
$uploads = wp_upload_dir( '2024/07' );
$image   = $fixture['image'];
$name    = 'chine-kazakhstan';
$files   = array();
$sizes   = array(
	'full'         => array( $image['width'], $image['height'] ),
	'medium'       => array( 300, 169 ),
	'medium_large' => array( 768, 432 ),
	'thumbnail'    => array( 150, 150 ),
);
foreach ( $sizes as $size => list( $w, $h ) ) {
	$file = 'full' === $size ? "$name.png" : "$name-{$w}x{$h}.png";
	file_put_contents( $uploads['path'] . '/' . $file, news_widget_seed_png( $w, $h ) );
	$files[ $size ] = array(
		'file'      => $file,
		'width'     => $w,
		'height'    => $h,
		'mime-type' => 'image/png',
		'filesize'  => filesize( $uploads['path'] . '/' . $file ),
	);
}
$full       = $uploads['path'] . "/$name.png";
$attachment = wp_insert_attachment(
	array(
		'post_mime_type' => 'image/png',
		'post_title'     => 'Chine et Kazakhstan',
		'post_excerpt'   => $image['caption'],
		'post_content'   => '',
		'post_status'    => 'inherit',
		'post_author'    => $author,
		'guid'           => $uploads['url'] . "/$name.png",
	),
	$full,
	$article,
	true
);
if ( is_wp_error( $attachment ) ) {
	fwrite( STDERR, $attachment->get_error_message() . "\n" );
	exit( 1 );
}
update_post_meta( $attachment, '_wp_attachment_image_alt', $image['alt'] );
wp_update_attachment_metadata(
	$attachment,
	array(
		'width'      => $image['width'],
		'height'     => $image['height'],
		'file'       => _wp_relative_upload_path( $full ),
		'filesize'   => $files['full']['filesize'],
		'sizes'      => array_diff_key( $files, array( 'full' => 1 ) ),
		'image_meta' => array(
			'aperture'          => '0',
			'credit'            => $image['credit'],
			'camera'            => '',
			'caption'           => $image['caption'],
			'created_timestamp' => '0',
			'copyright'         => '',
			'focal_length'      => '0',
			'iso'               => '0',
			'shutter_speed'     => '0',
			'title'             => '',
			'orientation'       => '0',
			'keywords'          => array(),
		),
	)
);
set_post_thumbnail( $article, $attachment );

// The article's comments: three levels, several paragraphs, an author URL with `&`, and the ones
// the public list must not show (held, spam, trash, a pingback).
$first  = news_widget_seed_comment(
	$article,
	60,
	array(
		'comment_author'       => 'Marie Dupont',
		'comment_author_email' => 'marie@example.org',
		'comment_content'      => "Merci pour cet article clair.\n\nUn deuxième paragraphe,\navec un retour à la ligne.",
	)
);
$second = news_widget_seed_comment(
	$article,
	75,
	array(
		'comment_author'       => 'Jean Martin',
		'comment_author_email' => 'jean@example.org',
		'comment_author_url'   => 'https://example.org/?a=1&b=2',
		'comment_parent'       => $first,
		'comment_content'      => 'Je ne suis pas tout à fait d’accord : les chiffres du commerce méritent une source.',
	)
);
$third  = news_widget_seed_comment(
	$article,
	90,
	array(
		'comment_author'       => 'Marie Dupont',
		'comment_author_email' => 'marie@example.org',
		'comment_parent'       => $second,
		'comment_content'      => 'La source est citée plus bas, au troisième niveau du fil.',
	)
);
$fourth = news_widget_seed_comment(
	$article,
	120,
	array(
		'comment_author'  => 'Amina',
		'comment_content' => "Trois paragraphes.\n\nLe deuxième.\n\nEt le troisième,\nsur deux lignes.",
	)
);
$hidden = array(
	'held'     => news_widget_seed_comment( $article, 130, array( 'comment_approved' => 0, 'comment_author' => 'En attente', 'comment_content' => 'Ce commentaire attend la modération.' ) ),
	'spam'     => news_widget_seed_comment( $article, 131, array( 'comment_approved' => 'spam', 'comment_author' => 'Spam', 'comment_content' => 'Achetez maintenant !' ) ),
	'trash'    => news_widget_seed_comment( $article, 132, array( 'comment_approved' => 'trash', 'comment_author' => 'Corbeille', 'comment_content' => 'Ce commentaire est à la corbeille.' ) ),
	'pingback' => news_widget_seed_comment(
		$article,
		133,
		array(
			'comment_type'       => 'pingback',
			'comment_author'     => 'Un autre blog',
			'comment_author_url' => 'https://blog.example/revue-de-presse/',
			'comment_content'    => '[…] la coopération sino-kazakhe, lue ici […]',
		)
	),
);

// A long thread for paging: 130 approved comments, every fifth a reply, every tenth a reply's reply.
$big  = news_widget_seed_post(
	array(
		'post_type'      => 'post',
		'post_status'    => 'publish',
		'post_name'      => 'fil-de-commentaires',
		'post_title'     => 'Un fil de 130 commentaires',
		'post_content'   => '<p>Un article très commenté, pour la pagination.</p>',
		'post_author'    => $author,
		'post_date'      => $published,
		'post_date_gmt'  => $published,
		'comment_status' => 'open',
	)
);
$top  = 0;
$mid  = 0;
$many = 130;
for ( $i = 1; $i <= $many; $i++ ) {
	$parent = 0 === $i % 10 && $mid ? $mid : ( 0 === $i % 5 && $top ? $top : 0 );
	$id     = news_widget_seed_comment(
		$big,
		$i,
		array(
			'comment_author'  => "Lecteur $i",
			'comment_parent'  => $parent,
			'comment_content' => "Commentaire numéro $i.",
		)
	);
	if ( 0 === $parent ) {
		$top = $id;
	} elseif ( $parent === $top ) {
		$mid = $id;
	}
}

$closed = news_widget_seed_post(
	array(
		'post_type'      => 'post',
		'post_status'    => 'publish',
		'post_name'      => 'commentaires-fermes',
		'post_title'     => 'Les commentaires sont fermés',
		'post_content'   => '<p>Un article dont les commentaires sont fermés.</p>',
		'post_author'    => $author,
		'post_date'      => $published,
		'post_date_gmt'  => $published,
		'comment_status' => 'closed',
	)
);
news_widget_seed_comment( $closed, 10, array( 'comment_content' => 'Un commentaire d’avant la fermeture.' ) );

$page = news_widget_seed_post(
	array(
		'post_type'      => 'page',
		'post_status'    => 'publish',
		'post_name'      => 'a-propos',
		'post_title'     => 'À propos',
		'post_content'   => '<p>La rédaction.</p>',
		'post_author'    => $author,
		'comment_status' => 'closed',
	)
);

echo wp_json_encode(
	array(
		'article'        => array( 'id' => $article, 'slug' => $slug ),
		'featured_media' => $attachment,
		'author'         => $author,
		'comments'       => array( 'approved' => 4, 'top' => $first, 'reply' => $second, 'reply_to_reply' => $third, 'paragraphs' => $fourth ) + $hidden,
		'big'            => array( 'id' => $big, 'slug' => 'fil-de-commentaires', 'comments' => $many ),
		'closed'         => array( 'id' => $closed, 'slug' => 'commentaires-fermes' ),
		'page'           => array( 'id' => $page, 'slug' => 'a-propos' ),
	)
);
