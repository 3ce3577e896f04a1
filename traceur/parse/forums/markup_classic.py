"""Markup tables of the PHP bulletin boards: phpBB (2 subSilver, 3 prosilver),
vBulletin (3, 4, 5), SMF 2 (Curve), MyBB 1.8, FluxBB (and PunBB 1.2, its ancestor) and
PunBB 1.4, each with its thread and board variants.
"""

from __future__ import annotations

from traceur.parse.forums.markup_kit import (
    BoardMarkup,
    ThreadMarkup,
    anchor_as,
    author_at,
    cut_after_line,
    id_from,
    number_at,
    own_id_anchor,
    replies_at,
)
from traceur.parse.forums.quotes import xpath_finder
from traceur.parse.html import has_class

# -- phpBB ----------------------------------------------------------------------------

PHPBB3 = ThreadMarkup(
    name="phpbb",
    post=f"//div[{has_class('post')}][starts-with(@id, 'p')]",
    post_id=id_from(r"^p(\d+)$", "id"),
    anchor=own_id_anchor,
    author=author_at(
        f".//p[{has_class('author')}]//*[{has_class('username')}"
        f" or {has_class('username-coloured')}]"
        f" | .//dl[{has_class('postprofile')}]//*[{has_class('username')}"
        f" or {has_class('username-coloured')}]"
    ),
    date=f".//p[{has_class('author')}]",
    content=f".//div[{has_class('content')}]",
    quote=xpath_finder(".//blockquote"),
    citation=xpath_finder(".//cite"),
    junk=None,
    number=number_at(None),
    title=f"//*[self::h1 or self::h2][{has_class('topic-title')}]",
    pagination=f"//div[{has_class('pagination')}]",
    current=f".//li[{has_class('active')}] | .//strong",
)

# subSilver: one table row per post; quotes are tables of their own between pieces of
# the message, and the signature follows the message after a line of underscores.
PHPBB2 = ThreadMarkup(
    name="phpbb",
    post="//table[@class='forumline']//tr[td/span[@class='name']/a[@name]]",
    post_id=id_from(r"^(\d+)$", "name"),
    anchor=anchor_as("{}"),
    author=author_at(".//span[@class='name']/b | .//span[@class='name']"),
    date="./td[2]//span[@class='postdetails']",
    content=".//td[span[@class='postbody']]",
    quote=xpath_finder(".//table[.//td[@class='quote']]"),
    citation=xpath_finder(".//span[@class='genmed']"),
    junk=".//span[@class='gensmall']",
    number=number_at(None),
    title="//a[@class='maintitle']",
    pagination="//span[@class='nav'][.//a[contains(@href, 'start=')]]",
    current=".//b",
    trim=cut_after_line("_________________"),
)

PHPBB3_BOARD = BoardMarkup(
    rows=f"//ul[{has_class('topiclist')} and {has_class('topics')}]/li[{has_class('row')}]",
    link=f".//a[{has_class('topictitle')}]",
    replies=replies_at(f".//dd[{has_class('posts')}]"),
    last=f".//dd[{has_class('lastpost')}]",
    last_page=f".//div[{has_class('pagination')}]//a",
    subforums=(
        f"//ul[{has_class('topiclist')} and {has_class('forums')}]"
        f"//a[{has_class('forumtitle')}] | //a[{has_class('subforum')}]"
    ),
    pagination=f"//div[{has_class('action-bar')}]//div[{has_class('pagination')}]",
    current=f".//li[{has_class('active')}]",
)

PHPBB2_BOARD = BoardMarkup(
    rows="//table[@class='forumline']//tr[.//a[@class='topictitle']]",
    link=".//a[@class='topictitle']",
    replies=replies_at("./td[3]"),
    last="./td[last()]",
    last_page=".//span[@class='gensmall']/a",
    subforums="//a[@class='forumlink']",
    pagination="//span[@class='nav'][.//a[contains(@href, 'start=')]]",
    current=".//b",
)

# -- vBulletin --------------------------------------------------------------------------

