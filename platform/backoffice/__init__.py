"""The tenant admin area at /manage/: staff run their dialogues, staff and settings here."""
