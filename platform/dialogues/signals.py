"""What happens in a conversation, announced for the layers above (notifications) to react to.

Receivers run in the sender's transaction; anything they send by mail waits for its commit.
"""

from django.dispatch import Signal

# idea: an idea was posted (public or held); its author follows it from now on.
idea_posted = Signal()
# comment: a comment was posted (public or held); a resident author follows its idea.
comment_posted = Signal()
# item: an idea or comment became public for the first time (not on a restore).
post_published = Signal()
# item: a moderator rejected the post; item.moderation_note says why.
post_rejected = Signal()
# change: staff set an idea's status (a StatusChange).
status_changed = Signal()