# vBulletin 4 and 5 share their BB-code quote; code boxes share bbcode_container, so
# only those holding a quote are quotes.
_VB_QUOTE = xpath_finder(
    f".//div[{has_class('bbcode_container')}][.//div[{has_class('bbcode_quote')}]]"
)
_VB_CITATION = xpath_finder(f".//div[{has_class('bbcode_postedby')}]")

VB4 = ThreadMarkup(
    name="vbulletin",
    post=(
        f"//li[{has_class('postcontainer')} or {has_class('postbitlegacy')}"
        f" or {has_class('postbit')}][starts-with(@id, 'post_')]"
    ),
    post_id=id_from(r"^post_(\d+)$", "id"),
    anchor=anchor_as("post{}"),
    author=author_at(
        f".//div[{has_class('userinfo')}]//*[{has_class('username')}]"
        f" | .//*[{has_class('username')}]"
    ),
    date=f".//span[{has_class('postdate')}] | .//div[{has_class('posthead')}]",
    content=".//div[starts-with(@id, 'post_message_')]",
    quote=_VB_QUOTE,
    citation=_VB_CITATION,
    junk=None,
    number=number_at(f".//a[{has_class('postcounter')}]"),
    title=f"//*[{has_class('threadtitle')}]",
    pagination=f"//form[{has_class('pagination')}] | //div[{has_class('pagination')}]",
    current=f".//span[{has_class('selected')}]",
)

# vBulletin 5 ("Connect"): a conversation list of nodes, schema.org microdata.
VB5 = ThreadMarkup(
    name="vbulletin",
    post=f"//ul[{has_class('conversation-list')}]/li[@data-node-id]",
    post_id=id_from(r"^(\d+)$", "data-node-id"),
    anchor=anchor_as("post{}"),
    author=author_at(
        ".//*[@itemprop='author']//*[@itemprop='name']"
        f" | .//div[{has_class('author')}]//a | .//div[{has_class('author')}]"
    ),
    date=f".//div[{has_class('b-post__timestamp')}]",
    content=".//div[@itemprop='text']",
    quote=_VB_QUOTE,
    citation=_VB_CITATION,
    junk=None,
    number=number_at(f".//a[{has_class('b-post__count')}]"),
    title=f"//h1[{has_class('main-title')}]",
    pagination=f"//div[{has_class('js-pagenav')}]",
    current=f".//a[{has_class('js-pagenav-current-button')}]",
)

# vBulletin 3: one table per post; a quote is a box holding a "Citation :" label and
# a table, the poster's name on the table's first line.
VB3 = ThreadMarkup(
    name="vbulletin",
    post="//table[starts-with(@id, 'post')][.//div[starts-with(@id, 'post_message_')]]",
    post_id=id_from(r"^post(\d+)$", "id"),
    anchor=anchor_as("post{}"),
    author=author_at(".//a[@class='bigusername'] | .//div[starts-with(@id, 'postmenu_')]"),
    date=".//td[@class='thead'][1]",
    content=".//div[starts-with(@id, 'post_message_')]",
    quote=xpath_finder(".//div[table][div[@class='smallfont']]"),
    citation=xpath_finder("./div[@class='smallfont'] | .//td/div[strong][a]"),
    junk=None,
    number=number_at(".//a[starts-with(@id, 'postcount')]"),
    title="//td[@class='navbar']/strong",
    pagination="//div[@class='pagenav']",
    current=".//strong",
)

VB4_BOARD = BoardMarkup(
    rows=f"//li[{has_class('threadbit')}]",
    link=f".//a[{has_class('title')}]",
    replies=replies_at(f".//ul[{has_class('threadstats')}]/li[1]"),
    last=f".//dl[{has_class('threadlastpost')}]",
    last_page=f".//dl[{has_class('pagination')}]//a",
    subforums=f"//*[{has_class('forumtitle')}]/a",
    pagination=(
        f"//div[{has_class('threadpagenav')}]//*[{has_class('pagination')}]"
        f" | //div[{has_class('pagination_top')}]//*[{has_class('pagination')}]"
    ),
    current=f".//span[{has_class('selected')}]",
)

