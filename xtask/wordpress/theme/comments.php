<?php
/**
 * The test theme's comments: WordPress's own list and form, as a theme prints them.
 *
 * @package news-widget-test
 */
?>
<section id="comments">
<ol class="comment-list"><?php wp_list_comments(); ?></ol>
<?php comment_form(); ?>
</section>
