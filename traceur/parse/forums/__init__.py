"""Forums: one record per post, whatever the engine (phpBB, vBulletin, XenForo, SMF,
MyBB, FluxBB, Invision, Discourse, NodeBB, Flarum, or a home-made board found by its
repeated blocks)."""

from traceur.parse.forums.apis import API_FORUMS, ApiForum, api_forum_of_page, api_forum_of_url
from traceur.parse.forums.boards import parse_board
from traceur.parse.forums.discourse import (
    discourse_board_json_url,
    discourse_topic_json_url,
    parse_discourse_board,
    parse_discourse_topic,
)
from traceur.parse.forums.flarum import (
    flarum_board_api_url,
    flarum_discussion_api_url,
    parse_flarum_board,
    parse_flarum_discussion,
)
from traceur.parse.forums.markup import detect_engine
from traceur.parse.forums.nodebb import (
    nodebb_board_api_url,
    nodebb_topic_api_url,
    parse_nodebb_board,
    parse_nodebb_topic,
)
from traceur.parse.forums.records import (
    ENGINES,
    BoardPage,
    Post,
    ThreadLink,
    ThreadPage,
    ThreadState,
    resume_from,
    state_after,
    thread_has_news,
)
from traceur.parse.forums.threads import parse_thread_page

__all__ = [
    "API_FORUMS",
    "ENGINES",
    "ApiForum",
    "BoardPage",
    "Post",
    "ThreadLink",
    "ThreadPage",
    "ThreadState",
    "api_forum_of_page",
    "api_forum_of_url",
    "detect_engine",
    "discourse_board_json_url",
    "discourse_topic_json_url",
    "flarum_board_api_url",
    "flarum_discussion_api_url",
    "nodebb_board_api_url",
    "nodebb_topic_api_url",
    "parse_board",
    "parse_discourse_board",
    "parse_discourse_topic",
    "parse_flarum_board",
    "parse_flarum_discussion",
    "parse_nodebb_board",
    "parse_nodebb_topic",
    "parse_thread_page",
    "resume_from",
    "state_after",
    "thread_has_news",
]