VB5_BOARD = BoardMarkup(
    rows=f"//tr[{has_class('topic-item')}]",
    link=f".//a[{has_class('topic-title')}]",
    replies=replies_at(f".//*[{has_class('posts-count')}]"),
    last=f".//td[{has_class('cell-lastpost')}]//*[{has_class('post-date')}]",
    last_page=f".//*[{has_class('pagenav')}]//a",
    subforums=f"//tr[{has_class('forum-item')}]//a[{has_class('forum-title')}]",
    pagination=f"//div[{has_class('js-pagenav')}]",
    current=f".//a[{has_class('js-pagenav-current-button')}]",
)

VB3_BOARD = BoardMarkup(
    rows="//tbody[starts-with(@id, 'threadbits_forum_')]/tr",
    link=".//a[starts-with(@id, 'thread_title_')]",
    replies=replies_at(".//a[starts-with(@href, 'misc.php?do=whoposted')]"),
    last=".//td[.//span[@class='time']]",
    last_page=".//span[@class='smallfont']/a[contains(@href, 'showthread.php')]",
    subforums=f"//td[{has_class('alt1Active')}]//div/a[contains(@href, 'forumdisplay.php')]",
    pagination="//div[@class='pagenav']",
    current=".//strong",
)

# -- SMF 2 (Curve) ---------------------------------------------------------------------

# "Réponse #3 le : …" is the fourth post; the first post shows no number.
SMF2 = ThreadMarkup(
    name="smf",
    post="//div[@id='forumposts']//div[div[@class='post_wrapper']]",
    post_id=id_from(r"^msg_(\d+)$", "id"),
    anchor=anchor_as("msg{}"),
    author=author_at(".//div[@class='poster']/h4/a | .//div[@class='poster']/h4"),
    date=".//div[@class='keyinfo']/div[@class='smalltext']",
    content=".//div[@class='inner']",
    quote=xpath_finder(".//blockquote"),
    citation=xpath_finder(".//cite"),
    # The "Citation de : X le …" header sits before the blockquote, not inside it.
    junk=(
        ".//div[@class='quoteheader'] | .//div[@class='quotefooter'] | .//div[@class='codeheader']"
    ),
    number=number_at(".//div[@class='keyinfo']/div[@class='smalltext']", r"#\s*(\d+)", plus=1),
    title="//div[@class='navigate_section']//li[@class='last']//span",
    pagination=f"//div[{has_class('pagelinks')}]",
    current=".//strong",
)

SMF2_BOARD = BoardMarkup(
    rows=f"//div[@id='messageindex']//tr[td[{has_class('subject')}]]",
    link=f".//td[{has_class('subject')}]//span[starts-with(@id, 'msg_')]/a",
    replies=replies_at(f".//td[{has_class('stats')}]"),
    last=f".//td[{has_class('lastpost')}]",
    last_page=".//small[starts-with(@id, 'pages')]/a",
    subforums="//tbody[contains(@id, '_children')]//a[@class='subject']",
    pagination=f"//div[{has_class('pagelinks')}]",
    current=".//strong",
)

# -- MyBB 1.8 ---------------------------------------------------------------------------

_MYBB_PAGINATION = f"//div[{has_class('pagination')}][not({has_class('pagination_breadcrumb')})]"

MYBB = ThreadMarkup(
    name="mybb",
    post=f"//div[@id='posts']/div[{has_class('post')}][starts-with(@id, 'post_')]",
    post_id=id_from(r"^post_(\d+)$", "id"),
    anchor=anchor_as("pid{}"),
    author=author_at(f".//div[{has_class('author_information')}]//*[{has_class('largetext')}]"),
    date=f".//span[{has_class('post_date')}]",
    content=f".//div[{has_class('post_body')}]",
    quote=xpath_finder(f".//blockquote[{has_class('mycode_quote')}]"),
    citation=xpath_finder(".//cite"),
    junk=None,
    number=number_at(f".//div[{has_class('post_head')}]//a[starts-with(normalize-space(.), '#')]"),
    title=f"//div[{has_class('navigation')}]/span[{has_class('active')}]",
    # The breadcrumb's drop-down lists the pages of the forum, not of the thread.
    pagination=_MYBB_PAGINATION,
    current=f".//span[{has_class('pagination_current')}]",
)

