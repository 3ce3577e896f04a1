"""Forums: one record per post, whatever the engine (phpBB, vBulletin, XenForo, SMF,
MyBB, FluxBB, Invision, Discourse, or a home-made board found by its repeated blocks)."""

from traceur.parse.forums.boards import parse_board
from traceur.parse.forums.discourse import (
    discourse_board_json_url,
    discourse_topic_json_url,
    parse_discourse_board,
    parse_discourse_topic,
)
from traceur.parse.forums.markup import detect_engine
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
    "ENGINES",
    "BoardPage",
    "Post",
    "ThreadLink",
    "ThreadPage",
    "ThreadState",
    "detect_engine",
    "discourse_board_json_url",
    "discourse_topic_json_url",
    "parse_board",
    "parse_discourse_board",
    "parse_discourse_topic",
    "parse_thread_page",
    "resume_from",
    "state_after",
    "thread_has_news",
]
