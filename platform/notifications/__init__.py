"""Following ideas and dialogues, and telling residents what happened: on the site and by email."""