MYBB_BOARD = BoardMarkup(
    rows=f"//tr[{has_class('inline_row')}]",
    link=".//span[starts-with(@id, 'tid_')]/a",
    replies=replies_at(".//a[starts-with(@href, 'javascript:MyBB.whoPosted')]"),
    last=f".//span[{has_class('lastpost')}]",
    last_page=".//span[@class='smalltext']/a[contains(@href, 'showthread.php')]",
    subforums="//td/strong/a[contains(@href, 'forumdisplay.php')]",
    pagination=_MYBB_PAGINATION,
    current=f".//span[{has_class('pagination_current')}]",
)

# -- FluxBB / PunBB ---------------------------------------------------------------------

FLUXBB = ThreadMarkup(
    name="fluxbb",
    post=f"//div[{has_class('blockpost')}][starts-with(@id, 'p')]",
    post_id=id_from(r"^p(\d+)$", "id"),
    anchor=own_id_anchor,
    author=author_at(
        f".//div[{has_class('postleft')}]//dt//a | .//div[{has_class('postleft')}]//dt"
    ),
    date="./h2//a",
    # The signature is a "postmsg" too.
    content=f".//div[{has_class('postmsg')}][not({has_class('postsignature')})]",
    quote=xpath_finder(f".//div[{has_class('quotebox')}]"),
    citation=xpath_finder(".//cite"),
    junk=f".//p[{has_class('postedit')}]",
    number=number_at(f"./h2//span[{has_class('conr')}]"),
    title=f"//ul[{has_class('crumbs')}]//strong/a",
    pagination=f"//p[{has_class('pagelink')}]",
    current=".//strong",
)

FLUXBB_BOARD = BoardMarkup(
    rows="//div[@id='vf']//tbody/tr",
    link=f".//div[{has_class('tclcon')}]/div//a",
    replies=replies_at(f"./td[{has_class('tc2')}]"),
    last=f"./td[{has_class('tcr')}]",
    last_page=f".//span[{has_class('pagestext')}]/a",
    subforums=f"//div[starts-with(@id, 'idx')]//div[{has_class('tclcon')}]//h3/a",
    pagination=f"//div[{has_class('pagepost')}]//p[{has_class('pagelink')}]",
    current=".//strong",
)

# PunBB 1.3/1.4 rewrote the markup FluxBB kept: one "post" box per message, the number,
# author and permalinked date in its heading.
PUNBB = ThreadMarkup(
    name="fluxbb",
    post=f"//div[{has_class('post')}][div[{has_class('posthead')}][starts-with(@id, 'p')]]",
    post_id=id_from(r"^p(\d+)$", "id"),
    anchor=anchor_as("p{}"),
    author=author_at(
        f".//span[{has_class('post-byline')}]//strong | .//li[{has_class('username')}]"
    ),
    date=f".//span[{has_class('post-link')}]//a",
    content=f".//div[{has_class('entry-content')}]",
    quote=xpath_finder(f".//div[{has_class('quotebox')}]"),
    citation=xpath_finder(".//cite"),
    junk=f".//p[{has_class('lastedit')}]",
    number=number_at(f".//span[{has_class('post-num')}]"),
    title=f"//h1[{has_class('main-title')}]",
    pagination=f"//p[{has_class('paging')}]",
    current=".//strong",
)

PUNBB_BOARD = BoardMarkup(
    rows=f"//div[{has_class('main-item')}][starts-with(@id, 'topic')]",
    link=f".//div[{has_class('item-subject')}]//h3/a",
    replies=replies_at(f".//li[{has_class('info-replies')}]"),
    last=f".//li[{has_class('info-lastpost')}]",
    last_page=f".//span[{has_class('item-pages')}]/a",
    subforums=f"//div[{has_class('main-item')}][starts-with(@id, 'forum')]//h3/a",
    pagination=f"//p[{has_class('paging')}]",
    current=".//strong",
)
